import CellFree
import Linalg
import Pipeline

/// `channels`: the large-scale quantities of each drop of its `layouts` input (papers.md §2,
/// reference-physics.md §2–§4): channel gain over noise β_kl [dB], pilot index and master AP
/// (Algorithm 4.1 of the book), and the statistics the MR labels are built from, tr(R_kl) and
/// tr(B_kl) = E‖ĥ_kl‖² (MMSE estimation at full UL power), both normalised by the noise power.
/// With `store_correlation`, also R_kl itself as [n, K, L, N, N] complex (the `{r, i}` compound h5py
/// reads as complex128; large).
/// The label stages rebuild these from the layouts in memory, which costs less than reading them
/// (10–170 ms per drop for K = 10–100); this stage is for inspecting and exporting them.
public struct ChannelsStage: StageKind {
    public init() {}
    public let name = "channels"
    /// 2: R_kl as a complex compound instead of real and imaginary pairs.
    public let version = 2
    public let summary = "large-scale fading, pilots and channel statistics of each drop"
    public var outputs: [OutputSpec] { Self.datasets }
    static let datasets = [
        OutputSpec("gain_db", dims: ["sample", "ue", "ap"], units: "dB", "channel gain over noise β_kl/σ²"),
        OutputSpec("trace_r", dims: ["sample", "ue", "ap"], units: "1", "tr(R_kl)/σ²"),
        OutputSpec("trace_b", dims: ["sample", "ue", "ap"], units: "1", "tr(B_kl)/σ² = E‖ĥ_kl‖²/σ² (MMSE estimate energy)"),
        OutputSpec("pilot_index", dims: ["sample", "ue"], units: "1", "pilot index t_k (0-based; Algorithm 4.1)"),
        OutputSpec("master_ap", dims: ["sample", "ue"], units: "1", "master AP index (0-based)"),
        OutputSpec("correlation", dims: ["sample", "ue", "ap", "row", "column"], units: "1",
                   "R_kl/σ², complex (store_correlation only)"),
    ]
    public struct Parameters: StageParameterSet {
        @ParameterGroup var network = NetworkParameterSet()
        @Parameter("store_correlation", "also store the N×N correlation matrices R_kl") var storeCorrelation = false
        public init() {}
    }

    /// One drop's L·K correlation matrices R_kl (N×N complex) at work; per stored drop β, tr R and tr B
    /// (and R with `store_correlation`). The drop count comes from the input, so this bounds one drop.
    public func memoryEstimate(_ p: Parameters) -> Double? {
        let (K, L, N) = (Double(p.network.K), Double(p.network.L), Double(NetworkParameters.papers(L: 1, K: 1).N))
        return L * K * N * N * 16 * (p.storeCorrelation ? 2 : 1) + L * K * 24
    }

    /// The network these parameters describe must be valid (e.g. L a square number on the grid).
    public func preflight(_ p: Parameters) throws { _ = try p.network.network(id: name) }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let params = try p.network.network(id: context.id)
        let input = try context.input(ofKind: "layouts")
        let file = try input.open()
        let drops = try readLayouts(file)
        try file.close()
        let (K, L, N, n) = (params.K, params.L, params.N, drops.count)
        guard drops.first?.layout.uePositions.count == K, drops.first?.layout.apPositions.count == L else {
            throw PipelineError.stage(id: context.id, detail: "layouts \(input.path) do not have K = \(K), L = \(L)")
        }
        let storeR = p.storeCorrelation
        var gain: [Double] = [], traceR: [Double] = [], traceB: [Double] = [], R: [Complex<Double>] = []
        var pilot: [Int32] = [], master: [Int32] = []
        for (i, draws) in drops.enumerated() {
            let setup = try NetworkSetup(params, draws: draws)
            let (B, _) = try estimationCovariances(R: setup.R, pilots: setup.pilots, p: params.p)
            gain += setup.gainOverNoiseDB                       // l + L·k: row-major [K, L]
            traceR += (0..<(L * K)).map { setup.R.trace($0 % L, $0 / L) }
            traceB += (0..<(L * K)).map { B.trace($0 % L, $0 / L) }
            pilot += setup.pilots.pilotIndex.map(Int32.init)
            master += setup.pilots.masterAPs.map(Int32.init)
            if storeR {   // column-major N×N blocks, written row-major [N, N] per (k, l)
                for k in 0..<K { for l in 0..<L {
                    let o = setup.R.offset(l, k)
                    for a in 0..<N { for b in 0..<N { R.append(setup.R.values[o + a + N * b]) } }
                } }
            }
            context.progress(i + 1, of: n)
        }
        let out = context.output
        try out.write(Self.datasets.spec("gain_db"), gain, shape: [n, K, L])
        try out.write(Self.datasets.spec("trace_r"), traceR, shape: [n, K, L])
        try out.write(Self.datasets.spec("trace_b"), traceB, shape: [n, K, L])
        try out.write(Self.datasets.spec("pilot_index"), pilot, shape: [n, K])
        try out.write(Self.datasets.spec("master_ap"), master, shape: [n, K])
        if storeR { try out.write(Self.datasets.spec("correlation"), R, shape: [n, K, L, N, N]) }
    }
}
