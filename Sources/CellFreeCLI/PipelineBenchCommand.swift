import ArgumentParser
import Benchmarks

/// `cellfree bench pipeline`: the scheduler's own costs, measured through the real CLI.
struct PipelineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time the pipeline: -j 1 vs -j 2 on CPU-bound toy instances, and a no-op rerun of a large plan.",
        discussion: """
            (1) --instances independent `toy` instances, each --work iterations per sample × 4 samples, run from an
            empty cache with -j 1 and with -j 2 (worker processes); the ratio is wall(-j 2) / wall(-j 1).
            (2) A plan of --plan-size `toy` instances plus one `toy-sum` over all of them, run once, then run again:
            the second run computes nothing; its wall time includes process start, manifest parsing, sweep expansion,
            1,000 SHA-256 keys and a stat of every cache file. Medians over --repeats.
            """
    )

    @Option(help: "CPU-bound instances for the -j comparison.") var instances = 8
    @Option(help: "Work iterations per sample (about 5 ns each in release).") var work = 40_000_000
    @Option(help: "Instances of the no-op rerun plan.") var planSize = 1000
    @Option(help: "Repeats (median).") var repeats = 3

    func run() throws {
        try PipelineBenchmark(instances: instances, work: work, planSize: planSize, repeats: repeats, executable: currentExecutable()).run(emit: { print($0) })
    }
}
