import CellFree
import Linalg
import Testing
import TestSupport

/// Power labels (papers.md §3) for CF, DCC and a pilot-constrained mask, by Monte Carlo and by the
/// closed-form statistics.
struct LabelsTests {
    static func setup(L: Int = 9, K: Int = 8, N: Int = 2, seed: UInt64 = 31) throws -> NetworkSetup {
        var params = NetworkParameters.papers(L: L, K: K)
        params.N = N
        var rng = RandomStream(seed: seed, name: "test-labels")
        return try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
    }

    static func clusterings(_ s: NetworkSetup) throws -> [(String, ClusterMatrix)] {
        let (L, K) = (s.params.L, s.params.K)
        let beta = (0..<(L * K)).map { dbToLinear(s.gainOverNoiseDB[$0]) }
        return [("CF", .full(L: L, K: K)),
                ("DCC", try strongestAPClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: L, K: K, Q: 4)),
                ("mask", try pilotConstrainedClusters(scores: beta, gainOverNoiseDB: s.gainOverNoiseDB, L: L, K: K, tau_p: 3,
                                                      threshold: beta.sorted()[L * K / 2]))]
    }

    static func spread(_ x: [Double]) -> Double { (x.max()! - x.min()!) / x.max()! }

    @Test(arguments: [LabelMethod.monteCarlo(realizations: 60), .statisticsOnly])
    func labelsMeetTheirConstraintsWithEqualSE(method: LabelMethod) throws {
        let s = try Self.setup()
        for (name, D) in try Self.clusterings(s) {
            var rng = RandomStream(seed: 9, name: "labels")
            let labels = try powerLabels(s, clusters: D, method: method, using: &rng)
            #expect(isClose(labels.uplinkPowers.max()!, 100, relative: 1e-12), "\(name)")
            let total: Double = labels.downlinkPowersTotal.reduce(0, +)
            #expect(isClose(total, 1800, relative: 1e-11), "\(name)")
            #expect(isClose(labels.downlinkTerms.apPowers(labels.downlinkPowersPerAP).max()!, 200, relative: 1e-11), "\(name)")
            for powers in [labels.uplinkPowers, labels.downlinkPowersTotal, labels.downlinkPowersPerAP] {
                #expect(powers.allSatisfy { $0 > 0 })
            }
            #expect(Self.spread(labels.optimalUplinkSE) < 1e-10 && Self.spread(labels.optimalDownlinkSEPerAP) < 1e-10, "\(name)")
            #expect(Self.spread(labels.optimalDownlinkSETotal) < 1e-10)
            #expect(labels.minimumDownlinkSETotal >= labels.minimumDownlinkSEPerAP * (1 - 1e-12))
            // Per-AP split sums back to ρ_k and is zero where AP l does not serve UE k.
            let split = labels.downlinkPerAPSplit
            for k in 0..<8 {
                let sum: Double = (0..<9).reduce(0) { $0 + split[$1 + 9 * k] }
                #expect(isClose(sum, labels.downlinkPowersPerAP[k], relative: 1e-12))
                for l in 0..<9 where !D[l, k] { #expect(split[l + 9 * k] == 0) }
            }
            // Any feasible deviation from the optimum lowers the worst UE: equal power p̄ for everyone.
            #expect(labels.uplinkSE([Double](repeating: 100, count: 8)).min()! <= labels.minimumUplinkSE * (1 + 1e-12))
        }
    }

    /// The statistics-only path is the exact expectation of the Monte Carlo path with MR combining: with
    /// 4,000 realizations b_k is within 3 % (6 % allowed) and the max-min SEs within 1.5 % (2 % allowed);
    /// at 30,000 realizations these shrink to 1.4 % and 0.1 %.
    @Test func statisticsOnlyMatchesMonteCarloMR() throws {
        let s = try Self.setup(L: 4, K: 5, seed: 32)
        for (name, D) in try Self.clusterings(s) {
            var rng = RandomStream(seed: 10, name: "labels")
            let exact = try powerLabels(s, clusters: D, method: .statisticsOnly, using: &rng)
            let sampled = try powerLabels(s, clusters: D, method: .monteCarlo(realizations: 4000, combiner: .mr), using: &rng)
            for (a, b) in [(exact.uplinkTerms.b, sampled.uplinkTerms.b), (exact.uplinkTerms.sigma2, sampled.uplinkTerms.sigma2)] {
                for k in 0..<5 { #expect(isClose(a[k], b[k], absolute: 0.06 * a[k]), "\(name) UE \(k): \(a[k]) vs \(b[k])") }
            }
            #expect(isClose(exact.minimumUplinkSE, sampled.minimumUplinkSE, absolute: 0.02 * exact.minimumUplinkSE), "\(name)")
            #expect(isClose(exact.minimumDownlinkSEPerAP, sampled.minimumDownlinkSEPerAP, absolute: 0.02 * exact.minimumDownlinkSEPerAP), "\(name)")
        }
    }

    @Test func monteCarloLabelsAreReproducibleAndUnservedUEsAreRejected() throws {
        let s = try Self.setup()
        var a = RandomStream(seed: 4, name: "labels"), b = RandomStream(seed: 4, name: "labels")
        let first = try powerLabels(s, clusters: .full(L: 9, K: 8), method: .monteCarlo(realizations: 20), using: &a)
        let second = try powerLabels(s, clusters: .full(L: 9, K: 8), method: .monteCarlo(realizations: 20), using: &b, threads: 2)
        #expect(first.uplinkPowers == second.uplinkPowers && first.downlinkPowersPerAP == second.downlinkPowersPerAP)
        var D = ClusterMatrix.full(L: 9, K: 8)
        for l in 0..<9 { D[l, 3] = false }
        #expect(throws: CellFreeError.self) { try powerLabels(s, clusters: D, method: .statisticsOnly, using: &a) }
    }
}

/// Monte Carlo convergence of the MMSE labels (estimates drawn alone, moments conditioned on them).
struct LabelConvergenceTests {
    /// 100 realizations against 4,000 on 20 drops (L = 4, N = 2, K = 4; CF and DCC): the mean over the
    /// drops of the max-min UL and DL SEs (what the figures plot) differs by < 2 %. Single drops scatter
    /// more with only LN = 8 antennas (measured: up to 10 %; bounded here at 15 %); at the papers' LN = 64
    /// see `cellfree bench labels --convergence`.
    @Test func hundredRealizationsAreWithinTwoPercentOfFourThousand() throws {
        var few = [Double](repeating: 0, count: 4), many = few, worst = 0.0
        for drop in 0..<20 {
            let s = try LabelsTests.setup(L: 4, K: 4, N: 2, seed: UInt64(100 + drop))
            let dcc = try strongestAPClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: 4, K: 4, Q: 2)
            for (c, D) in [ClusterMatrix.full(L: 4, K: 4), dcc].enumerated() {
                var a = RandomStream(seed: UInt64(drop), name: "convergence"), b = a.derived("reference")
                let x = try powerLabels(s, clusters: D, method: .monteCarlo(realizations: 100), using: &a)
                let y = try powerLabels(s, clusters: D, method: .monteCarlo(realizations: 4000), using: &b)
                for (j, (u, v)) in [(x.minimumUplinkSE, y.minimumUplinkSE), (x.minimumDownlinkSEPerAP, y.minimumDownlinkSEPerAP)].enumerated() {
                    few[2 * c + j] += u / 20; many[2 * c + j] += v / 20
                    worst = max(worst, abs(u - v) / v)
                }
            }
        }
        for j in 0..<4 { #expect(isClose(few[j], many[j], relative: 0.02), "series \(j): \(few[j]) vs \(many[j])") }
        #expect(worst < 0.15, "worst single drop \(worst)")
    }
}
