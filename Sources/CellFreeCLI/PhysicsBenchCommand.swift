import ArgumentParser
import Benchmarks

/// `cellfree bench physics`: one setup at the book's default scale, step by step as in
/// docs/baselines.md (vectorized NumPy figures for the same steps on this machine).
struct PhysicsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "physics",
        abstract: "Time the simulator at L = 100, N = 4, τ_p = 10, 200 realizations, ASD 15°, book DCC (K = 40 and 100).",
        discussion: """
            Steps: (a) geometry, shadowing, R, pilots, DCC; (b) channel realizations + MMSE estimates;
            (c) UL centralized P-MMSE and MMSE combiners with the instantaneous-SINR SE; (d) UatF terms (P-MMSE)
            + max-min power (Alg. 7.1); (e) DL P-MMSE precoding with the (7.43) allocation, hardening-bound SE.
            The P-MMSE combiners of (c) are shared by (d) and (e), as in NumPy's "solved once" row, and a UE
            whose P_k is every UE reuses its MMSE combiner (the two systems are then identical).
            With t threads, BLAS runs single-threaded; R (per UE), the channels and estimates, the combiners and
            their statistics (per realization) are spread over t threads.
            Each figure is the median of --repeats runs (seconds).
            """
    )

    @Option(parsing: .upToNextOption, help: "UE counts.") var ues: [Int] = [40, 100]
    @Option(parsing: .upToNextOption, help: "Thread counts.") var threads: [Int] = [1, 2]
    @Option(help: "Channel realizations.") var realizations: Int = 200
    @Option(help: "Runs per figure (median).") var repeats: Int = 3

    func run() throws {
        try PhysicsBenchmark(ues: ues, threads: threads, realizations: realizations, repeats: repeats).run(emit: { print($0) })
    }
}
