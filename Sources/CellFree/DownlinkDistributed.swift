import Linalg

/// SEs that need the realizations of local combiners a second time, once the normalizations and
/// weights from the first pass are known (reference-physics §8.3 genie, §9.2).
public struct DistributedRealizationSE: Sendable {
    /// Genie-aided UL SE with fixed LSFD weights (5.52)–(5.53), when weights were given.
    public var uplinkGenie: [Double]?
    /// DL SE of w_kl = sqrt(ρ_kl/E‖v_kl‖²)·v_kl, Corollary 6.3 with Monte Carlo expectations.
    public var downlink: [Double]?
    /// Genie-aided DL SE (Corollary 6.6).
    public var downlinkGenie: [Double]?
}

/// One more pass over the local combiners: UL genie SE with LSFD weights `a` (L×K) and equal power p;
/// DL SE and genie SE with DL powers ρ (L×K, mW) and per-AP normalizations E‖v_kl‖² `normalization`
/// (L×K: Monte Carlo means, or tr(B_kl) for MR).
public func distributedRealizationSE(_ scheme: LocalScheme, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
                                     p: Double, weights a: [Complex<Double>]?, rho: [Double]?, normalization: [Double],
                                     preLogFactor: Double) throws -> DistributedRealizationSE {
    let L = e.H.L, K = e.H.K, nbr = e.realizations
    let invN = 1 / Double(nbr)
    var ul = [Complex<Double>](repeating: .zero, count: K * K)    // a_kᴴg_ki at k + K·i, current realization
    var ulNoise = [Double](repeating: 0, count: K)
    var dl = [Complex<Double>](repeating: .zero, count: K * K)    // h_kᴴD_iw_i at k + K·i, current realization
    var ulGenie = [Double](repeating: 0, count: K), dlGenie = ulGenie, dlPower = [Double](repeating: 0, count: K * K)
    var dlSignal = [Complex<Double>](repeating: .zero, count: K)
    func finishRealization() {
        for k in 0..<K {
            if a != nil {
                var interference = 0.0
                for i in 0..<K where i != k { interference += ul[k + K * i].lengthSquared }
                let signal = p * ul[k + K * k].lengthSquared
                if signal > 0 { ulGenie[k] += preLogFactor * Double.log2(1 + signal / (p * interference + ulNoise[k])) * invN }
            }
            if rho != nil {
                var interference = 0.0
                for i in 0..<K {
                    dlPower[k + K * i] += invN * dl[k + K * i].lengthSquared
                    if i != k { interference += dl[k + K * i].lengthSquared }
                }
                dlSignal[k] += Complex(invN) * dl[k + K * k]
                dlGenie[k] += preLogFactor * Double.log2(1 + dl[k + K * k].lengthSquared / (interference + 1)) * invN
            }
        }
        for j in ul.indices { ul[j] = .zero; dl[j] = .zero }
        for k in 0..<K { ulNoise[k] = 0 }
    }
    var current = 0
    try forEachLocalCombiner(scheme, estimates: e, clusters: D, powers: .init(repeating: p, count: K)) { n, l, served, gains, norms in
        if n != current { finishRealization(); current = n }
        for (j, k) in served.enumerated() {
            if let a {
                let w = a[l + L * k].conjugate
                for i in 0..<K { ul[k + K * i] += w * gains[j, i] }
                ulNoise[k] += a[l + L * k].lengthSquared * norms[j]
            }
            if let rho {
                let scale = normalization[l + L * k] > 0 ? (rho[l + L * k] / normalization[l + L * k]).squareRoot() : 0
                for c in 0..<K { dl[c + K * k] += Complex(scale) * gains[j, c].conjugate }   // h_clᴴ w_kl
            }
        }
    }
    finishRealization()
    var result = DistributedRealizationSE()
    if a != nil { result.uplinkGenie = ulGenie }
    if rho != nil {
        result.downlinkGenie = dlGenie
        result.downlink = (0..<K).map { k in
            let signal = dlSignal[k].lengthSquared
            let total = (0..<K).reduce(0.0) { $0 + dlPower[k + K * $1] }
            return preLogFactor * Double.log2(1 + signal / (total - signal + 1))
        }
    }
    return result
}

/// DL SE of distributed precoding from per-AP statistics alone (Corollary 6.3 with independent APs;
/// with the closed-form MR statistics this is Corollary 6.4): E[h_kᴴD_iw_i] = Σ_{l∈M_i} sqrt(ρ_il/E‖v_il‖²)·E[v_ilᴴh_kl]*
/// and E|h_kᴴD_iw_i|² = |E[h_kᴴD_iw_i]|² + Σ_{l∈M_i} ρ_il/E‖v_il‖²·(E|v_ilᴴh_kl|² − |E[v_ilᴴh_kl]|²).
public func distributedDownlinkSE(_ s: DistributedStatistics, clusters D: ClusterMatrix, rho: [Double],
                                  preLogFactor: Double) -> [Double] {
    let L = s.L, K = s.K
    return (0..<K).map { k in
        var total = 0.0, signal = 0.0
        for i in 0..<K {
            var mean = Complex<Double>.zero, variance = 0.0
            for l in D.servingAPs(i) where s.scaling[l + L * i] > 0 {
                let w = rho[l + L * i] / s.scaling[l + L * i]
                let m = s.mean[i + K * (k + K * l)]
                mean += Complex(w.squareRoot()) * m.conjugate
                variance += w * (s.meanSquare[i + K * (k + K * l)] - m.lengthSquared)
            }
            total += mean.lengthSquared + variance
            if i == k { signal = mean.lengthSquared }
        }
        return preLogFactor * Double.log2(1 + signal / (total - signal + 1))
    }
}

/// The real-valued DL terms (7.23) of distributed precoding with normalized local combiners
/// (script `section7_figure3`): b̃_kl = Re E[h_klᴴw_kl]/sqrt(E‖w_kl‖²) and C̃_ki over M_i.
public struct DistributedDownlinkTerms: Sendable {
    public let L: Int, K: Int
    /// b̃_k over M_k, in increasing AP order.
    public var b: [[Double]]
    /// C̃_ki (|M_i|×|M_i|, real), at [k][i].
    public var C: [[Matrix<Double>]]

    /// SINR_k = (b̃_kᵀρ̃_k)² / (Σ_i ρ̃_iᵀC̃_kiρ̃_i − (b̃_kᵀρ̃_k)² + 1), ρ̃_il = sqrt(ρ_il) (ρ L×K, mW).
    public func sinr(rho: [Double], clusters D: ClusterMatrix) -> [Double] {
        let amplitudes = (0..<K).map { i in D.servingAPs(i).map { rho[$0 + L * i].squareRoot() } }
        return (0..<K).map { k in
            let signal = zip(b[k], amplitudes[k]).reduce(0.0) { $0 + $1.0 * $1.1 }
            var total = 0.0
            for i in 0..<K {
                let x = amplitudes[i], Cki = C[k][i]
                for a in x.indices { for c in x.indices { total += x[a] * Cki[a, c] * x[c] } }
            }
            return signal * signal / (total - signal * signal + 1)
        }
    }
}

/// (7.23) terms from the per-AP statistics of combiners built with UL power p (`EXP_*_LP_MMSE`).
public func distributedDownlinkTerms(_ s: DistributedStatistics, clusters D: ClusterMatrix) -> DistributedDownlinkTerms {
    let L = s.L, K = s.K
    let aps = (0..<K).map { D.servingAPs($0) }
    func mean(_ i: Int, _ k: Int, _ l: Int) -> Complex<Double> { s.mean[i + K * (k + K * l)].conjugate }  // E[h_klᴴ v_il]
    let b = (0..<K).map { k in aps[k].map { l in mean(k, k, l).real / s.scaling[l + L * k].squareRoot() } }
    var C = [[Matrix<Double>]]()
    for k in 0..<K {
        var row = [Matrix<Double>]()
        for i in 0..<K {
            let m = aps[i]
            row.append(Matrix<Double>(rows: m.count, columns: m.count) { x, y in
                let lx = m[x], ly = m[y]
                if x == y { return s.meanSquare[i + K * (k + K * lx)] / s.scaling[lx + L * i] }
                if i == k { return b[k][x] * b[k][y] }
                let v = mean(i, k, lx) * mean(i, k, ly).conjugate
                return v.real / (s.scaling[lx + L * i] * s.scaling[ly + L * i]).squareRoot()
            })
        }
        C.append(row)
    }
    return DistributedDownlinkTerms(L: L, K: K, b: b, C: C)
}
