import Learning
import Linalg
import Pipeline

/// `ablate`: the attention feature-map ablation of the linear-attention paper (Fig. 4). Trains a
/// cosFormer ClusterPowerNet with feature map φ (dynamic supervision, as `train`) on its training
/// `layouts` inputs, then evaluates it on the layouts of the input stage named by `test` (as
/// `evaluate`, σ of those layouts). φ = `elu` is ELU-CosFormer's elu + 1 (models.md §8.1: the
/// positive kernel); the others are the plain activations, so a kernel may be negative and the
/// normaliser is kept off zero only by its ε.
public struct AblateStage: StageKind {
    public init() {}
    public let name = "ablate"
    /// 2: the batches of different K interleave in shuffled order (`TrainingSplit`).
    public let version = 3
    public let summary = "train and test a cosFormer ClusterPowerNet with one attention feature map"
    public var outputs: [OutputSpec] { FitHistory.datasets + EvaluationGroup.datasets }
    /// Feature maps φ: `elu` is ELU-CosFormer's elu + 1, the others the plain activations.
    enum FeatureMap: String, CaseIterable, ParameterValue, Decodable {
        case elu, relu, leakyRelu = "leaky_relu", gelu, silu, softplus, sigmoid, tanh

        var activation: Activation? { self == .elu ? .eluPlusOne : Activation(rawValue: rawValue) }
    }

    public struct Parameters: StageParameterSet {
        @Parameter("phi", "attention feature map φ") var phi = FeatureMap.elu
        @Parameter("test", "the input stage whose layouts are the test drops") var test = "test-layouts"
        @ParameterGroup var fit = FitParameters(epochs: 10, batch: 32)
        @ParameterGroup var net = ClusterNetParameters()
        @ParameterGroup var labels = LabelMethodParameters()
        @ParameterGroup var random = SeedAndReplica()
        @ParameterGroup var references = EvaluationReferences()
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let phi = p.phi.rawValue, testStage = p.test
        guard let map = p.phi.activation else {
            throw PipelineError.stage(id: context.id, detail: "unknown feature map '\(phi)'")
        }
        guard let test = context.inputs[testStage], !test.isEmpty else {
            throw PipelineError.stage(id: context.id, detail: "no input stage '\(testStage)' (parameter test) among \(context.inputs.keys.sorted())")
        }
        let training = context.inputs(ofKind: "layouts").filter { input in !test.contains { $0.key == input.key } }
        let (model, history) = try trainClusterNet(context, attention: .cosFormer(map), layouts: training, fit: p.fit, net: p.net)
        let out = context.output
        try out.setAttribute("model", "cosformer_\(phi)")
        try out.setAttribute("phi", phi)
        try history.write(to: out)
        let method = p.labels.labelMethod, side = p.fit.side
        let total = test.count
        for (g, input) in test.enumerated() {
            let drops = try ClusterDrops(input, side: side)
            let result = try evaluateClusterNet(model, drops: drops, method: method, streamSeed: context.streamSeed,
                                           references: p.references.enabled, tick: {})
            let sigma = try positionError(of: input)
            let group = try out.createGroup(evaluationGroupName(K: drops.K, sigma: sigma, in: out))
            try group.setAttribute("sigma_m", scalar: sigma)
            try result.write(to: group)
            context.progress(g + 1, of: total)
        }
    }
}
