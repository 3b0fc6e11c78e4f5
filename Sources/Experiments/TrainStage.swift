import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Pipeline

/// `train`: fits a model to closed-form labels (static supervision; Tree paper §4.4): inputs
/// `layouts` and `baselines` of one or more K (batches hold one K each, as the Tree code), positions
/// normalised by the area side, UL labels by P̄_UL, DL labels (total budget, Tree Eq. (9)) min-max
/// normalised over the training set. AdamW, dropout 0.1; a `val_fraction` of the drops is held out.
/// Checkpoints every epoch (`<key>.partial.h5`: weights, AdamW state, loss history) and resumes from
/// the last one with bit-identical results.
///
/// So far `model: tree` (Tree-Transformer); the ClusterPowerNet variants with dynamic supervision
/// (linear-attention paper, Algorithm 1) are next.
public struct TrainStage: StageKind {
    public init() {}
    public let name = "train"
    public let version = 1
    public let summary = "train a model on closed-form labels, checkpointing every epoch"
    public let parameters: [ParameterSpec] = [
        ParameterSpec("model", .string, default: .string("tree"), "model to train", choices: ["tree"]),
        ParameterSpec("epochs", .int, default: .int(20), "training epochs"),
        ParameterSpec("batch", .int, default: .int(128), "mini-batch size (drops)"),
        ParameterSpec("lr", .double, default: .double(1e-3), "AdamW learning rate"),
        ParameterSpec("val_fraction", .double, default: .double(0.1), "share of the drops held out for the validation loss"),
        ParameterSpec("d_ff", .int, default: .int(2048), "Tree-Transformer feed-forward width (Table I: 2048)"),
        ParameterSpec("side", .double, default: .double(500), "area side [m], for position normalisation"),
        .seed,
        .replica,
    ]

    public func run(_ context: StageContext) throws {
        let p = context.params
        let (epochs, batchSize, side) = (try p.int("epochs"), try p.int("batch"), try p.double("side"))
        guard epochs >= 1, batchSize >= 1, side > 0 else { throw PipelineError.stage(id: context.id, detail: "epochs, batch and side must be positive") }
        let data = try TrainingData(context, side: side, validationFraction: try p.double("val_fraction"))
        var rng = RandomStream(seed: context.streamSeed, name: "train-init")
        var config = TreeTransformerConfig()
        config.dFF = try p.int("d_ff")
        var model = TreeTransformer<Float>(config: config, using: &rng)
        var optimizer = AdamW<Float>(learningRate: Float(try p.double("lr")))
        var trainLoss: [Double] = [], valLoss: [Double] = []
        var epoch = 0
        if FileManager.default.fileExists(atPath: context.checkpoint.path) {
            do {
                let saved = try loadCheckpoint(from: context.checkpoint.path)
                model.parameters = saved.parameters
                optimizer = saved.optimizer
                epoch = saved.epoch
                trainLoss = (saved.metadata["train_loss"] ?? "").split(separator: ",").compactMap { Double($0) }
                valLoss = (saved.metadata["val_loss"] ?? "").split(separator: ",").compactMap { Double($0) }
                context.log("resumed from checkpoint after epoch \(epoch) of \(epochs)")
            } catch {
                context.log("discarding unreadable checkpoint: \(error)")
            }
        }
        while epoch < epochs {
            // Batches of one K, shuffled by a stream of (seed, epoch): the same for any resume point.
            var order = RandomStream(seed: context.streamSeed, name: "train-order", index: UInt64(epoch))
            let batches = data.trainingBatches(size: batchSize, using: &order)
            let dropout = DropoutStream(RandomStream(seed: context.streamSeed, name: "train-dropout", index: UInt64(epoch)))
            var total = 0.0
            for (i, b) in batches.enumerated() {
                total += Double(model.trainingStep(b, optimizer: &optimizer, dropout: dropout))
                context.progress(epoch * batches.count + i + 1, of: epochs * batches.count)
            }
            trainLoss.append(total / Double(batches.count))
            valLoss.append(data.validation.isEmpty ? .nan
                           : data.validation.map { Double(model.evaluationLoss($0)) }.reduce(0, +) / Double(data.validation.count))
            epoch += 1
            context.log("epoch \(epoch): train \(trainLoss.last!), validation \(valLoss.last!)")
            if epoch < epochs {
                try saveCheckpoint(Checkpoint(parameters: model.parameters, optimizer: optimizer, epoch: epoch,
                                              metadata: ["train_loss": trainLoss.map { "\($0)" }.joined(separator: ","),
                                                         "val_loss": valLoss.map { "\($0)" }.joined(separator: ",")]),
                                   to: context.checkpoint.path)
            }
        }
        let out = context.output
        let params = try out.createGroup("params")
        for name in model.parameters.names {
            let t = model.parameters[name]!
            try params.write(name, t.values, shape: t.shape)
        }
        try out.write("train_loss", trainLoss, shape: [epochs]).setAttribute("dims", "epoch")
        try out.write("val_loss", valLoss, shape: [epochs]).setAttribute("dims", "epoch")
        try out.write("dl_label_range", [data.dlMin, data.dlMax], shape: [2]).setAttribute("units", "mW")
        try out.setAttribute("model", try p.string("model"))
        try out.write("n_params", scalar: Int64(model.parameters.count))
    }
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
        for layout in layouts {
            guard let label = labels.first(where: { $0.params["K"] == layout.params["K"] && $0.params["seed"] == layout.params["seed"] }) else {
                throw PipelineError.stage(id: context.id, detail: "no baselines input for the layouts with K = \(layout.params["K"]?.display ?? "?")")
            }
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
