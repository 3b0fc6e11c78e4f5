import ArgumentParser
import Benchmarks

/// `cellfree bench labels`: the cost of recomputing supervision labels per training sample
/// (dynamic supervision) in the papers' network model, and of the closed-form max-min solve alone.
struct LabelsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Time label computation in the papers' model (L = 16, N = 4) and the closed-form solve vs K.",
        discussion: """
            Per sample: (setup) layout, large-scale fading, R (local scattering 15°); then the labels (UatF terms,
            closed-form UL powers, DL powers for a total and a per-AP budget) for full cooperation (CF) and for the
            pilot-constrained mask (τ_p = 10, scores β), by Monte Carlo (MMSE combiners, --realizations draws)
            and statistics-only (MR closed forms). Each Monte Carlo row is split into the estimates' per-drop
            operators, the estimate draws, the moments (with their flop count and GFLOP/s beside this machine's
            zgemm rate) and the max-min solves, and checked against the targets of 1 thread, 100 realizations.
            --convergence compares the max-min SE of --realizations and 4,000 realizations on 20 drops. Solve: the three closed-form problems on fixed terms, by the
            secular-equation solver and (up to K = 100) by the eigenvalue form, with the growth exponent of
            t ∝ K^a fitted by least squares on log t over K ≥ 20. Medians over --samples layouts [ms].
            """
    )

    @Option(parsing: .upToNextOption, help: "UE counts for the per-sample labels.") var ues: [Int] = [10, 20, 40, 100]
    @Option(name: .customLong("solve-ues"), parsing: .upToNextOption, help: "UE counts for the closed-form solve alone.")
    var solveUEs: [Int] = [10, 20, 40, 100, 200, 400]
    @Option(help: "Monte Carlo realizations.") var realizations: Int = 100
    @Option(help: "Layouts per K (median).") var samples: Int = 5
    @Option(help: "Threads for the Monte Carlo path.") var threads: Int = 1
    @Flag(help: "Instead of timing: max-min SE with --realizations against 4,000 realizations on 20 drops per K (CF and mask).")
    var convergence = false

    func run() throws {
        try LabelsBenchmark(ues: ues, solveUEs: solveUEs, realizations: realizations, samples: samples, threads: threads, convergence: convergence).run(emit: { print($0) })
    }
}
