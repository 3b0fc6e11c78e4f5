import Linalg

/// The optimum of a max-min SINR problem with affine interference and polyhedral power constraints.
public struct MaxMinSolution: Sendable, Equatable {
    /// p* [mW]: every UE reaches the common SINR t*.
    public var powers: [Double]
    /// t* = 1/λ*, the optimal common SINR (linear).
    public var sinr: Double
    /// j*, the constraint that is tight at the optimum (a_{j*}ᵀp* = 1).
    public var tightConstraint: Int
}

/// max_{p ≥ 0} min_k p_k / (M·p + u)_k subject to max_j a_jᵀp ≤ 1, in closed form (Miretti et al.,
/// papers.md §3.1): λ* = max_j ρ(M + u·a_jᵀ), t* = 1/λ*, p* = t*·(I − t*·M)⁻¹·u = (λ*·I − M)⁻¹·u.
/// `M` is K×K with M[k, i] the interference of transmitter i at UE k, u > 0 the noise terms, and each
/// constraint a_j ≥ 0 a K-vector.
///
/// λ* is found as the root of the secular equation G(λ) = max_j a_jᵀ(λI − M)⁻¹u = 1 on λ > ρ(M)
/// (ρ(M + u·a_jᵀ) is where a_jᵀ(λI − M)⁻¹u = 1, by the matrix determinant lemma; G decreases there).
/// A few O(K²) fixed-point steps bracket λ*, then Newton steps on 1/G(λ) − 1 run inside the bracket,
/// with bisection whenever a step leaves it. Each step costs one K×K LU, O(K³), and 4–7 steps suffice
/// on network terms; `maxMinPerronRoots` is the eigenvalue form (O(J·K³)), kept as the oracle.
public func maxMinClosedForm(M: Matrix<Double>, u: [Double], constraints: [[Double]]) throws -> MaxMinSolution {
    try validateMaxMinInput(M: M, u: u, constraints: constraints)
    let K = u.count
    let A = Matrix(constraints)                                  // J×K, row j = a_jᵀ
    // (λI − M)⁻¹u > 0 exactly when λ > ρ(M) (Collatz–Wielandt); then G(λ) ≤ 1 ⟺ λ ≥ λ*.
    let negated = M.elements.map { -$0 }                         // −M, column-major; λ added on the diagonal
    func evaluate(_ lambda: Double) throws -> (x: [Double], lu: LU<Double>, G: Double, j: Int)? {
        var shifted = negated
        for k in 0..<K { shifted[k * (K + 1)] += lambda }
        let lu = try Matrix(rows: K, columns: K, columnMajor: shifted).lu()
        let x = try lu.solve(u)
        guard x.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        let g = A.multiply(x)
        let j = g.indices.max { g[$0] < g[$1] }!
        return (x, lu, g[j], j)
    }
    // Collatz–Wielandt bounds for the conditional eigenvalue: for any p > 0 with max_j a_jᵀp = 1,
    // min_k (Mp + u)_k/p_k ≤ λ* ≤ max_k (Mp + u)_k/p_k. A few normalized fixed-point steps
    // p ← (Mp + u)/‖Mp + u‖ (papers.md §8, O(K²) each) tighten them before the O(K³) Newton steps.
    var low = 0.0
    var high = Double.infinity
    let uNorm = A.multiply(u).max()!
    var p = u.map { $0 / uNorm }
    for _ in 0..<8 {
        var next = u
        M.multiplyAdd(.none, p, into: &next, beta: 1)
        let ratios = (0..<K).map { next[$0] / p[$0] }
        low = max(low, ratios.min()! * (1 - 4 * .ulpOfOne))
        high = min(high, ratios.max()! * (1 + 4 * .ulpOfOne))
        let norm = A.multiply(next).max()!
        p = next.map { $0 / norm }
    }
    var lambda = high
    for _ in 0..<200 {
        guard let point = try evaluate(lambda) else {            // λ ≤ ρ(M) < λ*: bisect
            low = lambda
            lambda = 0.5 * (low + high)
            continue
        }
        if point.G > 1 { low = lambda } else { high = lambda }
        // Newton on 1/G(λ) − 1, nearly linear in λ (exactly so when M has rank ≤ 1), with
        // G'(λ) = −a_jᵀ(λI − M)⁻¹x for the active constraint j.
        let slope = zip(constraints[point.j], try point.lu.solve(point.x)).reduce(0.0) { $0 + $1.0 * $1.1 }
        let next = lambda + point.G * (point.G - 1) / slope
        if abs(point.G - 1) <= 4 * .ulpOfOne || abs(next - lambda) <= 4 * .ulpOfOne * lambda || high - low <= 4 * .ulpOfOne * high {
            // p* = x / G so that the tight constraint holds exactly.
            return try maxMinSolution(powers: point.x.map { $0 / point.G }, lambda: lambda, tightConstraint: point.j)
        }
        lambda = next > low && next < high ? next : 0.5 * (low + high)
    }
    throw CellFreeError.numerical(what: "max-min closed form", detail: "the secular equation did not converge in 200 steps")
}

/// The same optimum through the eigenvalue form of papers.md §3.1: λ_j = ρ(M + u·a_jᵀ) for every
/// constraint (geev), λ* = max_j λ_j, p* = (λ*I − M)⁻¹u. O(J·K³); the oracle of `maxMinClosedForm`.
public func maxMinPerronRoots(M: Matrix<Double>, u: [Double], constraints: [[Double]]) throws -> MaxMinSolution {
    try validateMaxMinInput(M: M, u: u, constraints: constraints)
    let K = u.count
    var best = (lambda: -Double.infinity, j: 0)
    for (j, a) in constraints.enumerated() {
        let lambda = try Matrix(rows: K, columns: K) { k, i in M[k, i] + u[k] * a[i] }.spectralRadius()
        if lambda > best.lambda { best = (lambda, j) }
    }
    let shifted = Matrix(rows: K, columns: K) { k, i in (k == i ? best.lambda : 0) - M[k, i] }
    return try maxMinSolution(powers: try shifted.lu().solve(u), lambda: best.lambda, tightConstraint: best.j)
}

private func maxMinSolution(powers p: [Double], lambda: Double, tightConstraint j: Int) throws -> MaxMinSolution {
    guard p.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
        throw CellFreeError.numerical(what: "max-min closed form", detail: "(λ*I − M)⁻¹u is not a non-negative power vector")
    }
    return MaxMinSolution(powers: p, sinr: 1 / lambda, tightConstraint: j)
}

private func validateMaxMinInput(M: Matrix<Double>, u: [Double], constraints: [[Double]]) throws {
    let K = u.count
    guard K > 0, M.rows == K, M.columns == K else {
        throw CellFreeError.shapeMismatch(what: "interference matrix M", expected: "\(K)×\(K)", got: "\(M.rows)×\(M.columns)")
    }
    guard !constraints.isEmpty, constraints.allSatisfy({ $0.count == K }) else {
        throw CellFreeError.shapeMismatch(what: "power constraints a_j", expected: "at least one vector of \(K) entries",
                                          got: constraints.map { "\($0.count)" }.joined(separator: ", "))
    }
    guard M.elements.allSatisfy({ $0 >= 0 && $0.isFinite }), u.allSatisfy({ $0 > 0 && $0.isFinite }),
          constraints.allSatisfy({ a in a.allSatisfy { $0 >= 0 && $0.isFinite } && a.contains { $0 > 0 } }) else {
        throw CellFreeError.numerical(what: "max-min closed form", detail: "needs M ≥ 0, u > 0 and non-zero a_j ≥ 0, all finite")
    }
}

/// How a max-min problem is solved: the secular equation (default, O(K³) per Newton step) or the
/// eigenvalue form (one geev per constraint, the oracle).
public enum MaxMinMethod: Sendable {
    case secular, perronRoots

    func solve(M: Matrix<Double>, u: [Double], constraints: [[Double]]) throws -> MaxMinSolution {
        switch self {
        case .secular: try maxMinClosedForm(M: M, u: u, constraints: constraints)
        case .perronRoots: try maxMinPerronRoots(M: M, u: u, constraints: constraints)
        }
    }
}

/// M and u of an SINR ρ_k·b_k / (Σ_i c[i + K·k]·ρ_i + noise_k): M_ki = c[i + K·k]/b_k, u_k = noise_k/b_k
/// (papers.md §3.2 for the UL UatF terms, §3.3 for the DL terms with noise 1).
func interference(b: [Double], c: [Double], noise: [Double]) -> (M: Matrix<Double>, u: [Double]) {
    let K = b.count
    var m = [Double](repeating: 0, count: K * K)   // column-major: M_ki at k + K·i
    for k in 0..<K { for i in 0..<K { m[k + K * i] = c[i + K * k] / b[k] } }
    return (Matrix(rows: K, columns: K, columnMajor: m), (0..<K).map { noise[$0] / b[$0] })
}

/// UL max-min with per-UE caps p_k ≤ pMax [mW] (papers.md §3.2: a_j = e_j / pMax). Exactly one UE
/// transmits at pMax. Every UE must have b_k > 0 (served by at least one AP).
public func uplinkMaxMinClosedForm(_ t: UatFTerms, pMax: Double, method: MaxMinMethod = .secular) throws -> MaxMinSolution {
    try requirePositive(t.b, "UL signal terms b_k")
    let (M, u) = interference(b: t.b, c: t.c, noise: t.sigma2)
    let caps = (0..<t.K).map { j in (0..<t.K).map { $0 == j ? 1 / pMax : 0 } }
    return try method.solve(M: M, u: u, constraints: caps)
}

/// The two DL power constraints of papers.md §3.3.
public enum DownlinkBudget: Sendable, Equatable {
    /// Σ_k ρ_k ≤ total [mW] (Tree paper Eq. 9; total = Σ_l P̄_l).
    case total(Double)
    /// Σ_k ω_lk·ρ_k ≤ perAP [mW] at every AP l, ω from the terms' `portion`.
    case perAP(Double)
}

/// DL max-min for the SINR ρ_k·b̃_k / (Σ_i c̃_ik·ρ_i + 1) of `DownlinkTerms` (papers.md §3.3): M_ki = c̃(i, k)/b̃_k,
/// u_k = 1/b̃_k. With `.total` the powers sum to the budget; with `.perAP` the most loaded AP transmits
/// exactly its budget.
public func downlinkMaxMinClosedForm(_ t: DownlinkTerms, budget: DownlinkBudget,
                                     method: MaxMinMethod = .secular) throws -> MaxMinSolution {
    try requirePositive(t.b, "DL signal terms b̃_k")
    let K = t.K, L = t.L
    let (M, u) = interference(b: t.b, c: t.c, noise: [Double](repeating: 1, count: K))
    switch budget {
    case let .total(total):
        return try method.solve(M: M, u: u, constraints: [[Double](repeating: 1 / total, count: K)])
    case let .perAP(perAP):
        let loads = (0..<L).map { l in (0..<K).map { t.portion[l + L * $0] / perAP } }
        return try method.solve(M: M, u: u, constraints: loads.filter { $0.contains { $0 > 0 } })
    }
}

private func requirePositive(_ b: [Double], _ what: String) throws {
    if let k = b.firstIndex(where: { !($0 > 0) }) {
        throw CellFreeError.numerical(what: what, detail: "UE \(k) has b = \(b[k]); max-min needs every UE served (b > 0)")
    }
}
