/// Power optimization of the book's Chapter 7 (reference-physics §10): fixed-point max-min and WMMSE.

/// The result of an iterative power control: powers [mW], final SINRs and the iteration count.
public struct PowerControlResult: Sendable, Equatable {
    public var powers: [Double]
    public var sinr: [Double]
    public var iterations: Int
}

/// UL max-min fairness, Algorithm 7.1 (`functionUplinkSE_maxmin`): from p = p_max·1, iterate
/// p ← (cᵀp + σ²) ⊘ b, scaled so max_k p_k = p_max, while max SINR − min SINR > `tolerance`
/// (absolute, linear SINR; quirk 12.12).
public func uplinkMaxMin(_ t: UatFTerms, pMax: Double, tolerance: Double = 0.01, maxIterations: Int = 1_000_000) -> PowerControlResult {
    var p = [Double](repeating: pMax, count: t.K)
    var den = t.interferencePlusNoise(p)
    var sinr = (0..<t.K).map { p[$0] * t.b[$0] / den[$0] }
    var iterations = 0
    while sinr.max()! - sinr.min()! > tolerance && iterations < maxIterations {
        p = (0..<t.K).map { den[$0] / t.b[$0] }
        let top = p.max()!
        p = p.map { $0 * pMax / top }
        den = t.interferencePlusNoise(p)
        sinr = (0..<t.K).map { p[$0] * t.b[$0] / den[$0] }
        iterations += 1
    }
    return PowerControlResult(powers: p, sinr: sinr, iterations: iterations)
}

/// DL centralized max-min, Algorithm 7.3 (`functionDownlinkSE_maxmin`): from ρ = (ρ_max/K)·1,
/// iterate ρ ← (c̃ᵀρ + 1) ⊘ b̃ scaled so the most loaded AP transmits exactly ρ_max.
public func downlinkMaxMin(_ t: DownlinkTerms, rhoMax: Double, tolerance: Double = 0.01,
                           maxIterations: Int = 1_000_000) -> PowerControlResult {
    let K = t.K
    var rho = [Double](repeating: rhoMax / Double(K), count: K)
    var sinr = t.sinr(rho)
    var iterations = 0
    while sinr.max()! - sinr.min()! > tolerance && iterations < maxIterations {
        rho = (0..<K).map { k in (0..<K).reduce(1.0) { $0 + t.c[$1 + K * k] * rho[$1] } / t.b[k] }
        let load = t.apPowers(rho).max()!
        rho = rho.map { $0 * rhoMax / load }
        sinr = t.sinr(rho)
        iterations += 1
    }
    return PowerControlResult(powers: rho, sinr: sinr, iterations: iterations)
}

/// The result of the UL sum-SE WMMSE: final powers, the powers whose SE is returned (quirk 12.11:
/// the second-to-last iterate) and the SE [bit/s/Hz].
public struct SumSEResult: Sendable, Equatable {
    public var powers: [Double]
    public var previousPowers: [Double]
    public var spectralEfficiency: [Double]
    public var iterations: Int
    /// Σ_k prelog·log2(d_k) after each iteration: the sum SE of the powers entering that iteration.
    public var sumSEHistory: [Double]
}

/// UL sum-SE maximization by WMMSE, Algorithm 7.2 (`functionUplinkSE_sumSE`, errata stopping rule):
/// start from `initial` powers (the reference draws p_max·U(0,1)^K), repeat the u, e, d updates and
/// p_k ← min(p_max, d_k²u_k²b_k / (d_ku_k²b_k + Σ_i d_iu_i²c_ik)²) while the objective
/// Σ_k(d_ke_k − ln d_k) improves by more than ε or gets worse.
public func uplinkSumSE(_ t: UatFTerms, pMax: Double, initial: [Double], preLogFactor: Double,
                        epsilon: Double = 1e-4, maxIterations: Int = 100_000) -> SumSEResult {
    let K = t.K
    var p = initial, previous = initial
    var d = [Double](repeating: 1, count: K)
    var objective = Double.infinity
    var iterations = 0
    var history: [Double] = []
    while iterations < maxIterations {
        iterations += 1
        let interference = t.interferencePlusNoise(p)
        let den = (0..<K).map { interference[$0] + p[$0] * t.b[$0] }
        let u = (0..<K).map { (p[$0] * t.b[$0]).squareRoot() / den[$0] }
        let e = (0..<K).map { 1 - p[$0] * t.b[$0] / den[$0] }
        d = e.map { 1 / $0 }
        previous = p
        p = (0..<K).map { k in
            // Σ_i d_i u_i² c_ik with the reference's index order c_ik = ck(k, i).
            let leak = (0..<K).reduce(0.0) { $0 + d[$1] * u[$1] * u[$1] * t.c[k + K * $1] }
            let x = d[k] * u[k] * u[k] * t.b[k] + leak
            return min(pMax, d[k] * d[k] * u[k] * u[k] * t.b[k] / (x * x))
        }
        history.append(d.reduce(0.0) { $0 + preLogFactor * Double.log2($1) })
        let newObjective = (0..<K).reduce(0.0) { $0 + d[$1] * e[$1] - Double.log(d[$1]) }
        let delta = objective - newObjective
        objective = newObjective
        if !(delta > epsilon || delta < 0) { break }
    }
    return SumSEResult(powers: p, previousPowers: previous, spectralEfficiency: d.map { preLogFactor * Double.log2($0) },
                       iterations: iterations, sumSEHistory: history)
}
