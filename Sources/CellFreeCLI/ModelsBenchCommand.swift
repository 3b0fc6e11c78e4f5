import ArgumentParser
import Benchmarks
import Experiments

/// `cellfree bench models`: inference latency and training-step time of the four model families at the
/// paper configuration, against PyTorch 2.13 on this machine (docs/baselines.md).
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

    @Option(parsing: .upToNextOption, help: "UE counts for inference.") var ues: [Int] = [10, 50, 100, 200, 500, 1000, 2000]
    @Option(name: .customLong("train-ues"), parsing: .upToNextOption, help: "UE counts for the training step.") var trainUEs: [Int] = [10, 40]
    @Option(parsing: .upToNextOption, help: "Thread counts.") var threads: [Int] = [1, 2]
    @Option(help: "Timed runs per figure.") var repeats: Int = 10
    @Flag(help: "Time inference only.") var inferenceOnly = false
    @Option(parsing: .upToNextOption, help: "Models to time (\(ModelVariant.allCases.map(\.rawValue).joined(separator: ", "))).")
    var models: [ModelVariant] = [.eluCosformer, .transformerSoftmax, .performer, .tree]

    func run() throws {
        try ModelsBenchmark(ues: ues, trainUEs: trainUEs, threads: threads, repeats: repeats, inferenceOnly: inferenceOnly, models: models).run(emit: { print($0) })
    }
}

extension ModelVariant: ExpressibleByArgument {}
