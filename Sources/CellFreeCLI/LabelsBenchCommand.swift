import ArgumentParser
import CellFree
import Foundation
import Linalg

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
            and statistics-only (MR closed forms). Solve: the three closed-form problems on fixed terms, by the
            secular-equation solver and (up to K = 100) by the eigenvalue form, with the growth exponent of
            t ∝ K^a fitted by least squares on log t over K ≥ 20. Medians over --samples layouts [ms].
            """
    )

    @Option(help: "UE counts for the per-sample labels.") var ues: [Int] = [10, 20, 40, 100]
    @Option(name: .customLong("solve-ues"), help: "UE counts for the closed-form solve alone.") var solveUEs: [Int] = [10, 20, 40, 100, 200, 400]
    @Option(help: "Monte Carlo realizations.") var realizations: Int = 100
    @Option(help: "Layouts per K (median).") var samples: Int = 5
    @Option(help: "Threads for the Monte Carlo path.") var threads: Int = 1

    func run() throws {
        BLASThreads.set(1)
        print("Papers' model L = 16, N = 4, local scattering 15°; \(realizations) realizations; \(threads) thread(s); median of \(samples) layouts [ms]")
        let header = ["K", "setup", "MC CF", "MC mask", "stats CF", "stats mask", "UL min SE CF MMSE", "UL min SE CF MR"]
        print(header.map { pad($0, 18) }.joined())
        for K in ues {
            var rows: [[Double]] = []
            for s in 0..<samples { rows.append(try sample(K: K, seed: UInt64(s))) }
            let medians = (0..<rows[0].count).map { i in median(rows.map { $0[i] }) }
            let times = medians.prefix(5).map { String(format: "%.1f", $0 * 1e3) }
            print((["\(K)"] + times + medians.suffix(2).map { String(format: "%.3f", $0) }).map { pad($0, 18) }.joined())
        }

        print("\nClosed-form solve alone (UL + DL total + DL per-AP, CF statistics-only terms) [ms]")
        print(["K", "secular", "eigenvalue form", "speed-up"].map { pad($0, 16) }.joined())
        var points: [(K: Double, t: Double)] = []
        for K in solveUEs {
            let labels = try statisticsLabels(K: K, seed: 0)
            let secular = median(try (0..<samples).map { _ in try seconds { try solveAll(labels, eigen: false) } })
            var row = ["\(K)", String(format: "%.2f", secular * 1e3)]
            if K <= 100 {
                let eigen = median(try (0..<max(1, samples / 2)).map { _ in try seconds { try solveAll(labels, eigen: true) } })
                row += [String(format: "%.2f", eigen * 1e3), String(format: "%.0f×", eigen / secular)]
            } else {
                row += ["–", "–"]
            }
            print(row.map { pad($0, 16) }.joined())
            if K >= 20 { points.append((Double(K), secular)) }
        }
        if points.count >= 2 {
            print(String(format: "fitted growth exponent (K ≥ 20): t ∝ K^%.2f", slope(points)))
        } else {
            print("fitted growth exponent: needs at least two --solve-ues values ≥ 20")
        }
    }

    /// One layout: setup, then labels by both methods for CF and for the mask. Seconds, then two min SEs.
    func sample(K: Int, seed: UInt64) throws -> [Double] {
        let params = NetworkParameters.papers(L: 16, K: K)
        var rng = RandomStream(seed: seed, name: "bench-labels")
        var setup: NetworkSetup?
        let setupTime = try seconds { setup = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng)) }
        let s = setup!
        let beta = s.gainOverNoiseDB.map(dbToLinear)
        let mask = try pilotConstrainedClusters(scores: beta, gainOverNoiseDB: s.gainOverNoiseDB, L: 16, K: K, tau_p: params.tau_p,
                                                threshold: 0)
        var times = [setupTime], minSE: [Double] = []
        for method in [LabelMethod.monteCarlo(realizations: realizations), .statisticsOnly] {
            for (index, D) in [ClusterMatrix.full(L: 16, K: K), mask].enumerated() {
                var labels: PowerLabels?
                times.append(try seconds { labels = try powerLabels(s, clusters: D, method: method, using: &rng, threads: threads) })
                if index == 0 { minSE.append(labels!.minimumUplinkSE) }
            }
        }
        return times + minSE
    }

    func statisticsLabels(K: Int, seed: UInt64) throws -> PowerLabels {
        var params = NetworkParameters.papers(L: 16, K: K)
        params.fading = .iid
        var rng = RandomStream(seed: seed, name: "bench-labels-solve")
        let s = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        return try powerLabels(s, clusters: .full(L: 16, K: K), method: .statisticsOnly, using: &rng)
    }

    /// The UL, DL-total and DL-per-AP problems from the labels' terms (the papers' budgets).
    func solveAll(_ labels: PowerLabels, eigen: Bool) throws {
        let method: MaxMinMethod = eigen ? .perronRoots : .secular
        _ = try uplinkMaxMinClosedForm(labels.uplinkTerms, pMax: 100, method: method)
        _ = try downlinkMaxMinClosedForm(labels.downlinkTerms, budget: .total(3200), method: method)
        _ = try downlinkMaxMinClosedForm(labels.downlinkTerms, budget: .perAP(200), method: method)
    }

    /// Least-squares slope of log t against log K.
    func slope(_ points: [(K: Double, t: Double)]) -> Double {
        let x = points.map { Double.log($0.K) }, y = points.map { Double.log($0.t) }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        let sxy = zip(x, y).reduce(0.0) { $0 + ($1.0 - mx) * ($1.1 - my) }, sxx = x.reduce(0.0) { $0 + ($1 - mx) * ($1 - mx) }
        return sxy / sxx
    }
}
