import CellFree
import H5
import Linalg
import Pipeline

/// `layouts`: `count` network drops of the papers' model (papers.md §4): AP and UE positions [m],
/// the shadowing normals, and the UE and AP positions a model sees under position errors σ, σ_AP [m].
/// Sample i draws from the stream (stage seed, "layouts", i), so any split of a sweep over instances
/// or workers gives the same drops.
public struct LayoutsStage: StageKind {
    public init() {}
    public let name = "layouts"
    /// 2: `ap_sigma` and the `ap_seen` dataset (AP positions as the models see them).
    public let version = 2
    public let summary = "network drops: AP/UE positions, shadowing draws, noisy UE positions"
    public var outputs: [OutputSpec] { Self.datasets }
    static let datasets = [
        OutputSpec("ue", dims: ["sample", "ue", "xy"], units: "m", "true UE positions"),
        OutputSpec("ap", dims: ["sample", "ap", "xy"], units: "m", "true AP positions"),
        OutputSpec("ue_seen", dims: ["sample", "ue", "xy"], units: "m", "UE positions as the models see them (error σ per coordinate)"),
        OutputSpec("ap_seen", dims: ["sample", "ap", "xy"], units: "m", "AP positions as the models see them (error ap_sigma)"),
        OutputSpec("shadow_z", dims: ["sample", "ap", "ue"], units: "1", "standard normal draws of the shadowing (the reference's order)"),
    ]
    public struct Parameters: StageParameterSet {
        @ParameterGroup var network = NetworkParameterSet()
        @Parameter("count", "number of drops", range: .atLeast(1)) var count = 100
        @Parameter("first", "global index of the first drop", range: .atLeast(0)) var first = 0
        @Parameter("sigma", "UE position error seen by models, std per coordinate", unit: "m", range: .atLeast(0)) var sigma = 0.0
        @Parameter("ap_sigma", "AP position error seen by models, std per coordinate (the Tree paper's PDF perturbs both)",
                   unit: "m", range: .atLeast(0))
        var apSigma = 0.0
        @ParameterGroup var random = SeedAndReplica()
        public init() {}
    }

    /// Per drop: true and seen positions of the K UEs and L APs, and the L·K shadowing draws (float64).
    public func memoryEstimate(_ p: Parameters) -> Double? {
        let (K, L) = (Double(p.network.K), Double(p.network.L))
        return Double(p.count) * (4 * K + 4 * L + L * K) * 8
    }

    /// The network these parameters describe must be valid (e.g. L a square number on the grid).
    public func preflight(_ p: Parameters) throws { _ = try p.network.network(id: name) }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (K, L, count, first, sigma) = (p.network.K, p.network.L, p.count, p.first, p.sigma)
        let params = try p.network.network(id: context.id)
        var ue = [Double](), ap = [Double](), noisy = [Double](), noisyAP = [Double](), shadow = [Double]()
        for i in 0..<count {
            var rng = RandomStream(seed: context.streamSeed, name: "layouts", index: UInt64(first + i))
            let draws = SetupDraws.draw(params, using: &rng)
            // UE and AP errors from streams of their own: σ_AP leaves the UE positions seen unchanged.
            var noise = rng.derived("position-error"), apNoise = rng.derived("ap-position-error")
            let seen = noisyLayout(draws.layout, ueStdMeters: sigma, using: &noise)
            let seenAP = noisyLayout(draws.layout, ueStdMeters: 0, apStdMeters: p.apSigma, using: &apNoise)
            ue += draws.layout.uePositions.flatMap { [$0.real, $0.imaginary] }
            ap += draws.layout.apPositions.flatMap { [$0.real, $0.imaginary] }
            noisy += seen.uePositions.flatMap { [$0.real, $0.imaginary] }
            noisyAP += seenAP.apPositions.flatMap { [$0.real, $0.imaginary] }
            shadow += draws.shadowZ   // k + K·l: row-major [L, K]
            context.progress(i + 1, of: count)
        }
        let out = context.output
        try out.write(Self.datasets.spec("ue"), ue, shape: [count, K, 2])
        try out.write(Self.datasets.spec("ap"), ap, shape: [count, L, 2])
        try out.write(Self.datasets.spec("ue_seen"), noisy, shape: [count, K, 2])
        try out.write(Self.datasets.spec("ap_seen"), noisyAP, shape: [count, L, 2])
        try out.write(Self.datasets.spec("shadow_z"), shadow, shape: [count, L, K])
    }
}
