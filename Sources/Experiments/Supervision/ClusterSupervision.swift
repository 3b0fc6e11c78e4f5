import CellFree
import Learning
import Linalg
import Pipeline

/// The ClusterPowerNet of a `train`/`ablate` stage: variant (or cosFormer feature map φ), threshold μ,
/// loss weight λ, and the normalisers of the papers' budgets (P̄_UL = 100 mW, P̄_DL = 200 mW per AP;
/// DL labels over [0, L·P̄_DL]).
func clusterNetConfig(attention: AttentionKind, L: Int, net: ClusterNetParameters) -> ClusterPowerNetConfig {
    let network = NetworkParameters.papers(L: L, K: 1)
    var c = ClusterPowerNetConfig()
    c.attention = attention
    c.L = L
    c.tau_p = network.tau_p
    (c.mu, c.lambda, c.sinrWeight) = (net.mu, net.lambda, net.sinrWeight)
    c.pULMax = network.p / 1000
    c.pAP = network.rho_tot / 1000
    c.dlNormMax = Double(L) * c.pAP
    if net.powerScale != .linear { c.logPowerFloor = ClusterPowerScale.floorWatts }
    c.relativePowers = net.powerScale.relative
    c.levelHead = net.powerScale == .logRelativeLevel
    c.fourierHarmonics = net.fourierHarmonics
    c.quantileWeight = net.quantileWeight
    return c
}

/// The scale of a ClusterPowerNet's normalised powers: models.md's linear (18), or log10 from
/// 1 µW (−30 dBm), 5 decades below P̄_UL (ours: the max-min labels span 3–4 decades), or that log
/// scale fitted per drop relative to the mean over its UEs (ours: `ClusterPowerNetConfig.relativePowers`),
/// also with a learned per-drop level (ours: `ClusterPowerNetConfig.levelHead`).
enum ClusterPowerScale: String, CaseIterable, Sendable {
    case linear, log
    case logRelative = "log-relative"
    case logRelativeLevel = "log-relative-level"
    static let floorWatts = 1e-6
    var relative: Bool { self == .logRelative || self == .logRelativeLevel }
}

/// The model's clusters for one drop (linear-attention paper (15)–(16)): scores S [K, L] (row-major,
/// as the network outputs them) through the pilot-constrained mask, so no AP serves more than τ_p
/// UEs. A UE left without an AP gets its highest-score AP that can take it (models.md §1.4: the
/// fallback knows the model's scores only, not β).
func predictedClusters(scores S: ArraySlice<Float>, setup: NetworkSetup, config c: ClusterPowerNetConfig) throws -> ClusterMatrix {
    let (K, L) = (setup.params.K, setup.params.L)
    var scores = [Double](repeating: 0, count: L * K)
    for k in 0..<K { for l in 0..<L { scores[l + L * k] = Double(S[S.startIndex + k * L + l]) } }
    return try pilotConstrainedClusters(scores: scores, gainOverNoiseDB: scores, L: L, K: K, tau_p: c.tau_p, threshold: c.mu)
}

/// How a ClusterPowerNet is supervised (`train`, `ablate`): the clustering term, the UatF terms of
/// the power labels, and the position error σ added to the training inputs [m] over the area side [m].
struct ClusterSupervision {
    var penalty: ClusterPenalty
    var method: LabelMethod
    var trainSigma: Double, side: Double
    /// Seeds the Monte Carlo realizations of each drop's labels (fixed per drop across epochs).
    var streamSeed: UInt64

    init(_ net: ClusterNetParameters, side: Double, streamSeed: UInt64) {
        (penalty, method, trainSigma, self.side, self.streamSeed) = (net.penalty, net.supervisionMethod, net.trainSigma, side, streamSeed)
    }
}

/// Dynamic supervision (linear-attention paper, Algorithm 1, lines 4–6): the model's own clusters
/// for drops `indices` (evaluation mode, on the inputs it is trained on), closed-form max-min powers
/// for them (UL with P̄_UL, DL with per-AP budgets; UatF terms from the true positions), min-max
/// normalised as the model's outputs (models.md §1.5–1.6), the per-UE UL SE for the fairness
/// weights, and the clustering term's targets. With `noiseKey` (training) the UE inputs carry fresh
/// Gaussian errors of std σ (a stream of the key); without it (validation) the drops' own inputs.
func supervisedBatch(_ model: ClusterPowerNet<Float>, drops: ClusterDrops, indices: [Int], supervision s: ClusterSupervision,
                     noiseKey: UInt64? = nil) throws -> PowerBatch<Float> {
    var (ue, ap) = drops.positions(indices)
    if let noiseKey, s.trainSigma > 0 {
        var rng = RandomStream(seed: noiseKey, name: "train-position-error")
        let std = s.trainSigma / s.side
        ue.values = ue.values.map { $0 + Float(std * rng.normal()) }
    }
    let tape = Tape<Float>(recordsGradients: false)
    let S = tape.value(model.forward(tape, model.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap)).clusterScores).values
    let c = model.config, KL = drops.K * drops.L
    var ul: [Float] = [], dl: [Float] = [], se: [Float] = [], cover: [Float] = [], targets: [Float] = []
    var gaps: (ul: [SINRGapTerms], dl: [SINRGapTerms]) = ([], [])
    for (b, i) in indices.enumerated() {
        let setup = drops.setups[i]
        let D = try predictedClusters(scores: S[(b * KL)..<((b + 1) * KL)], setup: setup, config: c)
        var rng = RandomStream(seed: s.streamSeed, name: "supervision-K\(drops.K)", index: UInt64(drops.first + i))
        let labels = try powerLabels(setup, clusters: D, method: s.method, using: &rng)
        ul += labels.uplinkPowers.map { Float(c.normalisedUL($0 / 1000)) }
        dl += labels.downlinkPowersPerAP.map { Float(c.normalisedDL($0 / 1000)) }
        se += labels.optimalUplinkSE.map { Float($0) }
        if c.sinrWeight > 0 {
            gaps.ul.append(labels.uplinkGapTerms)
            gaps.dl.append(labels.downlinkGapTerms(perAPBudget: setup.params.rho_tot))
        }
        switch s.penalty {
        case .gainWeighted: cover += gainShares(setup)
        case .gainRankedTarget, .refinedTarget, .positionsRefinedTarget: targets += drops.targetLinks[i]
        case .coverage: break
        }
    }
    let shape = [indices.count, drops.K], linkShape = [indices.count, drops.K, drops.L]
    return PowerBatch(ue: ue, ap: ap, ul: Tensor(shape: shape, values: ul), dl: Tensor(shape: shape, values: dl),
                      se: Tensor(shape: shape, values: se),
                      coverWeights: cover.isEmpty ? nil : Tensor(shape: linkShape, values: cover),
                      clusterTargets: targets.isEmpty ? nil : Tensor(shape: linkShape, values: targets),
                      gapTerms: c.sinrWeight > 0 ? gaps : nil)
}

extension PowerLabels {
    /// The UL terms of the max-min gap (`Tape.maxMinGap`): UatF b, c, σ² and the optimum's SINR t*.
    var uplinkGapTerms: SINRGapTerms {
        SINRGapTerms(b: uplinkTerms.b, c: uplinkTerms.c, noise: uplinkTerms.sigma2, optimalSINR: uplinkTerms.sinr(uplinkPowers).min()!)
    }
    /// The DL terms (noise 1) with the duality portions, rescaled to the per-AP budget [mW] as `evaluate` does.
    func downlinkGapTerms(perAPBudget: Double) -> SINRGapTerms {
        let t = downlinkTerms
        return SINRGapTerms(b: t.b, c: t.c, noise: [Double](repeating: 1, count: t.K), optimalSINR: t.sinr(downlinkPowersPerAP).min()!,
                            portions: t.portion, L: t.L, budget: perAPBudget)
    }
}

/// A cluster matrix as 0/1 links in the model's row-major [K, L] score layout.
func rowMajorLinks(_ D: ClusterMatrix) -> [Float] {
    (0..<D.K).flatMap { k in (0..<D.L).map { l in D[l, k] ? Float(1) : 0 } }
}

/// The clustering term of loss (30). `coverage` is models.md §1.7 as written: each UE's cover is the
/// mean of its scores over the APs. With max-min labels every served UE gets the same SE, so the
/// fairness weights are uniform and this term pushes every score up alike: it carries no
/// information about which AP should serve which UE (measured: the learned clusters at K > τ_p are
/// far worse than DCC). `gain-weighted` [DECISION, ours] weights AP l in UE k's cover by its share
/// of the UE's channel gain, β_kl / Σ_l' β_kl', so the push on a score grows with the AP's value to
/// the UE; with equal gains it is the same as `coverage`. `gain-ranked-target` [DECISION, ours; the
/// default] replaces the term by the per-link binary cross-entropy of the scores against the
/// gain-ranked pilot-constrained clusters of the drop (each AP keeps its τ_p strongest UEs by β,
/// orphans repaired; `gainRankedClusters`), which the label generator computes from the true β: the
/// scores learn which AP should serve which UE, within the τ_p cap. `refined-target` [DECISION, ours]:
/// the same cross-entropy against the max-min-refined clusters of a `baselines` input on the training
/// drops (scheme max-min-refined: the gain-ranked clusters refined by single-link moves for the closed-form
/// max-min SINR under the cap, `maxMinRefinedClusters`), computed once per drop and cached.
/// `positions-refined-target` [DECISION, ours]: against the positions-refined clusters (the
/// distance-ranked clusters refined the same way on the path loss of the positions alone, no shadowing):
/// a function of the positions, which a model of positions can learn.
enum ClusterPenalty: String, CaseIterable, Sendable {
    case gainRankedTarget = "gain-ranked-target"
    case refinedTarget = "refined-target"
    case positionsRefinedTarget = "positions-refined-target"
    case coverage
    case gainWeighted = "gain-weighted"

    /// The `baselines` scheme whose stored clusters are the target (nil: none read).
    var targetScheme: BaselinesStage.Parameters.Scheme? {
        switch self {
        case .refinedTarget: .refined
        case .positionsRefinedTarget: .positionsRefined
        default: nil
        }
    }
}

/// The clusters of `scheme` in `baselines` results by K: per drop, 0/1 links [K·L] row-major.
func refinedClusterTargets(_ inputs: [StageInput], scheme: String, id: String) throws -> [Int: [[Float]]] {
    var byK: [Int: [[Float]]] = [:]
    for input in inputs {
        let file = try input.open()
        defer { try? file.close() }
        guard file.contains("\(scheme)/clusters") else {
            throw PipelineError.stage(id: id, detail: "baselines input \(input.path) has no \(scheme)/clusters (its schemes must include \(scheme))")
        }
        let links = try file.read("\(scheme)/clusters", as: UInt8.self)
        let (n, K, L) = (links.shape[0], links.shape[1], links.shape[2])
        byK[K] = (0..<n).map { links.values[($0 * K * L)..<(($0 + 1) * K * L)].map(Float.init) }
    }
    return byK
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

    /// With `targets` (`baselines` results holding the clusters of `scheme`, one per training K, on the
    /// same drops) the clustering targets are theirs.
    init(_ layouts: [StageInput], targets: (inputs: [StageInput], scheme: String)? = nil, side: Double, validationFraction: Double,
         id: String) throws {
        guard !layouts.isEmpty else { throw PipelineError.stage(id: id, detail: "needs layouts inputs (training drops)") }
        let refined = try targets.map { try refinedClusterTargets($0.inputs, scheme: $0.scheme, id: id) }
        for input in layouts {
            let file = try input.open()
            let shape = try file.dataset("ue").shape
            try file.close()
            let (n, K) = (shape[0], shape[1])
            var links: [[Float]]?
            if let refined {
                guard let found = refined[K], found.count == n else {
                    throw PipelineError.stage(id: id, detail: "clustering target: no baselines input with \(targets!.scheme) clusters of the \(n) drops at K = \(K) (have \(refined.map { "K = \($0.key): \($0.value.count) drops" }.sorted()))")
                }
                links = found
            }
            let nVal = TrainingSplit.counts(drops: n, validationFraction: validationFraction).validation
            training.append(try ClusterDrops(input, side: side, range: 0..<(n - nVal), targets: links))
            if nVal > 0 { validation.append(try ClusterDrops(input, side: side, range: (n - nVal)..<n, targets: links)) }
        }
        if let bad = training.first(where: { $0.K > $0.L * NetworkParameters.papers(L: $0.L, K: 1).tau_p }) {
            throw PipelineError.stage(id: id, detail: "K = \(bad.K) exceeds L·τ_p: some UE could not be served without pilot contamination")
        }
    }

    /// The epoch's batches (input, drop indices, key of the batch's position errors), shuffled within
    /// each input by `rng`.
    func batches(size: Int, using rng: inout RandomStream) -> [(group: Int, indices: [Int], noiseKey: UInt64)] {
        TrainingSplit.batches(groupSizes: training.map(\.count), size: size, using: &rng).map { ($0.group, $0.indices, rng.nextUInt64()) }
    }

    /// Loss (30) on the validation drops, labels for the model's current clusters (NaN without any).
    func validationLoss(_ model: ClusterPowerNet<Float>, supervision: ClusterSupervision) throws -> Double {
        guard !validation.isEmpty else { return .nan }
        var total = 0.0
        for drops in validation {
            total += Double(model.evaluationLoss(try supervisedBatch(model, drops: drops, indices: Array(0..<drops.count), supervision: supervision)))
        }
        return total / Double(validation.count)
    }
}
