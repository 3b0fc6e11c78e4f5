import CellFree
import Foundation
import H5
import Learning
import Linalg
import Pipeline

/// `evaluate`: a trained model on test drops (its `layouts` inputs, any K). The model sees the UE
/// positions under position error (`ue_seen`, σ of the layouts); labels and SEs use the true positions.
/// One group `K<K>_<i>` per layouts input, with [n, K] columns `ul_opt`, `ul_pred`, `dl_opt`, `dl_pred`
/// [mW] and `se_ul_opt`, `se_ul_pred`, `se_dl_opt`, `se_dl_pred` [bit/s/Hz], and per drop
/// `latency_ms` (model inference) and `connections`:
/// - Tree-Transformer: opt = Optimal CF (closed form, papers.md §3, every AP serves every UE); pred =
///   the model's powers (UL = ul_norm·P̄_UL; DL = the label range de-normalised and rescaled to the
///   total budget L·P̄_DL, Tree Eq. (9)).
/// - ClusterPowerNet: the predicted clusters (`clusters` [n, K, L], 1 = AP serves UE); opt = Optimal
///   UC-CF (closed-form powers for them, DL per-AP budgets); pred = Predicted UC-CF (the model's UL
///   powers, and its DL head (19)–(20) on the final clusters, scaled so the most loaded AP spends
///   exactly P̄_DL); `labels_ms`, the closed form's wall time on those clusters.
public struct EvaluateStage: StageKind {
    public init() {}
    public let name = "evaluate"
    public let version = 3
    public let summary = "predicted vs optimal clusters, powers and SEs of a trained model on test drops"
    public struct Parameters: StageParameterSet {
        @ParameterGroup var labels = LabelMethodParameters()
        @Parameter("model", "the train input's model; set (or swept alongside the train stage's sweep) to pair each model with its evaluation")
        var model = ""
        @ParameterGroup var random = SeedParameter()
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let trained = try context.input(ofKind: "train")
        let layouts = context.inputs(ofKind: "layouts")
        guard !layouts.isEmpty else { throw PipelineError.stage(id: context.id, detail: "needs layouts inputs (test drops)") }
        let p = try context.parameters(Parameters.self), training = try trained.parameters(TrainStage.Parameters.self)
        let side = training.fit.side
        let method = p.labels.labelMethod
        let file = try trained.open()
        let (parameters, omegas) = try readModel(file)
        let modelName = try file.stringAttribute("model")
        let expected = p.model
        guard expected.isEmpty || expected == modelName else {
            throw PipelineError.stage(id: context.id, detail: "parameter model is '\(expected)' but the train input holds '\(modelName)'")
        }
        let range = modelName == "tree" ? try file.read("dl_label_range", as: Double.self).values : []
        try file.close()
        let total = try layouts.reduce(0) { n, l in let f = try l.open(); defer { try? f.close() }; return n + (try f.dataset("ue").shape[0]) }
        var done = 0
        let tick = { done += 1; context.progress(done, of: total) }
        for (g, input) in layouts.enumerated() {
            let drops = try ClusterDrops(input, side: side)
            let result: EvaluationGroup
            if let attention = AttentionKind(variant: modelName) {
                let model = restoredClusterNet(parameters, omegas: omegas, attention: attention, mu: training.net.mu,
                                               lambda: training.net.lambda)
                guard model.config.L == drops.L else {
                    throw PipelineError.stage(id: context.id, detail: "the model was trained for L = \(model.config.L) APs, the test drops have L = \(drops.L)")
                }
                result = try evaluateClusterNet(model, drops: drops, method: method, streamSeed: context.streamSeed, tick: tick)
            } else {
                var config = TreeTransformerConfig()
                config.dFF = parameters["layers.0.ffn.l1.W"]?.shape[1] ?? config.dFF
                let model = TreeTransformer<Float>(config: config, parameters: parameters)
                result = try evaluateTree(model, drops: drops, labelRange: range, method: method, streamSeed: context.streamSeed, tick: tick)
            }
            let out = try context.output.createGroup("K\(drops.K)_\(g)")
            try out.setAttribute("sigma_m", try positionError(of: input))
            try result.write(to: out)
        }
        try context.output.setAttribute("model", modelName)
        try writeLabelProvenance(context.output, method: method, pilots: .orthogonal)
    }
}

/// A model's results on the drops of one layouts input: [n, K] columns, [n] per-drop values, and
/// the predicted clusters [n, K, L] of a clustering model.
struct EvaluationGroup {
    let K: Int, L: Int, n: Int
    var perUE: [String: [Double]] = [:]
    var perDrop: [String: [Double]] = [:]
    var clusters: [UInt8] = []
    /// True positions [m] of the drops, [n, K, 2] and [n, L, 2] (with the clusters, for maps).
    var ue: [Double] = [], ap: [Double] = []

    /// One drop's optimal and predicted UL and DL powers [mW] and the per-UE SEs they give with the
    /// same UatF terms (`labels`).
    mutating func appendPowers(_ labels: PowerLabels, ulOptimal: [Double], dlOptimal: [Double], ulPredicted: [Double], dlPredicted: [Double]) {
        for (name, values) in [("ul_opt", ulOptimal), ("ul_pred", ulPredicted), ("dl_opt", dlOptimal), ("dl_pred", dlPredicted),
                               ("se_ul_opt", labels.uplinkSE(ulOptimal)), ("se_ul_pred", labels.uplinkSE(ulPredicted)),
                               ("se_dl_opt", labels.downlinkSE(dlOptimal)), ("se_dl_pred", labels.downlinkSE(dlPredicted))] {
            perUE[name, default: []] += values
        }
    }

    func write(to group: H5Group) throws {
        try group.setAttribute("K", String(K))
        try group.setAttribute("L", String(L))
        for (name, values) in perUE.sorted(by: { $0.key < $1.key }) {
            try group.write(name, values, shape: [n, K]).setAttribute("units", name.hasPrefix("se") ? "bit/s/Hz" : "mW")
        }
        for (name, values) in perDrop.sorted(by: { $0.key < $1.key }) {
            try group.write(name, values, shape: [n]).setAttribute("units", name.hasSuffix("_ms") ? "ms, wall time" : "AP–UE links")
        }
        if !clusters.isEmpty { try group.write("clusters", clusters, shape: [n, K, L]).setAttribute("dims", "sample,ue,ap") }
        if !ue.isEmpty {
            try group.write("ue_m", ue, shape: [n, K, 2]).setAttribute("dims", "sample,ue,xy")
            try group.write("ap_m", ap, shape: [n, L, 2]).setAttribute("dims", "sample,ap,xy")
        }
    }
}

/// Wall time of `body` [ms] and its result.
func timed<R>(_ body: () throws -> R) rethrows -> (R, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = try body()
    return (r, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
}

/// Optimal UC-CF and Predicted UC-CF of a ClusterPowerNet on each drop (see `EvaluateStage`).
/// Latency = forward pass + clusters (mask and coverage fallback), one drop at a time.
func evaluateClusterNet(_ model: ClusterPowerNet<Float>, drops: ClusterDrops, method: LabelMethod, streamSeed: UInt64,
                        tick: () -> Void) throws -> EvaluationGroup {
    let (K, L, c) = (drops.K, drops.L, model.config)
    var r = EvaluationGroup(K: K, L: L, n: drops.count)
    for i in 0..<drops.count {
        let setup = drops.setups[i]
        let ((D, ulW, omega), latency) = try timed { () throws -> (ClusterMatrix, [Float], [Float]) in
            let (ue, ap) = drops.positions([i])
            let tape = Tape<Float>(recordsGradients: false)
            let out = model.forward(tape, model.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
            let D = try predictedClusters(scores: tape.value(out.clusterScores).values[...], setup: setup, config: c)
            return (D, tape.value(out.ulPower).values, tape.value(out.dlWeights).values)
        }
        var rng = RandomStream(seed: streamSeed, name: "evaluate", index: UInt64(i))
        let (labels, labelMs) = try timed { try powerLabels(setup, clusters: D, method: method, using: &rng) }
        // DL head (19)–(20) on the final clusters: a_kl = ω_kl·D_lk, each AP's weights capped at a sum of 1.
        var rho = [Double](repeating: 0, count: K)
        for l in 0..<L {
            let load = (0..<K).reduce(0.0) { $0 + (D[l, $1] ? Double(omega[$1 * L + l]) : 0) }
            for k in 0..<K where D[l, k] { rho[k] += setup.params.rho_tot * Double(omega[k * L + l]) / max(load, 1) }
        }
        let busiest = labels.downlinkTerms.apPowers(rho).max() ?? 0
        if busiest > 0 { rho = rho.map { $0 * setup.params.rho_tot / busiest } }
        let ul = ulW.map { Double($0) * 1000 }
        r.appendPowers(labels, ulOptimal: labels.uplinkPowers, dlOptimal: labels.downlinkPowersPerAP, ulPredicted: ul, dlPredicted: rho)
        r.perDrop["latency_ms", default: []].append(latency)
        r.perDrop["labels_ms", default: []].append(labelMs)
        r.perDrop["connections", default: []].append(Double(D.serves.filter { $0 }.count))
        for k in 0..<K { for l in 0..<L { r.clusters.append(D[l, k] ? 1 : 0) } }
        r.ue += setup.layout.uePositions.flatMap { [$0.real, $0.imaginary] }
        r.ap += setup.layout.apPositions.flatMap { [$0.real, $0.imaginary] }
        tick()
    }
    return r
}

/// Optimal CF vs the Tree-Transformer's powers on each drop (see `EvaluateStage`).
func evaluateTree(_ model: TreeTransformer<Float>, drops: ClusterDrops, labelRange range: [Double], method: LabelMethod,
                  streamSeed: UInt64, tick: () -> Void) throws -> EvaluationGroup {
    let (K, L) = (drops.K, drops.L)
    var r = EvaluationGroup(K: K, L: L, n: drops.count)
    for i in 0..<drops.count {
        let setup = drops.setups[i]
        var rng = RandomStream(seed: streamSeed, name: "evaluate", index: UInt64(i))
        let labels = try powerLabels(setup, clusters: .full(L: L, K: K), method: method, using: &rng)
        let ((ulNorm, dlNorm), latency) = timed { () -> ([Float], [Float]) in
            let (ue, ap) = drops.positions([i])
            let tape = Tape<Float>(recordsGradients: false)
            let out = model.forward(tape, model.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
            return (tape.value(out.ulNorm).values, tape.value(out.dlNorm).values)
        }
        let ul = ulNorm.map { Double($0) * setup.params.p }
        let dlRaw = dlNorm.map { max(1e-12, range[0] + Double($0) * (range[1] - range[0])) }
        let budget = Double(L) * setup.params.rho_tot, sum = dlRaw.reduce(0, +)
        let dl = dlRaw.map { $0 * budget / sum }
        r.appendPowers(labels, ulOptimal: labels.uplinkPowers, dlOptimal: labels.downlinkPowersTotal, ulPredicted: ul, dlPredicted: dl)
        r.perDrop["latency_ms", default: []].append(latency)
        r.perDrop["connections", default: []].append(Double(K * L))
        tick()
    }
    return r
}
