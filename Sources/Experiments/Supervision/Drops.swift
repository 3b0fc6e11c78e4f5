import CellFree
import H5
import Learning
import Linalg
import Pipeline

/// The papers' model of an upstream `layouts` result (its side, AP layout and shadowing) with K UEs and L APs.
func networkParameters(of input: StageInput, K: Int, L: Int) throws -> NetworkParameters {
    let network = try input.parameters(LayoutsStage.Parameters.self).network, id = "\(input.kind) \(input.key)"
    guard network.K == K, network.L == L else {
        throw PipelineError.stage(id: id, detail: "the drops hold K = \(K), L = \(L) but the layouts parameters say K = \(network.K), L = \(network.L)")
    }
    return try network.network(id: id)
}

/// σ of an upstream `layouts` result [m] (the `sigma_m` attribute of evaluation groups).
func positionError(of input: StageInput) throws -> Double {
    try input.parameters(LayoutsStage.Parameters.self).sigma
}

/// The drops of a `layouts` result, as setup draws.
func readLayouts(_ file: H5File) throws -> [SetupDraws] {
    let z = try file.read("shadow_z", as: Double.self)
    return try readPositions(file, ue: "ue", ap: "ap").enumerated().map { i, layout in
        let LK = layout.apPositions.count * layout.uePositions.count
        return SetupDraws(layout: layout, shadowZ: Array(z.values[(i * LK)..<((i + 1) * LK)]))
    }
}

/// The positions a model sees in each drop of a `layouts` result (`ue_seen`, `ap_seen` [m], under
/// the layouts' position errors σ, σ_AP).
func readSeenLayouts(_ file: H5File) throws -> [Layout] { try readPositions(file, ue: "ue_seen", ap: "ap_seen") }

/// Per drop, the positions [m] of datasets `ue` [n, K, 2] and `ap` [n, L, 2] as complex numbers x + iy.
private func readPositions(_ file: H5File, ue ueName: String, ap apName: String) throws -> [Layout] {
    let ue = try file.read(ueName, as: Double.self), ap = try file.read(apName, as: Double.self)
    let (count, K, L) = (ue.shape[0], ue.shape[1], ap.shape[1])
    func points(_ v: [Double], drop i: Int, count n: Int) -> [Complex<Double>] {
        (0..<n).map { Complex(v[(i * n + $0) * 2], v[(i * n + $0) * 2 + 1]) }
    }
    return (0..<count).map { i in Layout(apPositions: points(ap.values, drop: i, count: L), uePositions: points(ue.values, drop: i, count: K)) }
}

/// The drops of one `layouts` result as a ClusterPowerNet sees them and as the physics needs them:
/// the network set-up from the true positions (labels, SEs) and the model's inputs, `ue_seen` and
/// `ap_seen` (positions under errors σ, σ_AP), divided by the area side (linear-attention paper (28)–(29)).
struct ClusterDrops {
    let K: Int, L: Int
    /// Index in the layouts result of the first drop held.
    let first: Int
    let setups: [NetworkSetup]
    /// The network model and the positions the model sees [m] (`ue_seen`, `ap_seen`), per drop.
    let params: NetworkParameters
    let seen: [Layout]
    /// [n, K, 2] and [n, L, 2], normalised.
    let ue: [Float], ap: [Float]
    /// Per drop, the clustering term's target as 0/1 links [K, L]: `targets` rows when given
    /// (`ClusterPenalty.targetScheme`), else the gain-ranked pilot-constrained clusters computed once
    /// from the true β (`ClusterPenalty.gainRankedTarget`).
    let targetLinks: [[Float]]
    var count: Int { setups.count }

    /// Drops `range` (all by default) of `input`, with per-drop target links `targets` [n, K·L] of all its drops.
    init(_ input: StageInput, side: Double, range: Range<Int>? = nil, targets: [[Float]]? = nil) throws {
        let file = try input.open()
        defer { try? file.close() }
        let draws = try readLayouts(file)
        let r = range ?? 0..<draws.count
        first = r.lowerBound
        K = draws[0].layout.uePositions.count
        L = draws[0].layout.apPositions.count
        params = try networkParameters(of: input, K: K, L: L)
        setups = try r.map { [params] in try NetworkSetup(params, draws: draws[$0]) }
        seen = Array(try readSeenLayouts(file)[r])
        targetLinks = try targets.map { Array($0[r]) } ?? setups.map { rowMajorLinks(try gainRankedClusters($0)) }
        func normalised(_ points: [Complex<Double>]) -> [Float] { points.flatMap { [Float($0.real / side), Float($0.imaginary / side)] } }
        ue = seen.flatMap { normalised($0.uePositions) }
        ap = seen.flatMap { normalised($0.apPositions) }
    }

    /// What the positions alone tell of drop i: the set-up at the seen positions without shadowing
    /// (path loss only; the papers' 4 dB shadowing is what no position reveals).
    func positionSetup(_ i: Int) throws -> NetworkSetup { try NetworkSetup.pathLossOnly(params, layout: seen[i]) }

    /// The model inputs of drops `indices`: ue [B, K, 2], ap [B, L, 2].
    func positions(_ indices: [Int]) -> (ue: Tensor<Float>, ap: Tensor<Float>) {
        (Tensor(shape: [indices.count, K, 2], values: indices.flatMap { ue[($0 * K * 2)..<(($0 + 1) * K * 2)] }),
         Tensor(shape: [indices.count, L, 2], values: indices.flatMap { ap[($0 * L * 2)..<(($0 + 1) * L * 2)] }))
    }
}
