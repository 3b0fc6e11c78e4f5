import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Pipeline

/// Per-epoch record of a fit: mean training loss, validation loss, wall time [s] of the epoch, the
/// part of it spent in the model's forward/backward/update steps (the rest is labelling), and the
/// learning rate.
struct FitHistory {
    var train: [Double] = [], validation: [Double] = [], seconds: [Double] = [], stepSeconds: [Double] = [], learningRate: [Double] = []

    static let names = datasets.map(\.name)
    static let datasets = [
        OutputSpec("train_loss", dims: ["epoch"], units: "1", "mean training loss of the epoch"),
        OutputSpec("val_loss", dims: ["epoch"], units: "1", "validation loss after the epoch (NaN without validation drops)"),
        OutputSpec("epoch_seconds", dims: ["epoch"], units: "s", "wall time of the epoch"),
        OutputSpec("step_seconds", dims: ["epoch"], units: "s", "part of it in forward/backward/update steps (the rest is labelling)"),
        OutputSpec("lr", dims: ["epoch"], units: "1", "learning rate of the epoch"),
    ]
    var columns: [[Double]] { [train, validation, seconds, stepSeconds, learningRate] }

    init() {}
    init(metadata: [String: String]) {
        let c = Self.names.map { (metadata[$0] ?? "").split(separator: ",").compactMap { Double($0) } }
        (train, validation, seconds, stepSeconds, learningRate) = (c[0], c[1], c[2], c[3], c[4])
    }

    /// The epoch (0-based) of the lowest finite validation loss (the first of equal ones), nil without any.
    var bestValidationEpoch: Int? {
        validation.indices.filter { validation[$0].isFinite }.min { validation[$0] < validation[$1] }
    }
    var metadata: [String: String] {
        Dictionary(uniqueKeysWithValues: zip(Self.names, columns.map { $0.map { "\($0)" }.joined(separator: ",") }))
    }

    /// The histories as [epochs] datasets of `group`.
    func write(to group: H5Group) throws {
        for (spec, values) in zip(Self.datasets, columns) { try group.write(spec, values, shape: [values.count]) }
    }
}

/// The epoch loop of `train` and `ablate`: AdamW at the schedule's learning rate of each epoch; each
/// epoch's batches come from `plan` with a stream of (seed, epoch) and are materialised by `batch` for
/// the current model (so labels may depend on it: dynamic supervision); dropout masks from a stream of
/// (seed, epoch). With `keep: best-validation` the weights of the lowest validation loss are returned.
/// A checkpoint (weights, AdamW state, histories, the best weights so far) is saved after every epoch but
/// the last and resumed from, so an interrupted fit ends with the same weights as an uninterrupted one.
func fit<M: PowerModel, BatchRef>(_ model: inout M, _ context: StageContext, settings: FitParameters,
                                  plan: (inout RandomStream) -> [BatchRef],
                                  batch: (BatchRef, M) throws -> PowerBatch<Float>,
                                  validationLoss: (M) throws -> Double) throws -> FitHistory where M.Scalar == Float {
    let epochs = settings.epochs
    var optimizer = AdamW<Float>(learningRate: Float(settings.learningRate(epoch: 0)))
    var history = FitHistory()
    var best: ParameterSet<Float>?
    var epoch = 0
    if let file = context.checkpoint.load(log: context.log) {
        defer { try? file.close() }
        do {
            let saved = try Checkpoint.read(from: file, file: context.checkpoint.path)
            model.parameters = saved.parameters
            optimizer = saved.optimizer
            epoch = saved.epoch
            history = FitHistory(metadata: saved.metadata)
            best = saved.best
            context.log("resumed from checkpoint after epoch \(epoch) of \(epochs)")
        } catch {
            context.log("discarding unreadable checkpoint: \(error)")
        }
    }
    while epoch < epochs {
        let start = DispatchTime.now().uptimeNanoseconds
        optimizer.learningRate = Float(settings.learningRate(epoch: epoch))
        var order = RandomStream(seed: context.streamSeed, name: "train-order", index: UInt64(epoch))
        let refs = plan(&order)
        let dropout = DropoutStream(RandomStream(seed: context.streamSeed, name: "train-dropout", index: UInt64(epoch)))
        var total = 0.0, stepNanoseconds: UInt64 = 0
        for (i, ref) in refs.enumerated() {
            let b = try batch(ref, model)
            let stepStart = DispatchTime.now().uptimeNanoseconds
            let loss = Double(model.trainingStep(b, optimizer: &optimizer, dropout: dropout))
            stepNanoseconds += DispatchTime.now().uptimeNanoseconds - stepStart
            guard loss.isFinite else {
                throw PipelineError.stage(id: context.id, detail: "training loss is \(loss) in epoch \(epoch + 1), batch \(i + 1): lower lr")
            }
            total += loss
            context.progress(epoch * refs.count + i + 1, of: epochs * refs.count)
        }
        history.train.append(total / Double(max(1, refs.count)))
        history.validation.append(try validationLoss(model))
        history.seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        history.stepSeconds.append(Double(stepNanoseconds) / 1e9)
        history.learningRate.append(Double(optimizer.learningRate))
        if settings.keep == .bestValidation, history.bestValidationEpoch == epoch { best = model.parameters }
        epoch += 1
        context.log(String(format: "epoch %d: train %.6g, validation %.6g, lr %.3g, %.1f s (steps %.1f s)", epoch,
                           history.train.last!, history.validation.last!, history.learningRate.last!,
                           history.seconds.last!, history.stepSeconds.last!))
        if epoch < epochs {
            let checkpoint = Checkpoint(parameters: model.parameters, optimizer: optimizer, epoch: epoch, metadata: history.metadata,
                                        best: best)
            try context.checkpoint.save { try checkpoint.write(to: $0) }
        }
    }
    if settings.keep == .bestValidation, let best {
        model.parameters = best
        context.log("kept the weights of epoch \((history.bestValidationEpoch ?? epochs - 1) + 1) (lowest validation loss)")
    }
    return history
}
