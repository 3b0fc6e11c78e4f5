import ArgumentParser
import Foundation
import Learning
import Linalg

/// `cellfree bench models`: inference latency and training-step time of the four model families at the
/// paper configuration, against PyTorch 2.13 on this machine (../shared/spec/baselines.md).
struct ModelsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Time inference (B = 1, K = 10…2000) and one training step (B = 128, K = 10, 40) of each model.",
        discussion: """
            Paper configuration: L = 16, d_model 64, 4 heads, 2 layers, d_ff 256, τ_p 10, Performer m = 256;
            Tree: d_enc 32, d_ff 2048. Inference in evaluation mode including the clustering head; training step
            = forward + loss + backward + AdamW with dropout on. Median over --repeats runs after 2 warm-ups [ms];
            ratio = ours / PyTorch (below 1 is faster). Threads = the engine's threads (OpenBLAS runs single-threaded
            inside them).
            """
    )

    @Option(help: "UE counts for inference.") var ues: [Int] = [10, 50, 100, 200, 500, 1000, 2000]
    @Option(name: .customLong("train-ues"), help: "UE counts for the training step.") var trainUEs: [Int] = [10, 40]
    @Option(help: "Thread counts.") var threads: [Int] = [1, 2]
    @Option(help: "Timed runs per figure.") var repeats: Int = 10
    @Flag(help: "Time inference only.") var inferenceOnly = false
    @Option(help: "Models to time (0 ELU-CosFormer, 1 softmax, 2 Performer, 3 Tree).") var models: [Int] = [0, 1, 2, 3]

    static let names = ["ELU-CosFormer", "Transformer (softmax)", "Performer (m=256)", "Tree-Transformer"]
    /// PyTorch medians [ms] from baselines.md: inference [threads][model][K], training [threads][model][K].
    static let torchInference: [Int: [[Double]]] = [
        1: [[1.24, 1.47, 1.75, 2.37, 4.56, 10.52, 18.75], [0.94, 1.18, 1.51, 2.51, 10.09, 78.64, 346.87],
            [1.47, 2.40, 3.22, 5.53, 13.21, 26.16, 52.48], [0.92, 1.00, 1.08, 1.29, 2.02, 1.86, 2.61]],
        2: [[1.25, 1.45, 1.76, 2.26, 3.62, 10.12, 14.47], [0.93, 1.12, 1.36, 1.99, 6.01, 40.36, 190.45],
            [1.28, 1.73, 2.28, 3.33, 6.75, 13.85, 26.26], [0.94, 1.02, 1.07, 1.15, 1.35, 1.53, 2.00]],
    ]
    static let torchKs = [10, 50, 100, 200, 500, 1000, 2000]
    static let torchTraining: [Int: [[Double]]] = [
        1: [[43.4, 139.5], [34.2, 126.7], [109.9, 466.7], [24.7, 36.6]],
        2: [[26.4, 81.0], [19.5, 62.6], [58.2, 255.5], [19.4, 24.3]],
    ]

    func run() throws {
        var rng = RandomStream(seed: 1, name: "bench-models")
        var cluster = [AttentionKind.cosFormer(.eluPlusOne), .softmax, .performer(features: 256)].map { kind -> ClusterPowerNet<Float> in
            var c = ClusterPowerNetConfig()
            c.attention = kind
            return ClusterPowerNet(config: c, using: &rng)
        }
        let tree = TreeTransformer<Float>(config: TreeTransformerConfig(), using: &rng)
        print("Parameters: " + zip(Self.names, cluster.map(\.parameters.count) + [tree.parameters.count])
            .map { "\($0) \($1)" }.joined(separator: ", "))
        BLASThreads.set(1)   // the engine splits its own work (bit-identical results for any thread count)
        for t in threads {
            print("\nInference, one layout (B = 1), L = 16, \(t) thread(s): median ms (ratio to PyTorch)")
            print(pad("Model", 24) + ues.map { pad("K=\($0)", 16) }.joined())
            for (m, name) in Self.names.enumerated() where models.contains(m) {
                var row = pad(name, 24)
                for K in ues {
                    let batch = Self.batch(B: 1, K: K, using: &rng)
                    let ms = median(timings { _ = m < 3 ? cluster[m].evaluationLoss(batch, threads: t) : tree.evaluationLoss(batch, threads: t) }) * 1e3
                    let base = Self.torchKs.firstIndex(of: K).flatMap { Self.torchInference[t]?[m][$0] }
                    row += pad(String(format: "%.2f", ms) + (base.map { String(format: " (%.2f×)", ms / $0) } ?? ""), 16)
                }
                print(row)
            }
            if inferenceOnly { continue }
            print("\nOne training step (B = 128, L = 16), \(t) thread(s): median ms (ratio to PyTorch)")
            print(pad("Model", 24) + trainUEs.map { pad("K=\($0)", 18) }.joined())
            for (m, name) in Self.names.enumerated() where models.contains(m) {
                var row = pad(name, 24)
                for K in trainUEs {
                    let batch = Self.batch(B: 128, K: K, using: &rng)
                    let dropout = DropoutStream(RandomStream(seed: 2, name: "bench-dropout"))
                    var optimizer = AdamW<Float>()
                    var treeCopy = tree
                    let ms = median(timings {
                        if m < 3 { cluster[m].trainingStep(batch, optimizer: &optimizer, dropout: dropout, threads: t) } else {
                            treeCopy.trainingStep(batch, optimizer: &optimizer, dropout: dropout, threads: t)
                        }
                    }) * 1e3
                    let base = [10, 40].firstIndex(of: K).flatMap { Self.torchTraining[t]?[m][$0] }
                    row += pad(String(format: "%.1f", ms) + (base.map { String(format: " (%.2f×)", ms / $0) } ?? ""), 18)
                }
                print(row)
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
