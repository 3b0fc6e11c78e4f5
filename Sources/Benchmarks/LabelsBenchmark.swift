import CellFree
import Foundation
import Linalg

/// The body of `cellfree bench labels`: the cost of recomputing supervision labels per training sample
/// (dynamic supervision) in the papers' network model, and of the closed-form max-min solve alone.
public struct LabelsBenchmark {
    public var ues: [Int]
    public var solveUEs: [Int]
    public var realizations: Int
    public var samples: Int
    public var threads: Int
    public var convergence: Bool

    public init(ues: [Int], solveUEs: [Int], realizations: Int, samples: Int, threads: Int, convergence: Bool) {
        self.ues = ues
        self.solveUEs = solveUEs
        self.realizations = realizations
        self.samples = samples
        self.threads = threads
        self.convergence = convergence
    }

    /// Issue targets for a Monte Carlo MMSE label at 1 thread, 100 realizations [ms]: K → (CF, mask).
    static let targets: [Int: (cf: Double, mask: Double)] = [10: (4, 4), 40: (25, 30), 100: (150, 60)]

    public func run(emit: (String) -> Void) throws {
        BLASThreads.set(1)
        if convergence { return try convergenceTable(emit: emit) }
        emit("Papers' model L = 16, N = 4, local scattering 15°; \(realizations) realizations; \(threads) thread(s); median of \(samples) layouts")
        emit("Monte Carlo MMSE labels [ms]: total = estimates (per-drop operators A, B, C, then the draws of ĥ) + moments (grouped whitened MMSE,")
        emit("conditioned on ĥ) + closed-form max-min (UL, DL total, DL per-AP); 'operators' is the estimates' per-drop part (one realization).")
        emit("GFLOP: floating-point work of the moments step (mmseCombinerMomentsFlops); zgemm: this machine's zgemm on K×LN·LN×K, 1 thread.")
        let header = ["K", "clusters", "total", "operators", "estimates", "moments", "max-min", "GFLOP", "GFLOP/s", "zgemm GFLOP/s", "target", "",
                      "MR stats", "UL min SE MMSE", "UL min SE MR"]
        emit(header.map { pad($0, 11) }.joined())
        for K in ues {
            var rows: [[[Double]]] = []
            for s in 0..<samples { rows.append(try sample(K: K, seed: UInt64(s))) }
            let zgemm = gemmRate(K: K, LN: 64)
            for (index, name) in ["CF", "mask"].enumerated() {
                let m = (0..<rows[0][index].count).map { i in median(rows.map { $0[index][i] }) }
                let target = index == 0 ? Self.targets[K]?.cf : Self.targets[K]?.mask
                var row = ["\(K)", name] + m.prefix(5).map { String(format: "%.1f", $0 * 1e3) }
                row += [String(format: "%.3f", m[5] / 1e9), String(format: "%.1f", m[5] / m[3] / 1e9), String(format: "%.1f", zgemm)]
                row += target.map { [String(format: "≤ %.0f", $0), m[0] * 1e3 <= $0 ? "ok" : "MISSED"] } ?? ["–", ""]
                row += [String(format: "%.1f", m[6] * 1e3), String(format: "%.3f", m[7]), String(format: "%.3f", m[8])]
                emit(row.map { pad($0, 11) }.joined())
            }
        }

        emit("\nClosed-form solve alone (UL + DL total + DL per-AP, CF statistics-only terms) [ms]")
        emit(["K", "secular", "eigenvalue form", "speed-up"].map { pad($0, 16) }.joined())
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
            emit(row.map { pad($0, 16) }.joined())
            if K >= 20 { points.append((Double(K), secular)) }
        }
        if points.count >= 2 {
            emit(String(format: "fitted growth exponent (K ≥ 20): t ∝ K^%.2f", slope(points)))
        } else {
            emit("fitted growth exponent: needs at least two --solve-ues values ≥ 20")
        }
    }

    /// One layout; per cluster matrix (CF, pilot-constrained mask): seconds of the whole Monte Carlo MMSE
    /// label, of draws + estimates, of the moments, of the max-min solves; the moments' flops; seconds of
    /// the MR statistics-only label; UL min SE by MMSE and by MR.
    func sample(K: Int, seed: UInt64) throws -> [[Double]] {
        let params = NetworkParameters.papers(L: 16, K: K)
        var rng = RandomStream(seed: seed, name: "bench-labels")
        let s = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        let beta = s.gainOverNoiseDB.map(dbToLinear)
        let mask = try pilotConstrainedClusters(scores: beta, gainOverNoiseDB: s.gainOverNoiseDB, L: 16, K: K, tau_p: params.tau_p,
                                                threshold: 0)
        let full = [Double](repeating: params.p, count: K)
        return try [ClusterMatrix.full(L: 16, K: K), mask].map { D in
            var labels: PowerLabels?, mr: PowerLabels?
            let total = try seconds {
                labels = try powerLabels(s, clusters: D, method: .monteCarlo(realizations: realizations), using: &rng, threads: threads)
            }
            // The same steps one by one (fresh draws; the split of the total): the per-drop estimation
            // operators, the estimate draws, the conditional moments.
            var e: EstimateSamples?, moments: CombinerMoments?
            let operators = try seconds { _ = try drawEstimates(R: s.R, pilots: s.pilots, p: params.p, realizations: 1, using: &rng) }
            let estimation = try seconds {
                e = try drawEstimates(R: s.R, pilots: s.pilots, p: params.p, realizations: realizations, using: &rng, threads: threads)
            }
            let momentTime = try seconds {
                moments = try mmseCombinerMoments(estimates: e!.Hhat, errors: e!.C, clusters: D, powers: full, threads: threads)
            }
            let uplink = uatfTerms(moments!), downlink = downlinkTerms(dualOf: uplink, scaling: moments!.scaling, L: 16)
            let solve = try seconds {
                _ = try uplinkMaxMinClosedForm(uplink, pMax: params.p)
                _ = try downlinkMaxMinClosedForm(downlink, budget: .total(16 * params.rho_tot))
                _ = try downlinkMaxMinClosedForm(downlink, budget: .perAP(params.rho_tot))
            }
            let statistics = try seconds { mr = try powerLabels(s, clusters: D, method: .statisticsOnly, using: &rng, threads: threads) }
            let flops = mmseCombinerMomentsFlops(clusters: D, N: params.N, realizations: realizations)
            return [total, operators, estimation, momentTime, solve, flops, statistics, labels!.minimumUplinkSE, mr!.minimumUplinkSE]
        }
    }

    /// Max-min UL and DL (per-AP) SE with `realizations` against 4,000 realizations on 20 drops: the mean
    /// over drops of each, their relative difference, and the largest single-drop difference.
    func convergenceTable(emit: (String) -> Void) throws {
        emit("MMSE labels, papers' model L = 16, N = 4: \(realizations) vs 4,000 realizations on 20 drops per K (other seeds)")
        emit(["K", "clusters", "UL few", "UL 4000", "diff", "DL few", "DL 4000", "diff", "worst drop"].map { pad($0, 11) }.joined())
        for K in ues {
            var sums = [[Double]](repeating: [0, 0, 0, 0], count: 2), worst = [0.0, 0.0]
            for drop in 0..<20 {
                let params = NetworkParameters.papers(L: 16, K: K)
                var rng = RandomStream(seed: UInt64(1000 + drop), name: "bench-labels-convergence")
                let s = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
                let mask = try pilotConstrainedClusters(scores: s.gainOverNoiseDB.map(dbToLinear), gainOverNoiseDB: s.gainOverNoiseDB,
                                                        L: 16, K: K, tau_p: params.tau_p, threshold: 0)
                for (c, D) in [ClusterMatrix.full(L: 16, K: K), mask].enumerated() {
                    var a = rng.derived("few"), b = rng.derived("many")
                    let x = try powerLabels(s, clusters: D, method: .monteCarlo(realizations: realizations), using: &a)
                    let y = try powerLabels(s, clusters: D, method: .monteCarlo(realizations: 4000), using: &b)
                    let values = [x.minimumUplinkSE, y.minimumUplinkSE, x.minimumDownlinkSEPerAP, y.minimumDownlinkSEPerAP]
                    for j in 0..<4 { sums[c][j] += values[j] / 20 }
                    worst[c] = max(worst[c], abs(values[0] - values[1]) / values[1], abs(values[2] - values[3]) / values[3])
                }
            }
            for (c, name) in ["CF", "mask"].enumerated() {
                let m = sums[c], f = { (v: Double) in String(format: "%.3f", v) }, pct = { (v: Double) in String(format: "%.2f %%", 100 * v) }
                emit(["\(K)", name, f(m[0]), f(m[1]), pct(abs(m[0] - m[1]) / m[1]), f(m[2]), f(m[3]), pct(abs(m[2] - m[3]) / m[3]),
                       pct(worst[c])].map { pad($0, 11) }.joined())
            }
        }
    }

    /// zgemm GFLOP/s on (K×LN)·(LN×K), the gains product of one CF realization, best of 5 batches.
    func gemmRate(K: Int, LN: Int) -> Double {
        var rng = RandomStream(seed: 5, name: "bench-labels-gemm")
        let a = Matrix<Complex<Double>>.randomNormal(rows: LN, columns: K, using: &rng)
        let b = Matrix<Complex<Double>>.randomNormal(rows: LN, columns: K, using: &rng)
        var c = Matrix<Complex<Double>>(rows: K, columns: K)
        let calls = max(10, 2_000_000 / (K * K * LN))
        let best = (0..<5).map { _ in seconds { for _ in 0..<calls { c.multiplyAdd(a, .adjoint, b, .none) } } / Double(calls) }.min()!
        return 8 * Double(K * K * LN) / best / 1e9
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
