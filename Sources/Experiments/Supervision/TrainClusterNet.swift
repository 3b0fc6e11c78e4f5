import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Pipeline

/// Fits a fresh ClusterPowerNet with `attention` to the drops of `layouts` by dynamic supervision.
/// With `penalty: refined-target` or `positions-refined-target` the clustering targets come from `targets` (`baselines` inputs).
func trainClusterNet(_ context: StageContext, attention: AttentionKind, layouts: [StageInput], targets: [StageInput] = [], fit settings: FitParameters,
                     net: ClusterNetParameters, distanceFeatures: Bool = false) throws -> (model: ClusterPowerNet<Float>, history: FitHistory) {
    let scheme = net.penalty.targetScheme
    if let scheme, targets.isEmpty {
        throw PipelineError.stage(id: context.id, detail: "penalty \(net.penalty.rawValue) needs baselines inputs with scheme \(scheme) on the training layouts")
    }
    let set = try ClusterTrainingSet(layouts, targets: scheme.map { (targets, $0.rawValue) }, side: settings.side,
                                     validationFraction: settings.validationFraction, id: context.id)
    guard Set(set.training.map(\.L)).count == 1 else { throw PipelineError.stage(id: context.id, detail: "all training layouts must have the same L") }
    var config = clusterNetConfig(attention: attention, L: set.training[0].L, net: net)
    if settings.dFF > 0 { config.dFF = settings.dFF }
    config.distanceFeatures = distanceFeatures
    var rng = RandomStream(seed: context.streamSeed, name: "train-init")
    var model = ClusterPowerNet<Float>(config: config, using: &rng)
    let batchSize = settings.batch, supervision = ClusterSupervision(net, side: settings.side, streamSeed: context.streamSeed)
    let history = try fit(&model, context, settings: settings,
                          plan: { set.batches(size: batchSize, using: &$0) },
                          batch: { ref, m in
                              try supervisedBatch(m, drops: set.training[ref.group], indices: ref.indices, supervision: supervision,
                                                  noiseKey: ref.noiseKey)
                          },
                          validationLoss: { try set.validationLoss($0, supervision: supervision) })
    return (model, history)
}
