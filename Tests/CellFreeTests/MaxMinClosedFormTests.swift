import Testing
import TestSupport
import CellFree
import Linalg

/// The closed-form max-min solutions (papers.md §3) against the book's fixed-point algorithms run to
/// convergence, and the constraint each must make tight.
struct MaxMinClosedFormTests {
    /// Random DL terms: b̃ ∈ [1, 11], c̃ ∈ [0, 0.05], portions ω_lk ≥ 0 with Σ_l ω_lk = 1.
    static func randomDownlinkTerms(L: Int, K: Int, seed: UInt64) -> DownlinkTerms {
        var rng = RandomStream(seed: seed, name: "test-dl-terms")
        let b = (0..<K).map { _ in 1 + 10 * rng.uniform() }
        let c = (0..<(K * K)).map { _ in 0.05 * rng.uniform() }
        var portion = (0..<(L * K)).map { _ in rng.uniform() }
        for k in 0..<K {
            let total = (0..<L).reduce(0) { $0 + portion[$1 + L * k] }
            for l in 0..<L { portion[l + L * k] /= total }
        }
        return DownlinkTerms(L: L, K: K, b: b, c: c, sigma2: [Double](repeating: 1, count: K), portion: portion)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func uplinkClosedFormEqualsAlgorithm71(seed: UInt64) throws {
        let t = ClosedFormTests.randomTerms(K: 8, seed: seed)
        let closed = try uplinkMaxMinClosedForm(t, pMax: 100)
        let fixed = uplinkMaxMin(t, pMax: 100, tolerance: 1e-13)
        #expect(relativeError(closed.powers, fixed.powers) < 1e-9)
        #expect(t.sinr(closed.powers).allSatisfy { isClose($0, closed.sinr, relative: 1e-12) })
        #expect(isClose(closed.powers.max()!, 100, absolute: 1e-10) && closed.powers[closed.tightConstraint] == closed.powers.max()!)
    }

    @Test(arguments: [4, 5] as [UInt64])
    func perAPClosedFormEqualsAlgorithm73(seed: UInt64) throws {
        let t = Self.randomDownlinkTerms(L: 5, K: 8, seed: seed)
        let closed = try downlinkMaxMinClosedForm(t, budget: .perAP(200))
        let fixed = downlinkMaxMin(t, rhoMax: 200, tolerance: 1e-13)
        #expect(relativeError(closed.powers, fixed.powers) < 1e-9)
        let loads = t.apPowers(closed.powers)
        #expect(isClose(loads.max()!, 200, relative: 1e-10) && isClose(loads[closed.tightConstraint], 200, relative: 1e-10))
        #expect(t.sinr(closed.powers).allSatisfy { isClose($0, closed.sinr, relative: 1e-12) })
    }

    @Test func totalPowerClosedFormSpendsTheBudget() throws {
        let t = Self.randomDownlinkTerms(L: 5, K: 8, seed: 6)
        let closed = try downlinkMaxMinClosedForm(t, budget: .total(1000))
        #expect(isClose(closed.powers.reduce(0, +), 1000, relative: 1e-10))
        #expect(t.sinr(closed.powers).allSatisfy { isClose($0, closed.sinr, relative: 1e-12) })
        // A total budget of L·P̄ is looser than P̄ per AP: its common SINR cannot be lower.
        #expect(closed.sinr >= (try downlinkMaxMinClosedForm(t, budget: .perAP(200))).sinr)
    }

    /// On a simulated network (P-MMSE UatF terms of a DCC setup) closed form and fixed points agree too.
    @Test func simulatedNetworkTermsAgree() throws {
        let setup = try smallSetup(L: 9, N: 2, K: 6, tau_p: 3)
        let e = try smallEstimates(setup, realizations: 50)
        let full = [Double](repeating: 100, count: 6)
        let stats = try centralizedStatistics(.pMMSE, estimates: e, clusters: setup.dcc, powers: full, p: 100, preLogFactor: 0.95)
        let ul = uatfTerms(stats), dl = downlinkTerms(stats)
        #expect(relativeError(try uplinkMaxMinClosedForm(ul, pMax: 100).powers, uplinkMaxMin(ul, pMax: 100, tolerance: 1e-13).powers) < 1e-9)
        #expect(relativeError(try downlinkMaxMinClosedForm(dl, budget: .perAP(200)).powers,
                              downlinkMaxMin(dl, rhoMax: 200, tolerance: 1e-13).powers) < 1e-9)
    }

    /// Random non-negative M (dense or sparse, weak to strong interference), u > 0 and constraints:
    /// the secular-equation solver equals the eigenvalue form and satisfies the optimality conditions.
    @Test(arguments: Array(0..<40) as [Int])
    func secularSolverEqualsPerronRoots(trial: Int) throws {
        var rng = RandomStream(seed: UInt64(100 + trial), name: "test-closed-form")
        let K = 1 + trial % 13, J = 1 + (trial * 7) % 6
        let scale = [0.0, 1e-3, 0.1, 1, 10][trial % 5], density = trial % 3 == 0 ? 0.3 : 1.0
        let M = Matrix<Double>(rows: K, columns: K) { _, _ in rng.uniform() < density ? scale * rng.uniform() : 0 }
        let u = (0..<K).map { _ in 0.01 + rng.uniform() }
        let constraints = (0..<J).map { _ in (0..<K).map { _ in rng.uniform() < 0.7 ? rng.uniform() : 0 } }
            .filter { $0.contains { $0 > 0 } }
        guard !constraints.isEmpty else { return }
        let fast = try maxMinClosedForm(M: M, u: u, constraints: constraints)
        let oracle = try maxMinPerronRoots(M: M, u: u, constraints: constraints)
        #expect(isClose(fast.sinr, oracle.sinr, relative: 1e-12), "trial \(trial)")
        #expect(relativeError(fast.powers, oracle.powers) < 1e-9, "trial \(trial)")
        // Every UE at t*, and the tight constraint exactly met, none violated.
        let interference = (0..<K).map { k in (0..<K).reduce(u[k]) { $0 + M[k, $1] * fast.powers[$1] } }
        for k in 0..<K { #expect(isClose(fast.powers[k] / interference[k], fast.sinr, relative: 1e-11)) }
        let norms = constraints.map { a in zip(a, fast.powers).reduce(0.0) { $0 + $1.0 * $1.1 } }
        #expect(isClose(norms.max()!, 1, absolute: 1e-12) && isClose(norms[fast.tightConstraint], 1, absolute: 1e-12))
    }

    @Test func rejectsUnservedUEsAndBadShapes() {
        var t = ClosedFormTests.randomTerms(K: 4, seed: 9)
        t.b[2] = 0
        #expect(throws: CellFreeError.self) { try uplinkMaxMinClosedForm(t, pMax: 100) }
        #expect(throws: CellFreeError.self) {
            try maxMinClosedForm(M: Matrix(rows: 3, columns: 3, repeating: 0.1), u: [1, 1], constraints: [[1, 1]])
        }
    }
}
