import Linalg

/// Large-scale fading decoding weights of the distributed UL (Theorem 5.4, reference-physics §8.3).
public enum LSFDKind: String, Sendable {
    /// Opt LSFD (5.30): the inverted matrix sums over all UEs.
    case optimal
    /// n-opt LSFD (5.41): the inverted matrix sums over P_k only.
    case nOptimal
    /// No LSFD: a_k = 1, the plain sum of local estimates.
    case none
}

/// Σ_{i∈users} p_i·E[g_ki g_kiᴴ] over l, l′ ∈ M_k: off-diagonal E[g_ki,l]·E[g_ki,l′]* (independent APs),
/// diagonal E|g_ki,l|².
func gainCorrelation(_ s: DistributedStatistics, k: Int, aps: [Int], users: [Int], powers: [Double]) -> Matrix<Complex<Double>> {
    let K = s.K
    var T = Matrix<Complex<Double>>(rows: aps.count, columns: aps.count)
    for i in users {
        for (b, lb) in aps.enumerated() {
            let mb = s.mean[k + K * (i + K * lb)].conjugate
            for (a, la) in aps.enumerated() where a != b {
                T[a, b] += Complex(powers[i]) * s.mean[k + K * (i + K * la)] * mb
            }
            T[b, b] += Complex(powers[i] * s.meanSquare[k + K * (i + K * lb)])
        }
    }
    return T
}

/// LSFD weights a_k over M_k (in increasing AP order), L×K at l + L·k (zero outside M_k):
/// a_k = p_k·(Σ_{i∈S} p_i·E[g_ki g_kiᴴ] + F_k)⁻¹·E[g_kk], F_k = diag(E‖v_kl‖²) (5.30)/(5.41),
/// with S = all UEs (opt) or P_k (n-opt); a_k = 1 without LSFD.
public func lsfdWeights(_ s: DistributedStatistics, clusters D: ClusterMatrix, kind: LSFDKind, powers: [Double]) throws -> [Complex<Double>] {
    if kind == .none { return noLSFDWeights(clusters: D) }
    let L = s.L, K = s.K
    var a = [Complex<Double>](repeating: .zero, count: L * K)
    for k in 0..<K {
        let aps = D.servingAPs(k)
        if aps.isEmpty { continue }
        let users = kind == .optimal ? Array(0..<K) : D.partialUEs(k)
        var T = gainCorrelation(s, k: k, aps: aps, users: users, powers: powers)
        for (j, l) in aps.enumerated() { T[j, j] += Complex(s.scaling[l + L * k]) }
        let g = Matrix<Complex<Double>>(rows: aps.count, columns: 1) { j, _ in Complex(powers[k]) * s.mean[k + K * (k + K * aps[j])] }
        let x = try T.solve(g)
        for (j, l) in aps.enumerated() { a[l + L * k] = x[j, 0] }
    }
    return a
}

/// a_k = 1 on M_k: the plain sum of local estimates (no LSFD), L×K.
public func noLSFDWeights(clusters D: ClusterMatrix) -> [Complex<Double>] { D.serves.map { $0 ? .one : .zero } }

/// UatF terms of the distributed UL with LSFD weights a (reference §8.4, distributed n-opt):
/// b_k = |a_kᴴE[g_kk]|², c_ki = a_kᴴ·E[g_ki g_kiᴴ]·a_k − b_k·1{i=k}, σ_k² = Σ_l |a_kl|²·E‖v_kl‖².
public func distributedUatFTerms(_ s: DistributedStatistics, clusters D: ClusterMatrix, weights a: [Complex<Double>]) -> UatFTerms {
    let L = s.L, K = s.K
    var b = [Double](repeating: 0, count: K), c = [Double](repeating: 0, count: K * K), sigma2 = b
    for k in 0..<K {
        let aps = D.servingAPs(k)
        let ak = aps.map { a[$0 + L * k] }
        var signal = Complex<Double>.zero
        for (j, l) in aps.enumerated() {
            signal += ak[j].conjugate * s.mean[k + K * (k + K * l)]
            sigma2[k] += ak[j].lengthSquared * s.scaling[l + L * k]
        }
        b[k] = signal.lengthSquared
        for i in 0..<K {
            // a_kᴴE[g_ki g_kiᴴ]a_k = |Σ_l a_kl* E[g_ki,l]|² + Σ_l |a_kl|²·(E|g_ki,l|² − |E[g_ki,l]|²).
            var mean = Complex<Double>.zero, variance = 0.0
            for (j, l) in aps.enumerated() {
                let m = s.mean[k + K * (i + K * l)]
                mean += ak[j].conjugate * m
                variance += ak[j].lengthSquared * (s.meanSquare[k + K * (i + K * l)] - m.lengthSquared)
            }
            c[i + K * k] = mean.lengthSquared + variance - (i == k ? b[k] : 0)
        }
    }
    return UatFTerms(K: K, b: b, c: c, sigma2: sigma2)
}

/// Distributed UL SE with LSFD (Theorem 5.4): prelog·log2(1 + SINR_k) with equal UL power p [mW],
/// SINR_k = p|a_kᴴE[g_kk]|² / (a_kᴴ(p·Σ_i E[g_ki g_kiᴴ] − p·E[g_kk]E[g_kk]ᴴ + F_k)a_k).
public func distributedUplinkSE(_ s: DistributedStatistics, clusters D: ClusterMatrix, weights a: [Complex<Double>],
                                p: Double, preLogFactor: Double) -> [Double] {
    let t = distributedUatFTerms(s, clusters: D, weights: a)
    return spectralEfficiency(sinr: t.sinr(.init(repeating: p, count: s.K)), preLogFactor: preLogFactor)
}
