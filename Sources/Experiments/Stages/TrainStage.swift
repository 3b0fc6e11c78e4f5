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
///   `baselines` of one or more K (batches of one K, as the Tree code). Label normalisation (papers.md
///   §4.2c): the text's global min-max, not the code's per-K ranges, which do not exist at the test K
///   the model never saw (`PowerLabelScale`; `labels: log` applies it to log10 of the powers).
///   Positions over the area side (the code's per-slot min-max over samples is the same map up to the
///   position errors' excursions). The Table II baselines
///   (`token_transformer`, `token_cosformer`, `token_performer`, papers.md §4.6) train the same way.
/// - `model:` a ClusterPowerNet variant (models.md §2) with dynamic supervision (linear-attention
///   paper, Algorithm 1): inputs `layouts` (and, with `penalty: refined-target` or
///   `positions-refined-target`, `baselines` holding those clusters of the same drops); each batch's labels are the closed-form powers for
///   the clusters the model itself predicts for it, recomputed at every step; loss (30).
public struct TrainStage: StageKind {
    public init() {}
    public let name = "train"
    /// 3: the model is stored as a `ModelArchive` (config, weights, projections, normalisers), as the golden files;
    /// the learning rate follows `schedule`, the weights kept follow `keep`, and `lr` joins the histories.
    /// 4: the batches of different K interleave in shuffled order (`TrainingSplit`).
    /// 5: the log-distance inputs of `elu_cosformer_distances` wrap around, as the papers' distances do.
    public let version = 5
    public let summary = "train a model (static or dynamic supervision), checkpointing every epoch"
    public struct Parameters: StageParameterSet {
        @Parameter("model", "model to train") var model = ModelVariant.tree
        // The Tree paper's code: cosine annealing to 1e-6, best weights by validation loss.
        @ParameterGroup var fit = FitParameters(epochs: 20, batch: 128, schedule: .cosine, keep: .bestValidation)
        @Parameter("labels", "static models: min-max of the power labels (linear, the Tree paper's (12)) or of their log10 (PowerLabelScale)")
        var labelScale = PowerLabelScale.Kind.linear
        @ParameterGroup var net = ClusterNetParameters()
        @ParameterGroup var random = SeedAndReplica()
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (batchSize, side) = (p.fit.batch, p.fit.side)
        let modelName = p.model.rawValue
        let out = context.output
        try out.setAttribute("model", modelName)
        if let attention = p.model.attention {
            let (model, history) = try trainClusterNet(context, attention: attention, layouts: context.inputs(ofKind: "layouts"),
                                                       targets: context.inputs(ofKind: "baselines"), fit: p.fit, net: p.net, distanceFeatures: p.model.distanceFeatures)
            try ModelArchive(config: .clusterNet(model.config), parameters: model.parameters, projections: model.omegas,
                             normalisers: [ModelNormaliser.positionScale: side]).write(to: out)
            try history.write(to: out)
            try out.write("n_params", scalar: Int64(model.parameters.count))
            return
        }
        let data = try TrainingData(context, side: side, validationFraction: p.fit.validationFraction, scale: p.labelScale)
        func fitStatic<M: PowerModel>(_ model: inout M) throws -> FitHistory where M.Scalar == Float {
            try fit(&model, context, settings: p.fit,
                    plan: { data.trainingBatches(size: batchSize, using: &$0) }, batch: { b, _ in b },
                    validationLoss: { m in
                        data.validation.isEmpty ? .nan
                            : data.validation.map { Double(m.evaluationLoss($0)) }.reduce(0, +) / Double(data.validation.count)
                    })
        }
        var rng = RandomStream(seed: context.streamSeed, name: "train-init")
        let normalisers = data.scale.normalisers.merging([ModelNormaliser.positionScale: side]) { a, _ in a }
        let archive: ModelArchive, history: FitHistory
        if var config = p.model.tokenConfig {
            // A Table II baseline: its input width fixes L, so every training drop must have the same L.
            guard let L = data.groups.first?.L, data.groups.allSatisfy({ $0.L == L }) else {
                throw PipelineError.stage(id: context.id, detail: "\(modelName) needs training drops of one L, got L = \(Set(data.groups.map(\.L)).sorted())")
            }
            config.L = L
            if p.fit.dFF > 0 { config.dFF = p.fit.dFF }
            var model = TokenPowerNet<Float>(config: config, using: &rng)
            history = try fitStatic(&model)
            archive = ModelArchive(config: .tokenNet(model.config), parameters: model.parameters, projections: model.omegas, normalisers: normalisers)
        } else {
            var config = TreeTransformerConfig()
            if p.fit.dFF > 0 { config.dFF = p.fit.dFF }
            var model = TreeTransformer<Float>(config: config, using: &rng)
            history = try fitStatic(&model)
            archive = ModelArchive(config: .tree(model.config), parameters: model.parameters, normalisers: normalisers)
        }
        try archive.write(to: out)
        try history.write(to: out)
        try out.write("n_params", scalar: Int64(archive.parameters.count))
    }
}
