import CellFree
import Linalg
import Testing
import TestSupport

@Suite struct ClosedFormTests {
    /// Corollary 5.6: the MR closed forms equal the Monte Carlo means of v_klᴴh_il, |v_klᴴh_il|² and ‖v_kl‖²
    /// with v_kl = ĥ_kl. With 4000 realizations the sampling error is ≈ 1/√4000 ≈ 1.6 % of each quantity's
    /// spread; we allow 8 % of the largest value of each kind (5 standard errors).
    @Test func mrClosedFormMatchesMonteCarlo() throws {
        let setup = try smallSetup(L: 4, N: 2, K: 4, tau_p: 2)
        let e = try smallEstimates(setup, realizations: 4000)
        let D = ClusterMatrix.full(L: 4, K: 4)
        let exact = try mrClosedFormStatistics(R: setup.R, B: e.B, pilots: setup.pilots, clusters: D)
        let sampled = try distributedStatistics(.mr, estimates: e, clusters: D, powers: [Double](repeating: 100, count: 4))
        func check(_ a: [Double], _ b: [Double], _ what: String, scale given: Double? = nil) {
            let scale = given ?? b.map(abs).max()!
            #expect(zip(a, b).map { abs($0 - $1) }.max()! <= 0.08 * scale, "\(what)")
        }
        check(sampled.scaling, exact.scaling, "E‖v‖²")
        check(sampled.meanSquare, exact.meanSquare, "E|vᴴh|²")
        check(sampled.mean.map(\.real), exact.mean.map(\.real), "Re E[vᴴh]")
        check(sampled.mean.map(\.imaginary), exact.mean.map(\.imaginary), "Im E[vᴴh]",
              scale: exact.mean.map { abs($0.real) }.max()!)
        // Non-co-pilot UEs have zero mean exactly.
        for k in 0..<4 { for i in 0..<4 where setup.pilots.pilotIndex[i] != setup.pilots.pilotIndex[k] {
            #expect(exact.mean[k + 4 * (i + 4 * 0)] == .zero)
        } }
    }

    /// Every centralized combiner equals the dense formula v_k = p·(p·Σ_{i∈S}ĥ_iĥ_iᴴ + p·Σ_{i∈S}C_i + I)⁻¹ĥ_k on
    /// the serving rows, whichever of the direct and Woodbury systems the code picks.
    @Test(arguments: [CentralizedScheme.mmse, .pMMSE, .pRZF])
    func combinersEqualTheDenseFormula(_ scheme: CentralizedScheme) throws {
        let setup = try smallSetup(L: 9, N: 2, K: 6, tau_p: 3)
        let e = try smallEstimates(setup, realizations: 3)
        let D = setup.dcc, p = 100.0, N = 2, LN = 18, K = 6
        let V = try centralizedCombiners(scheme, estimates: e, clusters: D, powers: [Double](repeating: p, count: K))
        // This network exercises both systems: some UEs have |M_k|N ≤ K (direct), others more (Woodbury).
        let sizes = (0..<K).map { D.servingAPs($0).count * N }
        #expect(sizes.contains { $0 <= K } && sizes.contains { $0 > K }, "serving-set sizes \(sizes)")
        for k in 0..<K {
            let rows = D.servingAPs(k).flatMap { l in (0..<N).map { l * N + $0 } }
            let users = scheme == .mmse ? Array(0..<K) : D.partialUEs(k)
            for n in 0..<3 {
                var A = Matrix<Complex<Double>>.identity(rows.count)
                for i in users {
                    let h = Matrix<Complex<Double>>(rows: rows.count, columns: 1) { r, _ in e.Hhat[rows[r], i, n] }
                    A = A + Complex(p) * (h * h.adjoint)
                    if scheme != .pRZF {
                        for (x, r) in rows.enumerated() { for (y, c) in rows.enumerated() where r / N == c / N {
                            A[x, y] += Complex(p) * e.C[r / N, i][r % N, c % N]
                        } }
                    }
                }
                let h = Matrix<Complex<Double>>(rows: rows.count, columns: 1) { r, _ in Complex(p) * e.Hhat[rows[r], k, n] }
                let v = try A.solve(h)
                let scale = v.elements.map(\.length).max()!
                for (x, r) in rows.enumerated() { #expect((V[r, k, n] - v[x, 0]).length <= 1e-10 * scale) }
                for r in 0..<LN where !rows.contains(r) { #expect(V[r, k, n] == .zero) }
            }
        }
    }

    /// Spreading realizations over threads changes nothing, bit for bit: estimates, combiners, statistics.
    @Test func resultsDoNotDependOnThreadCount() throws {
        let setup = try smallSetup(L: 9, N: 2, K: 8, tau_p: 3)
        let e = try smallEstimates(setup, realizations: 10)
        let e2 = try smallEstimates(setup, realizations: 10, threads: 2)
        #expect(e.H.values == e2.H.values && e.Hhat.values == e2.Hhat.values)
        let powers = [Double](repeating: 100, count: 8)
        let one = try centralizedCombiners(.pMMSE, estimates: e, clusters: setup.dcc, powers: powers, threads: 1)
        let two = try centralizedCombiners(.pMMSE, estimates: e, clusters: setup.dcc, powers: powers, threads: 2)
        #expect(one.values == two.values)
        let s1 = centralizedStatistics(combiners: one, estimates: e, clusters: setup.dcc, p: 100, preLogFactor: 0.95, threads: 1)
        let s2 = centralizedStatistics(combiners: one, estimates: e, clusters: setup.dcc, p: 100, preLogFactor: 0.95, threads: 2)
        #expect(s1.uplinkSE == s2.uplinkSE && s1.uplinkGenieSE == s2.uplinkGenieSE && s1.signal2 == s2.signal2)
        #expect(s1.trueGains == s2.trueGains && s1.scaling == s2.scaling)
    }

    /// Random non-negative UatF terms for the power-control tests.
    static func randomTerms(K: Int, seed: UInt64) -> UatFTerms {
        var rng = RandomStream(seed: seed, name: "test-terms")
        let b = (0..<K).map { _ in 1 + 10 * rng.uniform() }
        let c = (0..<(K * K)).map { _ in 0.05 * rng.uniform() }
        let sigma2 = (0..<K).map { _ in 0.5 + rng.uniform() }
        return UatFTerms(K: K, b: b, c: c, sigma2: sigma2)
    }

    /// Algorithm 7.1 stops with all SINRs within its 0.01 tolerance and the strongest UE at p_max; the
    /// fixed point's common SINR is a solution of p = t·(cᵀp + σ²)/b with max p = p_max.
    @Test func uplinkMaxMinEqualizesSINR() {
        let t = Self.randomTerms(K: 8, seed: 1)
        let r = uplinkMaxMin(t, pMax: 100)
        #expect(r.sinr.max()! - r.sinr.min()! <= 0.01)
        #expect(isClose(r.powers.max()!, 100, absolute: 1e-12))
        #expect(r.iterations > 0)
        // A tighter tolerance converges to the exact balanced point: every SINR equal to 1e-9.
        let exact = uplinkMaxMin(t, pMax: 100, tolerance: 1e-10)
        #expect(exact.sinr.max()! - exact.sinr.min()! <= 1e-10)
        #expect(exact.sinr.min()! >= r.sinr.min()! - 0.01)
    }

    /// Algorithm 7.3: equal SINRs and the most loaded AP transmits exactly ρ_max.
    @Test func downlinkMaxMinLoadsTheBusiestAPFully() throws {
        let setup = try smallSetup(L: 9, N: 2, K: 6, tau_p: 3)
        let e = try smallEstimates(setup, realizations: 50)
        let stats = try centralizedStatistics(.pMMSE, estimates: e, clusters: setup.dcc, powers: [Double](repeating: 100, count: 6),
                                              p: 100, preLogFactor: setup.params.preLogFactor)
        let terms = downlinkTerms(stats)
        let r = downlinkMaxMin(terms, rhoMax: 200)
        #expect(r.sinr.max()! - r.sinr.min()! <= 0.01)
        #expect(isClose(terms.apPowers(r.powers).max()!, 200, absolute: 1e-10))
        #expect(terms.sinr(r.powers) == r.sinr)
    }

    /// Algorithm 7.2 (WMMSE) increases the sum SE at every iteration (up to rounding).
    @Test(arguments: [UInt64(2), 3, 4])
    func wmmseIncreasesSumSEMonotonically(_ seed: UInt64) {
        let t = Self.randomTerms(K: 6, seed: seed)
        var rng = RandomStream(seed: seed, name: "test-wmmse-start")
        let start = (0..<6).map { _ in 100 * rng.uniform() }
        let r = uplinkSumSE(t, pMax: 100, initial: start, preLogFactor: 0.95)
        #expect(r.sumSEHistory.count == r.iterations && r.iterations >= 2)
        for (a, b) in zip(r.sumSEHistory, r.sumSEHistory.dropFirst()) { #expect(b >= a - 1e-9) }
        #expect(r.powers.allSatisfy { $0 >= 0 && $0 <= 100 })
        // The reported SE belongs to the powers of the last completed iteration (quirk 12.11).
        let se = spectralEfficiency(sinr: t.sinr(r.previousPowers), preLogFactor: 0.95)
        #expect(zip(se, r.spectralEfficiency).allSatisfy { isClose($0, $1, absolute: 1e-12) })
    }

    /// (7.43), (6.36) and (7.35) stay within their budgets (quirk 12.10).
    @Test func heuristicAllocationsRespectBudgets() throws {
        let setup = try smallSetup(L: 16, N: 2, K: 12, tau_p: 4)
        let D = setup.dcc
        let rho = distributedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: 200, upsilon: 0.5)
        for l in 0..<16 {
            let total = (0..<12).reduce(0.0) { $0 + rho[l + 16 * $1] }
            #expect(isClose(total, 200, absolute: 1e-12))
        }
        for υ in [0.5, -0.5] {
            let p = fractionalPowerControl(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, pMax: 100, upsilon: υ)
            #expect(p.allSatisfy { $0 > 0 && $0 <= 100 + 1e-12 })
        }
    }
}
