import CellFree
import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Pipeline

/// `evaluate`: a trained model on test drops (its `layouts` inputs, any K). The model sees the UE
/// positions under position error (`ue_seen`, σ of the layouts); labels and SEs use the true positions.
/// One group `K<K>_<i>` per layouts input, with [n, K] columns `ul_opt`, `ul_pred`, `dl_opt`, `dl_pred`
/// [mW] and `se_ul_opt`, `se_ul_pred`, `se_dl_opt`, `se_dl_pred` [bit/s/Hz], and per drop
/// `latency_ms` (model inference) and `connections`:
/// - Tree-Transformer and its Table II baselines: opt = Optimal CF (closed form, papers.md §3, every
///   AP serves every UE); pred = the model's powers (UL and DL de-normalised by the training labels' `PowerLabelScale`; DL then
///   rescaled to the total budget L·P̄_DL, Tree Eq. (14)).
/// - ClusterPowerNet: the predicted clusters (`clusters` [n, K, L], 1 = AP serves UE); opt = Optimal
///   UC-CF (closed-form powers for them, DL per-AP budgets); pred = Predicted UC-CF (the model's UL
///   powers, and its DL head (19)–(20) on the final clusters, scaled so the most loaded AP spends
///   exactly P̄_DL); `labels_ms`, the closed form's wall time on those clusters; with `references`, the
///   positions-only closed form and the re-drawn optimum on them (`*_positions`, `se_*_redraw`); with `power_layer`,
///   `*_layer`, the powers of the max-min power layer on the predicted clusters (`maxMinPowerLayer`), and `layer_ms`.
public struct EvaluateStage: StageKind {
    public init() {}
    public let name = "evaluate"
    /// 4: a layouts instance reached twice is evaluated once; static models other than the Tree (Table II baselines).
    public let version = 5
    public let summary = "predicted vs optimal clusters, powers and SEs of a trained model on test drops"
    public var outputs: [OutputSpec] { EvaluationGroup.datasets }
    public struct Parameters: StageParameterSet {
        @ParameterGroup var labels = LabelMethodParameters()
        @Parameter("model", "the train input's model (empty: any); set (or swept alongside the train stage's sweep) to pair each model with its evaluation")
        var model = OptionalChoice<ModelVariant>.any
        /// `replica` pairs each evaluation with the train replica of the same number (`sweep: {seeds: N}` on both).
        @ParameterGroup var random = SeedAndReplica()
        @ParameterGroup var references = EvaluationReferences()
        @Parameter("power_layer", "a clustering model: also the powers of the max-min power layer on its clusters (ours: the closed form on MR statistics of the path loss at the seen positions; *_layer, layer_ms)")
        var powerLayer = false
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let trained = try context.input(ofKind: "train")
        // A layouts instance reached by two stages (e.g. K = 10, L = 16 of both Tree test sweeps) is evaluated once.
        var seen = Set<String>()
        let layouts = context.inputs(ofKind: "layouts").filter { seen.insert($0.key).inserted }
        guard !layouts.isEmpty else { throw PipelineError.stage(id: context.id, detail: "needs layouts inputs (test drops)") }
        let p = try context.parameters(Parameters.self)
        let method = p.labels.labelMethod
        let file = try trained.open()
        let archive = try ModelArchive.read(from: file, file: trained.path)
        let modelName = try file.stringAttribute("model")
        try file.close()
        if case .some(let expected) = p.model, expected.rawValue != modelName {
            throw PipelineError.stage(id: context.id, detail: "parameter model is '\(expected.rawValue)' but the train input holds '\(modelName)'")
        }
        guard let side = archive.normalisers[ModelNormaliser.positionScale] else {
            throw PipelineError.stage(id: context.id, detail: "\(trained.path): the model archive has no \(ModelNormaliser.positionScale)")
        }
        let model = restoreModel(from: archive)
        /// A static model's label normalisation (a ClusterPowerNet has none).
        func labelScale() throws -> PowerLabelScale { try PowerLabelScale(normalisers: archive.normalisers, file: trained.path) }
        let total = try layouts.reduce(0) { n, l in let f = try l.open(); defer { try? f.close() }; return n + (try f.dataset("ue").shape[0]) }
        var done = 0
        let tick = { done += 1; context.progress(done, of: total) }
        for (g, input) in layouts.enumerated() {
            let drops = try ClusterDrops(input, side: side)
            let result: EvaluationGroup
            switch model {
            case .clusterNet(let net):
                guard net.config.L == drops.L else {
                    throw PipelineError.stage(id: context.id, detail: "the model was trained for L = \(net.config.L) APs, the test drops have L = \(drops.L)")
                }
                result = try evaluateClusterNet(net, drops: drops, method: method, streamSeed: context.streamSeed,
                                           references: p.references.enabled, powerLayer: p.powerLayer, tick: tick)
            case .tree(let tree):
                result = try evaluateStatic(tree, drops: drops, scale: try labelScale(), method: method, streamSeed: context.streamSeed, tick: tick)
            case .tokenNet(let net):
                guard net.config.L == drops.L else {
                    throw PipelineError.stage(id: context.id, detail: "the model was trained for L = \(net.config.L) APs, the test drops have L = \(drops.L)")
                }
                result = try evaluateStatic(net, drops: drops, scale: try labelScale(), method: method, streamSeed: context.streamSeed, tick: tick)
            }
            let sigma = try positionError(of: input)
            let out = try context.output.createGroup(evaluationGroupName(K: drops.K, sigma: sigma, in: context.output))
            try out.setAttribute("sigma_m", scalar: sigma)
            try result.write(to: out)
        }
        try context.output.setAttribute("model", modelName)
        try writeLabelProvenance(context.output, method: method, pilots: .orthogonal)
    }
}
