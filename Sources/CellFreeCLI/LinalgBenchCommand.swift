import ArgumentParser
import Benchmarks

/// `cellfree bench linalg`: BLAS throughput and Hermitian solve rate on this machine.
struct LinalgBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linalg",
        abstract: "GFLOP/s of sgemm, cgemm, zgemm (N = 64, 512) and 64×64 complex Hermitian solves per second, 1 and 2 threads."
    )

    @Option(help: "Seconds per timed batch; each figure is the best of --repeats batches.")
    var minTime: Double = 0.25

    @Option(help: "Timed batches per figure.")
    var repeats: Int = 5

    @Option(parsing: .upToNextOption, help: "Thread counts to measure.")
    var threads: [Int] = [1, 2]

    func run() throws {
        try LinalgBenchmark(minTime: minTime, repeats: repeats, threads: threads).run(emit: { print($0) })
    }
}
