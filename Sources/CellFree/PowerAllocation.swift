/// Heuristic power allocations of the book (reference-physics §8.4, §9, §10.4, §10.6). Gains are
/// linear β_kl/σ² (quirk 12.1); powers in mW.

/// Σ_{l∈M_k} β_kl for every UE.
func servedGain(gainOverNoiseDB gain: [Double], clusters D: ClusterMatrix) -> [Double] {
    (0..<D.K).map { k in D.servingAPs(k).reduce(0.0) { $0 + dbToLinear(gain[$1 + D.L * k]) } }
}

/// UL fractional power control (7.35): p_k = p_max·(Σ_{l∈M_k}β_kl)^υ / max_{i∈P_k}(Σ_{l∈M_i}β_il)^υ.
/// A UE served by no AP gets 0.
public func fractionalPowerControl(gainOverNoiseDB gain: [Double], clusters D: ClusterMatrix,
                                   pMax: Double, upsilon υ: Double) -> [Double] {
    let g = servedGain(gainOverNoiseDB: gain, clusters: D).map { Double.pow($0, υ) }
    return (0..<D.K).map { k in
        guard let top = D.partialUEs(k).map({ g[$0] }).max() else { return 0 }
        return pMax * g[k] / top
    }
}

/// Scalable centralized DL allocation (7.43), `functionCentralizedPowerAllocation`:
/// q_k = (Σ_{l∈M_k}β_kl)^υ / ω_k^κ with ω_k = max_{l∈M_k} ω_lk, and
/// ρ_k = ρ_tot·q_k / max_{l∈M_k} Σ_{i∈D_l} ω_i·q_i. Within ρ_tot per AP (quirk 12.10). A UE served by
/// no AP gets 0.
public func centralizedPowerAllocation(gainOverNoiseDB gain: [Double], clusters D: ClusterMatrix, rhoTot: Double,
                                       portion ω: [Double], upsilon υ: Double, kappa κ: Double) -> [Double] {
    let L = D.L, K = D.K
    let omega = (0..<K).map { k in D.servingAPs(k).map { ω[$0 + L * k] }.max() ?? 0 }
    let sums = servedGain(gainOverNoiseDB: gain, clusters: D)
    let q = (0..<K).map { sums[$0] > 0 ? Double.pow(sums[$0], υ) / Double.pow(omega[$0], κ) : 0 }
    let load = (0..<L).map { l in D.servedUEs(l).reduce(0.0) { $0 + omega[$1] * q[$1] } }
    return (0..<K).map { k in
        guard let top = D.servingAPs(k).map({ load[$0] }).max(), top > 0 else { return 0 }
        return rhoTot * q[k] / top
    }
}

/// Distributed fractional allocation (7.47) (and (6.36) for υ = ½): ρ_kl = ρ_tot·β_kl^υ / Σ_{i∈D_l} β_il^υ
/// for k ∈ D_l, else 0; L×K at l + L·k. Each serving AP spends exactly ρ_tot.
public func distributedPowerAllocation(gainOverNoiseDB gain: [Double], clusters D: ClusterMatrix,
                                       rhoTot: Double, upsilon υ: Double) -> [Double] {
    let L = D.L
    var rho = [Double](repeating: 0, count: L * D.K)
    for l in 0..<L {
        let users = D.servedUEs(l)
        let total = users.reduce(0.0) { $0 + Double.pow(dbToLinear(gain[l + L * $1]), υ) }
        for k in users { rho[l + L * k] = rhoTot * Double.pow(dbToLinear(gain[l + L * k]), υ) / total }
    }
    return rho
}
