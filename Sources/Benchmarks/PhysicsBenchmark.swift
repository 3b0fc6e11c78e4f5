import CellFree
import Foundation
import Linalg

/// The body of `cellfree bench physics`: one setup at the book's default scale, step by step as in
/// docs/baselines.md (vectorized NumPy figures for the same steps on this machine).
public struct PhysicsBenchmark {
    public var ues: [Int]
    public var threads: [Int]
    public var realizations: Int
    public var repeats: Int

    public init(ues: [Int], threads: [Int], realizations: Int, repeats: Int) {
        self.ues = ues
        self.threads = threads
        self.realizations = realizations
        self.repeats = repeats
    }

    /// NumPy 2.4 seconds from baselines.md: [K][threads] → (a, b, c, d, e, total, fused c+d+e).
    static let numpy: [Int: [Int: [Double]]] = [
        40: [1: [0.24, 0.50, 6.24, 3.25, 3.42, 13.9, 6.61], 2: [0.20, 0.50, 5.46, 2.83, 2.83, 11.8, 5.55]],
        100: [1: [0.62, 1.67, 3.83, 2.48, 2.40, 10.5, 4.48], 2: [0.55, 1.54, 3.77, 2.26, 2.28, 10.3, 4.30]],
    ]

    public func run(emit: (String) -> Void) throws {
        emit("OpenBLAS: \(BLASThreads.configuration); \(realizations) realizations; median of \(repeats) runs [s]")
        let header = ["K", "threads", "(a) setup", "(b) estimates", "(c) UL SE", "(d) UatF+maxmin", "(e) DL SE", "total",
                      "NumPy total", "ratio", "c+d+e", "NumPy fused", "ratio"]
        emit(header.map { pad($0, 13) }.joined())
        for K in ues {
            for t in threads {
                BLASThreads.set(1)
                var runs: [[Double]] = []
                for r in 0..<repeats { runs.append(try once(K: K, seed: UInt64(r), threads: t)) }
                let steps = (0..<5).map { i in median(runs.map { $0[i] }) }
                let total = steps.reduce(0, +), fused = steps[2] + steps[3] + steps[4]
                var row = ["\(K)", "\(t)"] + steps.map { String(format: "%.3f", $0) } + [String(format: "%.3f", total)]
                if let base = Self.numpy[K]?[t] {
                    row += [String(format: "%.2f", base[5]), String(format: "%.1f×", base[5] / total),
                            String(format: "%.3f", fused), String(format: "%.2f", base[6]), String(format: "%.1f×", base[6] / fused)]
                } else {
                    row += ["–", "–", String(format: "%.3f", fused), "–", "–"]
                }
                emit(row.map { pad($0, 13) }.joined())
            }
        }
    }

    /// One setup, timing steps (a)–(e).
    func once(K: Int, seed: UInt64, threads: Int) throws -> [Double] {
        var params = NetworkParameters(L: 100, N: 4, K: K, tau_p: 10)
        params.fading = .localScattering(azimuthASD: 15 * .pi / 180, elevationASD: 15 * .pi / 180)
        var rng = RandomStream(seed: seed, name: "bench-physics")
        var times: [Double] = []
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            var value: T?
            times.append(try seconds { value = try body() })
            return value!
        }
        let setup = try timed { try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng), threads: threads) }
        let D = setup.dcc, full = [Double](repeating: params.p, count: K), prelog = params.preLogFactor
        let e = try timed {
            try channelEstimates(R: setup.R, pilots: setup.pilots, p: params.p,
                                 draws: ChannelDraws.draw(params, realizations: realizations, using: &rng), threads: threads)
        }
        let pmmse = try timed { () -> CentralizedStatistics in
            try mmseAndPartialMMSEStatistics(estimates: e, clusters: D, powers: full, p: params.p, preLogFactor: prelog,
                                             threads: threads).pMMSE
        }
        let maxmin = timed { uplinkMaxMin(uatfTerms(pmmse), pMax: params.p) }
        let dl = timed { () -> [Double] in
            let terms = downlinkTerms(pmmse)
            let rho = centralizedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: params.rho_tot,
                                                 portion: terms.portion, upsilon: -0.5, kappa: 0.5)
            return spectralEfficiency(sinr: terms.sinr(rho), preLogFactor: prelog)
        }
        precondition(maxmin.sinr.allSatisfy(\.isFinite) && dl.allSatisfy(\.isFinite), "non-finite SINR in the benchmark")
        return times
    }

}
