import CellFree
import H5
import Linalg
import Pipeline

/// `layouts`: `count` network drops of the papers' model (papers.md §4): AP and UE positions [m],
/// the shadowing normals, and the UE positions a model sees under position error σ [m].
/// Sample i draws from the stream (stage seed, "layouts", i), so any split of a sweep over instances
/// or workers gives the same drops.
public struct LayoutsStage: StageKind {
    public init() {}
    public let name = "layouts"
    public let version = 1
    public let summary = "network drops: AP/UE positions, shadowing draws, noisy UE positions"
    public let parameters: [ParameterSpec] = networkParameterSpecs + [
        ParameterSpec("count", .int, default: .int(100), "number of drops"),
        ParameterSpec("first", .int, default: .int(0), "global index of the first drop"),
        ParameterSpec("sigma", .double, default: .double(0), "UE position error seen by models, std per coordinate [m]"),
        .seed,
        .replica,
    ]

    public func run(_ context: StageContext) throws {
        let p = context.params
        let (K, L, count, first) = (try p.int("K"), try p.int("L"), try p.int("count"), try p.int("first"))
        let sigma = try p.double("sigma")
        guard count >= 1, sigma >= 0 else { throw PipelineError.stage(id: context.id, detail: "count must be ≥ 1 and sigma ≥ 0") }
        let params = try networkParameters(context)
        var ue = [Double](), ap = [Double](), noisy = [Double](), shadow = [Double]()
        for i in 0..<count {
            var rng = RandomStream(seed: context.streamSeed, name: "layouts", index: UInt64(first + i))
            let draws = SetupDraws.draw(params, using: &rng)
            var noise = rng.derived("position-error")
            let seen = noisyLayout(draws.layout, ueStdMeters: sigma, using: &noise)
            ue += draws.layout.uePositions.flatMap { [$0.real, $0.imaginary] }
            ap += draws.layout.apPositions.flatMap { [$0.real, $0.imaginary] }
            noisy += seen.uePositions.flatMap { [$0.real, $0.imaginary] }
            shadow += draws.shadowZ   // k + K·l: row-major [L, K]
            context.progress(i + 1, of: count)
        }
        let out = context.output
        try out.write("ue", ue, shape: [count, K, 2]).setAttribute("dims", "sample,ue,xy")
        try out.write("ap", ap, shape: [count, L, 2]).setAttribute("dims", "sample,ap,xy")
        try out.write("ue_seen", noisy, shape: [count, K, 2]).setAttribute("dims", "sample,ue,xy")
        try out.write("shadow_z", shadow, shape: [count, L, K]).setAttribute("dims", "sample,ap,ue")
    }
}

/// K, L, side and AP layout of the papers' model (papers.md §4), shared by the stages that build it.
let networkParameterSpecs: [ParameterSpec] = [
    ParameterSpec("K", .int, default: .int(10), "UEs per drop"),
    ParameterSpec("L", .int, default: .int(16), "APs (a square number for the grid layout)"),
    ParameterSpec("side", .double, default: .double(500), "side of the square area [m]"),
    ParameterSpec("ap_layout", .string, default: .string("grid"), "AP positions", choices: ["grid", "uniform"]),
]

/// The papers' model with this stage's K, L, side and AP layout.
func networkParameters(_ context: StageContext) throws -> NetworkParameters {
    let p = context.params
    var params = NetworkParameters.papers(L: try p.int("L"), K: try p.int("K"))
    params.areaSideMeters = try p.double("side")
    params.apLayout = APLayout(rawValue: try p.string("ap_layout")) ?? .grid
    do { try params.validate() } catch { throw PipelineError.stage(id: context.id, detail: "\(error)") }
    return params
}

/// The papers' model of an upstream `layouts` result (its side and AP layout) with K UEs and L APs.
func networkParameters(of input: StageInput, K: Int, L: Int) -> NetworkParameters {
    var params = NetworkParameters.papers(L: L, K: K)
    params.areaSideMeters = input.params["side"]?.number ?? 500
    params.apLayout = APLayout(rawValue: input.params["ap_layout"]?.string ?? "grid") ?? .grid
    return params
}

/// The drops of a `layouts` result, as setup draws.
func readLayouts(_ file: H5File) throws -> [SetupDraws] {
    let ue = try file.read("ue", as: Double.self), ap = try file.read("ap", as: Double.self)
    let z = try file.read("shadow_z", as: Double.self)
    let (count, K, L) = (ue.shape[0], ue.shape[1], ap.shape[1])
    return (0..<count).map { i in
        let ues = (0..<K).map { Complex(ue.values[(i * K + $0) * 2], ue.values[(i * K + $0) * 2 + 1]) }
        let aps = (0..<L).map { Complex(ap.values[(i * L + $0) * 2], ap.values[(i * L + $0) * 2 + 1]) }
        return SetupDraws(layout: Layout(apPositions: aps, uePositions: ues), shadowZ: Array(z.values[(i * L * K)..<((i + 1) * L * K)]))
    }
}
