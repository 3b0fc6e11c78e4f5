import Experiments
import Foundation
import Learning
import Linalg

/// The body of `cellfree bench models`: inference latency and training-step time of the four model families at the
/// paper configuration, against PyTorch 2.13 on this machine (docs/baselines.md).
public struct ModelsBenchmark {
    public var ues: [Int]
    public var trainUEs: [Int]
    public var threads: [Int]
    public var repeats: Int
    public var inferenceOnly: Bool
    public var models: [ModelVariant]

    public init(ues: [Int], trainUEs: [Int], threads: [Int], repeats: Int, inferenceOnly: Bool, models: [ModelVariant]) {
        self.ues = ues
        self.trainUEs = trainUEs
        self.threads = threads
        self.repeats = repeats
        self.inferenceOnly = inferenceOnly
        self.models = models
    }

    /// PyTorch medians [ms] from baselines.md: inference [threads][model] over `torchKs`, training [threads][model] at K = 10, 40.
    static let torchInference: [Int: [ModelVariant: [Double]]] = [
        1: [.eluCosformer: [1.24, 1.47, 1.75, 2.37, 4.56, 10.52, 18.75], .transformerSoftmax: [0.94, 1.18, 1.51, 2.51, 10.09, 78.64, 346.87],
            .performer: [1.47, 2.40, 3.22, 5.53, 13.21, 26.16, 52.48], .tree: [0.92, 1.00, 1.08, 1.29, 2.02, 1.86, 2.61]],
        2: [.eluCosformer: [1.25, 1.45, 1.76, 2.26, 3.62, 10.12, 14.47], .transformerSoftmax: [0.93, 1.12, 1.36, 1.99, 6.01, 40.36, 190.45],
            .performer: [1.28, 1.73, 2.28, 3.33, 6.75, 13.85, 26.26], .tree: [0.94, 1.02, 1.07, 1.15, 1.35, 1.53, 2.00]],
    ]
    static let torchKs = [10, 50, 100, 200, 500, 1000, 2000]
    static let torchTraining: [Int: [ModelVariant: [Double]]] = [
        1: [.eluCosformer: [43.4, 139.5], .transformerSoftmax: [34.2, 126.7], .performer: [109.9, 466.7], .tree: [24.7, 36.6]],
        2: [.eluCosformer: [26.4, 81.0], .transformerSoftmax: [19.5, 62.6], .performer: [58.2, 255.5], .tree: [19.4, 24.3]],
    ]

    public func run(emit: (String) -> Void) throws {
        var rng = RandomStream(seed: 1, name: "bench-models")
        var built: [ModelVariant: TimedModel] = [:]
        for variant in models { built[variant] = TimedModel(variant, using: &rng) }
        emit("Parameters: " + models.map { "\($0.displayName) \(built[$0]!.parameterCount)" }.joined(separator: ", "))
        BLASThreads.set(1)   // the engine splits its own work (bit-identical results for any thread count)
        for t in threads {
            emit("\nInference, one layout (B = 1), L = 16, \(t) thread(s): median ms (ratio to PyTorch)")
            emit(pad("Model", 34) + ues.map { pad("K=\($0)", 16) }.joined())
            for variant in models {
                var row = pad(variant.displayName, 34)
                for K in ues {
                    let batch = Self.batch(B: 1, K: K, using: &rng)
                    let ms = median(timings { built[variant]!.infer(batch, t) }) * 1e3
                    let base = Self.torchKs.firstIndex(of: K).flatMap { Self.torchInference[t]?[variant]?[$0] }
                    row += pad(String(format: "%.2f", ms) + (base.map { String(format: " (%.2f×)", ms / $0) } ?? ""), 16)
                }
                emit(row)
            }
            if inferenceOnly { continue }
            emit("\nOne training step (B = 128, L = 16), \(t) thread(s): median ms (ratio to PyTorch)")
            emit(pad("Model", 34) + trainUEs.map { pad("K=\($0)", 18) }.joined())
            for variant in models {
                var row = pad(variant.displayName, 34)
                for K in trainUEs {
                    let batch = Self.batch(B: 128, K: K, using: &rng)
                    let step = built[variant]!.trainer()
                    let ms = median(timings { step(batch, t) }) * 1e3
                    let base = [10, 40].firstIndex(of: K).flatMap { Self.torchTraining[t]?[variant]?[$0] }
                    row += pad(String(format: "%.1f", ms) + (base.map { String(format: " (%.2f×)", ms / $0) } ?? ""), 18)
                }
                emit(row)
            }
        }
    }

    /// 2 warm-ups, then `repeats` timed runs [s].
    func timings(_ body: () -> Void) -> [Double] {
        body(); body()
        return (0..<repeats).map { _ in seconds(body) }
    }

    /// Random normalised positions with APs on the 4×4 grid, random labels and SEs.
    static func batch(B: Int, K: Int, using rng: inout RandomStream) -> PowerBatch<Float> {
        var grid: [Float] = []
        for l in 0..<16 { grid += [Float(l % 4) / 3, Float(l / 4) / 3] }
        func uniform(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.uniform()) } }
        return PowerBatch(ue: Tensor(shape: [B, K, 2], values: uniform(B * K * 2)),
                          ap: Tensor(shape: [B, 16, 2], values: (0..<B).flatMap { _ in grid }),
                          ul: Tensor(shape: [B, K], values: uniform(B * K)), dl: Tensor(shape: [B, K], values: uniform(B * K)),
                          se: Tensor(shape: [B, K], values: uniform(B * K)))
    }
}

/// A fresh model of one variant behind type-erased calls: evaluation loss (inference) and training
/// steps (each `trainer()` owns a copy of the model and an AdamW state).
struct TimedModel {
    let parameterCount: Int
    let infer: (PowerBatch<Float>, Int) -> Void
    let trainer: () -> (PowerBatch<Float>, Int) -> Void

    init(_ variant: ModelVariant, using rng: inout RandomStream) {
        if let attention = variant.attention {
            var c = ClusterPowerNetConfig()
            c.attention = attention
            self.init(ClusterPowerNet<Float>(config: c, using: &rng))
        } else if let c = variant.tokenConfig {
            self.init(TokenPowerNet<Float>(config: c, using: &rng))
        } else {
            self.init(TreeTransformer<Float>(config: TreeTransformerConfig(), using: &rng))
        }
    }

    init<M: PowerModel>(_ model: M) where M.Scalar == Float {
        parameterCount = model.parameters.count
        infer = { batch, threads in _ = model.evaluationLoss(batch, threads: threads) }
        trainer = {
            var copy = model, optimizer = AdamW<Float>()
            let dropout = DropoutStream(RandomStream(seed: 2, name: "bench-dropout"))
            return { batch, threads in copy.trainingStep(batch, optimizer: &optimizer, dropout: dropout, threads: threads) }
        }
    }
}
