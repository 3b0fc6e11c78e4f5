import CellFree
import Learning
import Linalg
import Pipeline

/// The ClusterPowerNet of a `train`/`ablate` stage: variant (or cosFormer feature map φ), threshold μ,
/// loss weight λ, and the normalisers of the papers' budgets (P̄_UL = 100 mW, P̄_DL = 200 mW per AP;
/// DL labels over [0, L·P̄_DL]).
func clusterNetConfig(attention: AttentionKind, L: Int, mu: Double, lambda: Double) -> ClusterPowerNetConfig {
    let network = NetworkParameters.papers(L: L, K: 1)
    var c = ClusterPowerNetConfig()
    c.attention = attention
    c.L = L
    c.tau_p = network.tau_p
    c.mu = mu
    c.lambda = lambda
    c.pULMax = network.p / 1000
    c.pAP = network.rho_tot / 1000
    c.dlNormMax = Double(L) * c.pAP
    return c
}

/// The model's clusters for one drop (linear-attention paper (15)–(16)): scores S [K, L] (row-major,
/// as the network outputs them) through the pilot-constrained mask with the coverage fallback, so
/// every UE is served and no AP serves more than τ_p UEs.
func predictedClusters(scores S: ArraySlice<Float>, setup: NetworkSetup, config c: ClusterPowerNetConfig) throws -> ClusterMatrix {
    let (K, L) = (setup.params.K, setup.params.L)
    var scores = [Double](repeating: 0, count: L * K)
    for k in 0..<K { for l in 0..<L { scores[l + L * k] = Double(S[S.startIndex + k * L + l]) } }
    return try pilotConstrainedClusters(scores: scores, gainOverNoiseDB: setup.gainOverNoiseDB, L: L, K: K,
                                        tau_p: c.tau_p, threshold: c.mu)
}

/// Dynamic supervision (linear-attention paper, Algorithm 1, lines 4–6): the model's own clusters
/// for drops `indices` (evaluation mode), closed-form max-min powers for them (MR statistics; UL
/// with P̄_UL, DL with per-AP budgets), min-max normalised as the model's outputs (models.md §1.5–1.6),
/// and the per-UE UL SE for the fairness weights of loss (30).
func supervisedBatch(_ model: ClusterPowerNet<Float>, drops: ClusterDrops, indices: [Int], penalty: ClusterPenalty) throws -> PowerBatch<Float> {
    let (ue, ap) = drops.positions(indices)
    let tape = Tape<Float>(recordsGradients: false)
    let S = tape.value(model.forward(tape, model.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap)).clusterScores).values
    let c = model.config, KL = drops.K * drops.L
    var ul: [Float] = [], dl: [Float] = [], se: [Float] = [], cover: [Float] = []
    var unused = RandomStream(seed: 0, name: "statistics-only labels draw nothing")
    for (b, i) in indices.enumerated() {
        let D = try predictedClusters(scores: S[(b * KL)..<((b + 1) * KL)], setup: drops.setups[i], config: c)
        let labels = try powerLabels(drops.setups[i], clusters: D, method: .statisticsOnly, using: &unused)
        ul += labels.uplinkPowers.map { Float(($0 / 1000 - c.pULMin) / (c.pULMax - c.pULMin)) }
        dl += labels.downlinkPowersPerAP.map { Float(($0 / 1000 - c.dlNormMin) / (c.dlNormMax - c.dlNormMin + 1e-8)) }
        se += labels.optimalUplinkSE.map { Float($0) }
        if penalty == .gainWeighted { cover += gainShares(drops.setups[i]) }
    }
    let shape = [indices.count, drops.K]
    return PowerBatch(ue: ue, ap: ap, ul: Tensor(shape: shape, values: ul), dl: Tensor(shape: shape, values: dl),
                      se: Tensor(shape: shape, values: se),
                      coverWeights: cover.isEmpty ? nil : Tensor(shape: [indices.count, drops.K, drops.L], values: cover))
}

/// The clustering term of loss (30). `coverage` is models.md §1.7 as written: each UE's cover is the
/// mean of its scores over the APs. With max-min labels every served UE gets the same SE, so the
/// fairness weights are uniform and this term pushes every score up alike: it carries no
/// information about which AP should serve which UE (measured: the learned clusters at K > τ_p are
/// far worse than DCC). `gain-weighted` [DECISION, ours] weights AP l in UE k's cover by its share
/// of the UE's channel gain, β_kl / Σ_l' β_kl', so the push on a score grows with the AP's value to
/// the UE; with equal gains it is the same as `coverage`.
enum ClusterPenalty: String, CaseIterable, Sendable {
    case coverage
    case gainWeighted = "gain-weighted"
}

/// β_kl / Σ_l' β_kl' as row-major [K, L] (the model's score layout).
func gainShares(_ setup: NetworkSetup) -> [Float] {
    let (K, L) = (setup.params.K, setup.params.L)
    var out = [Float](repeating: 0, count: K * L)
    for k in 0..<K {
        let beta = (0..<L).map { dbToLinear(setup.gainOverNoiseDB[$0 + L * k]) }
        let total = beta.reduce(0, +)
        for l in 0..<L { out[k * L + l] = Float(beta[l] / total) }
    }
    return out
}

/// Training and validation drops of a ClusterPowerNet: every `layouts` input, the last
/// `validationFraction` of each held out. Batches hold one K (drops of one input).
struct ClusterTrainingSet {
    var training: [ClusterDrops] = [], validation: [ClusterDrops] = []

    init(_ layouts: [StageInput], side: Double, validationFraction: Double, id: String) throws {
        guard !layouts.isEmpty else { throw PipelineError.stage(id: id, detail: "needs layouts inputs (training drops)") }
        for input in layouts {
            let file = try input.open()
            let n = try file.dataset("ue").shape[0]
            try file.close()
            let nVal = TrainingSplit.counts(drops: n, validationFraction: validationFraction).validation
            training.append(try ClusterDrops(input, side: side, range: 0..<(n - nVal)))
            if nVal > 0 { validation.append(try ClusterDrops(input, side: side, range: (n - nVal)..<n)) }
        }
        if let bad = training.first(where: { $0.K > $0.L * NetworkParameters.papers(L: $0.L, K: 1).tau_p }) {
            throw PipelineError.stage(id: id, detail: "K = \(bad.K) exceeds L·τ_p: some UE could not be served without pilot contamination")
        }
    }

    /// The epoch's batches (input, drop indices), shuffled within each input by `rng`.
    func batches(size: Int, using rng: inout RandomStream) -> [(group: Int, indices: [Int])] {
        TrainingSplit.batches(groupSizes: training.map(\.count), size: size, using: &rng)
    }

    /// Loss (30) on the validation drops, labels for the model's current clusters (NaN without any).
    func validationLoss(_ model: ClusterPowerNet<Float>, penalty: ClusterPenalty) throws -> Double {
        guard !validation.isEmpty else { return .nan }
        var total = 0.0
        for drops in validation {
            total += Double(model.evaluationLoss(try supervisedBatch(model, drops: drops, indices: Array(0..<drops.count), penalty: penalty)))
        }
        return total / Double(validation.count)
    }
}
