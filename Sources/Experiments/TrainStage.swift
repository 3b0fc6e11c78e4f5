import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Pipeline

/// `train`: fits a model, checkpointing every epoch (`<key>.partial.h5`: weights, AdamW state, loss
/// histories) and resuming from the last one with bit-identical results. AdamW, dropout 0.1; a
/// `val_fraction` of each input's drops is held out. Positions are divided by the area side.
///
/// - `model: tree`, the Tree-Transformer on static labels (Tree paper §4.4): inputs `layouts` and
///   `baselines` of one or more K (batches of one K, as the Tree code); UL labels over P̄_UL, DL labels
///   (total budget, Tree Eq. (9)) min-max normalised over the training set.
/// - `model:` a ClusterPowerNet variant (models.md §2) with dynamic supervision (linear-attention
///   paper, Algorithm 1): inputs `layouts` only; each batch's labels are the closed-form powers for
///   the clusters the model itself predicts for it, recomputed at every step; loss (30).
public struct TrainStage: StageKind {
    public init() {}
    public let name = "train"
    public let version = 2
    public let summary = "train a model (static or dynamic supervision), checkpointing every epoch"
    public struct Parameters: StageParameterSet {
        @Parameter("model", "model to train") var model = ModelVariant.tree
        @ParameterGroup var fit = FitParameters(epochs: 20, batch: 128)
        @ParameterGroup var net = ClusterNetParameters()
        @ParameterGroup var random = SeedAndReplica()
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (epochs, batchSize, side) = (p.fit.epochs, p.fit.batch, p.fit.side)
        let modelName = p.model.rawValue
        let out = context.output
        try out.setAttribute("model", modelName)
        if let attention = p.model.attention {
            let (model, history) = try trainClusterNet(context, attention: attention, layouts: context.inputs(ofKind: "layouts"),
                                                       fit: p.fit, net: p.net)
            try writeModel(model.parameters, omegas: model.omegas, to: out)
            try history.write(to: out)
            try out.write("n_params", scalar: Int64(model.parameters.count))
            return
        }
        let data = try TrainingData(context, side: side, validationFraction: p.fit.validationFraction)
        var rng = RandomStream(seed: context.streamSeed, name: "train-init")
        var config = TreeTransformerConfig()
        if p.fit.dFF > 0 { config.dFF = p.fit.dFF }
        var model = TreeTransformer<Float>(config: config, using: &rng)
        let history = try fit(&model, context, epochs: epochs, learningRate: p.fit.learningRate,
                              plan: { data.trainingBatches(size: batchSize, using: &$0) }, batch: { b, _ in b },
                              validationLoss: { m in
                                  data.validation.isEmpty ? .nan
                                      : data.validation.map { Double(m.evaluationLoss($0)) }.reduce(0, +) / Double(data.validation.count)
                              })
        try writeModel(model.parameters, to: out)
        try history.write(to: out)
        try out.write("dl_label_range", [data.dlMin, data.dlMax], shape: [2]).setAttribute("units", "mW")
        try out.write("n_params", scalar: Int64(model.parameters.count))
    }
}

/// Fits a fresh ClusterPowerNet with `attention` to the drops of `layouts` by dynamic supervision.
func trainClusterNet(_ context: StageContext, attention: AttentionKind, layouts: [StageInput], fit settings: FitParameters,
                     net: ClusterNetParameters) throws -> (model: ClusterPowerNet<Float>, history: FitHistory) {
    let set = try ClusterTrainingSet(layouts, side: settings.side, validationFraction: settings.validationFraction, id: context.id)
    guard Set(set.training.map(\.L)).count == 1 else { throw PipelineError.stage(id: context.id, detail: "all training layouts must have the same L") }
    var config = clusterNetConfig(attention: attention, L: set.training[0].L, mu: net.mu, lambda: net.lambda)
    if settings.dFF > 0 { config.dFF = settings.dFF }
    var rng = RandomStream(seed: context.streamSeed, name: "train-init")
    var model = ClusterPowerNet<Float>(config: config, using: &rng)
    let batchSize = settings.batch, penalty = net.penalty
    let history = try fit(&model, context, epochs: settings.epochs, learningRate: settings.learningRate,
                          plan: { set.batches(size: batchSize, using: &$0) },
                          batch: { ref, m in try supervisedBatch(m, drops: set.training[ref.group], indices: ref.indices, penalty: penalty) },
                          validationLoss: { try set.validationLoss($0, penalty: penalty) })
    return (model, history)
}

/// Training and validation batches from `layouts` + `baselines` inputs (CF labels).
struct TrainingData {
    /// Per K: normalised UE positions [n, K, 2], AP positions [n, L, 2], labels [n, K].
    var groups: [(K: Int, ue: [Float], ap: [Float], ul: [Float], dl: [Float], count: Int, L: Int)] = []
    var validation: [PowerBatch<Float>] = []
    var dlMin = 0.0, dlMax = 1.0

    init(_ context: StageContext, side: Double, validationFraction: Double) throws {
        let layouts = context.inputs(ofKind: "layouts"), labels = context.inputs(ofKind: "baselines")
        guard !layouts.isEmpty, !labels.isEmpty else { throw PipelineError.stage(id: context.id, detail: "needs layouts and baselines inputs") }
        var raw: [(K: Int, L: Int, ue: [Double], ap: [Double], ul: [Double], dl: [Double], n: Int)] = []
        let labelKeys = try labels.map { try $0.parameters(BaselinesStage.Parameters.self) }.map { ($0.network.K, $0.random.seed) }
        for layout in layouts {
            let drawn = try layout.parameters(LayoutsStage.Parameters.self)
            guard let index = labelKeys.firstIndex(where: { $0 == (drawn.network.K, drawn.random.seed) }) else {
                throw PipelineError.stage(id: context.id, detail: "no baselines input for the layouts with K = \(drawn.network.K)")
            }
            let label = labels[index]
            let lf = try layout.open(), bf = try label.open()
            defer { try? lf.close(); try? bf.close() }
            let ue = try lf.read("ue", as: Double.self), ap = try lf.read("ap", as: Double.self)
            let cf = try bf.group("cf")
            let ul = try cf.read("ul_power", as: Double.self).values, dl = try cf.read("dl_power_total", as: Double.self).values
            raw.append((ue.shape[1], ap.shape[1], ue.values, ap.values, ul, dl, ue.shape[0]))
        }
        let allDL = raw.flatMap(\.dl)
        dlMin = allDL.min()!
        dlMax = allDL.max()!
        let span = max(dlMax - dlMin, 1e-12)
        for r in raw {
            let nVal = Int((Double(r.n) * validationFraction).rounded())
            let nTrain = r.n - nVal
            let ue = r.ue.map { Float($0 / side) }, ap = r.ap.map { Float($0 / side) }
            let ul = r.ul.map { Float($0 / 100) }, dl = r.dl.map { Float(($0 - dlMin) / span) }
            groups.append((r.K, Array(ue[..<(nTrain * r.K * 2)]), Array(ap[..<(nTrain * r.L * 2)]),
                           Array(ul[..<(nTrain * r.K)]), Array(dl[..<(nTrain * r.K)]), nTrain, r.L))
            if nVal > 0 {
                validation.append(PowerBatch(ue: Tensor(shape: [nVal, r.K, 2], values: Array(ue[(nTrain * r.K * 2)...])),
                                             ap: Tensor(shape: [nVal, r.L, 2], values: Array(ap[(nTrain * r.L * 2)...])),
                                             ul: Tensor(shape: [nVal, r.K], values: Array(ul[(nTrain * r.K)...])),
                                             dl: Tensor(shape: [nVal, r.K], values: Array(dl[(nTrain * r.K)...]))))
            }
        }
    }

    /// Shuffled mini-batches, each of one K; groups visited in turn.
    func trainingBatches(size: Int, using rng: inout RandomStream) -> [PowerBatch<Float>] {
        var batches: [PowerBatch<Float>] = []
        for g in groups where g.count > 0 {
            var order = Array(0..<g.count)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.uniformInt(below: i + 1)) }
            for start in stride(from: 0, to: g.count, by: size) {
                let pick = order[start..<min(start + size, g.count)]
                batches.append(PowerBatch(ue: Tensor(shape: [pick.count, g.K, 2], values: pick.flatMap { g.ue[($0 * g.K * 2)..<(($0 + 1) * g.K * 2)] }),
                                          ap: Tensor(shape: [pick.count, g.L, 2], values: pick.flatMap { g.ap[($0 * g.L * 2)..<(($0 + 1) * g.L * 2)] }),
                                          ul: Tensor(shape: [pick.count, g.K], values: pick.flatMap { g.ul[($0 * g.K)..<(($0 + 1) * g.K)] }),
                                          dl: Tensor(shape: [pick.count, g.K], values: pick.flatMap { g.dl[($0 * g.K)..<(($0 + 1) * g.K)] })))
            }
        }
        return batches
    }
}
