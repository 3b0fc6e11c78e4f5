import Linalg

/// DL terms from the statistics of the UL combiners (UL–DL duality, reference §9.1 and §10.3).
public func downlinkTerms(_ s: CentralizedStatistics) -> DownlinkTerms {
    downlinkTerms(dualOf: uatfTerms(s), scaling: s.scaling, L: s.L)
}

/// DL terms of the precoders w_k = D_kv_k/sqrt(E‖D_kv_k‖²) from the UL UatF terms of the same combiners
/// and their per-AP power E‖v_kl‖² (`scaling`, l + L·k): b̃_k = b_k/σ_k², c̃(k,i) = c_ik/σ_k² (the UL
/// leakage of transmitter i into UE k's receiver), ω_lk = E‖v_kl‖²/σ_k² (reference §9.1).
public func downlinkTerms(dualOf t: UatFTerms, scaling: [Double], L: Int) -> DownlinkTerms {
    let K = t.K
    // A UE served by no AP has no precoder (σ² = 0): its terms stay 0.
    let inverse = t.sigma2.map { $0 > 0 ? 1 / $0 : 0 }
    let b = (0..<K).map { t.b[$0] * inverse[$0] }
    var c = [Double](repeating: 0, count: K * K)
    for k in 0..<K { for i in 0..<K { c[k + K * i] = t.c[i + K * k] * inverse[k] } }
    var portion = [Double](repeating: 0, count: L * K)
    for k in 0..<K { for l in 0..<L { portion[l + L * k] = scaling[l + L * k] * inverse[k] } }
    return DownlinkTerms(L: L, K: K, b: b, c: c, sigma2: t.sigma2, portion: portion)
}

/// DL terms of the linear-attention paper's precoders w_k = D_kv_k/‖D_kv_k‖, unit-norm in every
/// realization (its eqs. (7)–(8), papers.md §2), by Monte Carlo over the realizations of `s`:
/// b̃_k = |E[h_kᴴw_k]|², c̃(k,i) = E|h_iᴴw_k|² (the diagonal minus b̃_k), E‖w_k‖² = 1, and
/// ω_lk = E[‖v_kl‖²/‖D_kv_k‖²], the share of UE k's power AP l spends (Σ_l ω_lk = 1), so the per-AP
/// constraint Σ_k ω_lk·ρ_k ≤ P̄_DL is the power each AP actually radiates.
public func unitNormDownlinkTerms(_ s: CentralizedStatistics) -> DownlinkTerms {
    let (L, K, nbr) = (s.L, s.K, s.realizations), invN = 1 / Double(nbr)
    var mean = [Complex<Double>](repeating: .zero, count: K * K), c = [Double](repeating: 0, count: K * K)
    var portion = [Double](repeating: 0, count: L * K)
    for n in 0..<nbr {
        for k in 0..<K {
            let norm = (0..<L).reduce(0.0) { $0 + s.blockNorms[$1 + L * (k + K * n)] }
            guard norm > 0 else { continue }   // a UE served by no AP has no precoder: its terms stay 0
            let scale = 1 / norm.squareRoot()
            for i in 0..<K {
                let g = Complex(scale) * s.trueGains[i + K * (k + K * n)]   // h_iᴴw_k
                mean[i + K * k] += Complex(invN) * g
                c[k + K * i] += invN * g.lengthSquared
            }
            for l in 0..<L { portion[l + L * k] += invN * s.blockNorms[l + L * (k + K * n)] / norm }
        }
    }
    let b = (0..<K).map { mean[$0 + K * $0].lengthSquared }
    for k in 0..<K { c[k + K * k] -= b[k] }
    let served = (0..<K).map { k in (0..<L).contains { portion[$0 + L * k] > 0 } ? 1.0 : 0 }
    return DownlinkTerms(L: L, K: K, b: b, c: c, sigma2: served, portion: portion)
}

/// Genie-aided DL SE of centralized precoding (Corollary 6.6): Monte Carlo average of
/// log2(1 + |h_kᴴw_k|² / (Σ_{i≠k}|h_kᴴw_i|² + 1)), with w_i = sqrt(ρ_i/E‖v_i‖²)·v_i.
public func downlinkGenieSE(_ s: CentralizedStatistics, rho: [Double], preLogFactor: Double) -> [Double] {
    let K = s.K, nbr = s.realizations
    let scale = (0..<K).map { k in s.totalScaling(k) > 0 ? rho[k] / s.totalScaling(k) : 0 }
    var se = [Double](repeating: 0, count: K)
    for n in 0..<nbr {
        for k in 0..<K {
            var all = 0.0, own = 0.0
            for i in 0..<K {
                let g = s.trueGains[k + K * (i + K * n)].lengthSquared * scale[i]   // |h_kᴴ w_i|²
                all += g
                if i == k { own = g }
            }
            se[k] += preLogFactor * Double.log2(1 + own / (all - own + 1)) / Double(nbr)
        }
    }
    return se
}
