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
