import Linalg

/// What every centralized SE and power-control formula needs from one set of combiners, gathered in
/// a single pass over the realizations (reference-physics §8.2, §8.4, §9.1).
public struct CentralizedStatistics: Sendable {
    public let L: Int, K: Int, realizations: Int
    /// UL SE with the instantaneous SINR of Theorem 5.1 (estimates, error term with C of all UEs),
    /// Monte Carlo average of log2(1 + SINR) [bit/s/Hz] (prelog included).
    public var uplinkSE: [Double]
    /// Genie-aided UL SE (5.49)–(5.50): true channels, noise ‖v_k‖².
    public var uplinkGenieSE: [Double]
    /// E[h_iᴴ D_k v_k], K×K at i + K·k (`signal_*` of `functionComputeExpectations`).
    public var signal: [Complex<Double>]
    /// E|h_iᴴ D_k v_k|², K×K at i + K·k (`signal2_*`).
    public var signal2: [Double]
    /// E‖v_kl‖², L×K at l + L·k (`scaling_*`; zero where l ∉ M_k).
    public var scaling: [Double]
    /// h_iᴴ v_k in every realization, K×K×nbr at i + K·(k + K·n), for the genie-aided DL.
    public var trueGains: [Complex<Double>]

    /// E‖D_k v_k‖² = Σ_l E‖v_kl‖².
    public func totalScaling(_ k: Int) -> Double { (0..<L).reduce(0) { $0 + scaling[$1 + L * k] } }
}

/// I_N + Σ_{i∈users} p_i·C_il at AP l: the diagonal blocks of the MMSE-type combiner matrices (5.11), (5.16),
/// (5.29), (5.39) and the error term p·C_tot + I of the SINR (5.5).
func errorBlock(_ C: CorrelationMatrices, l: Int, users: [Int], powers: [Double]) -> Matrix<Complex<Double>> {
    var block = Matrix<Complex<Double>>.identity(C.N)
    for i in users {
        let o = C.offset(l, i), w = Complex(powers[i])
        for j in 0..<(C.N * C.N) { block.elements[j] += w * C.values[o + j] }
    }
    return block
}

/// Gathers the statistics of combiners `V` (from `centralizedCombiners`) with UL power p [mW] in the
/// SINR (reference (5.4)–(5.5)): SINR_k = p|v_kᴴĥ_k|² / (p·Σ_{i≠k}|v_kᴴĥ_i|² + v_kᴴ(p·C_tot^{(k)} + I)v_k).
public func centralizedStatistics(combiners V: ChannelTensor, estimates e: ChannelEstimates, p: Double,
                                  preLogFactor: Double) -> CentralizedStatistics {
    let N = V.N, L = V.L, K = V.K, nbr = V.realizations, LN = L * N, columns = K * nbr
    // Noise-plus-error term q = Σ_l v_klᴴ(p·C_tot,l + I)v_kl and ‖v_kl‖², for every (k, n) at once.
    var q = [Double](repeating: 0, count: columns)
    var blockNorms = [Double](repeating: 0, count: L * columns)   // ‖v_kl‖² at l + L·(k + K·n)
    var X = [Complex<Double>](repeating: .zero, count: N * columns)
    let everyone = Array(0..<K), equal = [Double](repeating: p, count: K)
    for l in 0..<L {
        let Q = errorBlock(e.C, l: l, users: everyone, powers: equal)
        Q.elements.withUnsafeBufferPointer { a in
            V.values.withUnsafeBufferPointer { v in
                X.withUnsafeMutableBufferPointer { x in
                    Complex<Double>.blasGemm(.none, .none, Int32(N), Int32(columns), Int32(N), .one, a.baseAddress!, Int32(N),
                                             v.baseAddress! + l * N, Int32(LN), .zero, x.baseAddress!, Int32(N))
                }
            }
        }
        V.values.withUnsafeBufferPointer { vb in
            X.withUnsafeBufferPointer { xb in
                let v = vb.baseAddress!.interleaved + 2 * l * N, x = xb.baseAddress!.interleaved
                for j in 0..<columns {
                    var s = 0.0, norm = 0.0
                    for a in 0..<(2 * N) {   // Re(vᴴw) and ‖v‖² over interleaved (re, im) pairs
                        let vj = v[a + 2 * LN * j]
                        s += vj * x[a + 2 * N * j]
                        norm += vj * vj
                    }
                    q[j] += s
                    blockNorms[l + L * j] = norm
                }
            }
        }
    }
    var stats = CentralizedStatistics(L: L, K: K, realizations: nbr, uplinkSE: .init(repeating: 0, count: K),
                                      uplinkGenieSE: .init(repeating: 0, count: K),
                                      signal: .init(repeating: .zero, count: K * K), signal2: .init(repeating: 0, count: K * K),
                                      scaling: .init(repeating: 0, count: L * K),
                                      trueGains: .init(repeating: .zero, count: K * K * nbr))
    var estimated = [Complex<Double>](repeating: .zero, count: K * K)
    let invN = 1 / Double(nbr)
    for n in 0..<nbr {
        let offset = LN * K * n
        // ĥ_iᴴ v_k and h_iᴴ v_k for all (i, k): two gemms (K×LN)·(LN×K).
        V.values.withUnsafeBufferPointer { v in
            e.Hhat.values.withUnsafeBufferPointer { h in
                estimated.withUnsafeMutableBufferPointer { g in
                    Complex<Double>.blasGemm(.adjoint, .none, Int32(K), Int32(K), Int32(LN), .one, h.baseAddress! + offset, Int32(LN),
                                             v.baseAddress! + offset, Int32(LN), .zero, g.baseAddress!, Int32(K))
                }
            }
            e.H.values.withUnsafeBufferPointer { h in
                stats.trueGains.withUnsafeMutableBufferPointer { g in
                    Complex<Double>.blasGemm(.adjoint, .none, Int32(K), Int32(K), Int32(LN), .one, h.baseAddress! + offset, Int32(LN),
                                             v.baseAddress! + offset, Int32(LN), .zero, g.baseAddress! + K * K * n, Int32(K))
                }
            }
        }
        for k in 0..<K {
            var all = 0.0, allTrue = 0.0, norm = 0.0
            for i in 0..<K {
                all += estimated[i + K * k].lengthSquared
                let g = stats.trueGains[i + K * (k + K * n)]
                allTrue += g.lengthSquared
                stats.signal[i + K * k] += Complex(invN) * g
                stats.signal2[i + K * k] += invN * g.lengthSquared
            }
            for l in 0..<L {
                let b = blockNorms[l + L * (k + K * n)]
                stats.scaling[l + L * k] += invN * b
                norm += b
            }
            let numerator = p * estimated[k + K * k].lengthSquared
            let denominator = p * all + q[k + K * n] - numerator
            if numerator > 0 { stats.uplinkSE[k] += preLogFactor * Double.log2(1 + numerator / denominator) * invN }
            let trueNumerator = p * stats.trueGains[k + K * (k + K * n)].lengthSquared
            let trueDenominator = p * allTrue + norm - trueNumerator
            if trueNumerator > 0 { stats.uplinkGenieSE[k] += preLogFactor * Double.log2(1 + trueNumerator / trueDenominator) * invN }
        }
    }
    return stats
}

/// Builds the `scheme` combiners with UL powers `powers` [mW] and gathers their statistics with UL power
/// p [mW] in the instantaneous SINR: `centralizedCombiners` followed by `centralizedStatistics`.
public func centralizedStatistics(_ scheme: CentralizedScheme, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
                                  powers: [Double], p: Double, preLogFactor: Double, threads: Int = 1) throws -> CentralizedStatistics {
    let V = try centralizedCombiners(scheme, estimates: e, clusters: D, powers: powers, threads: threads)
    return centralizedStatistics(combiners: V, estimates: e, p: p, preLogFactor: preLogFactor)
}

/// MMSE and P-MMSE statistics together: P-MMSE reuses the MMSE combiner of every UE with P_k = all UEs.
public func mmseAndPartialMMSEStatistics(estimates e: ChannelEstimates, clusters D: ClusterMatrix, powers: [Double],
                                         p: Double, preLogFactor: Double, threads: Int = 1)
    throws -> (mmse: CentralizedStatistics, pMMSE: CentralizedStatistics) {
    let mmse = try centralizedCombiners(.mmse, estimates: e, clusters: D, powers: powers, threads: threads)
    let partial = try centralizedCombiners(.pMMSE, estimates: e, clusters: D, powers: powers, threads: threads, reusing: mmse)
    return (centralizedStatistics(combiners: mmse, estimates: e, p: p, preLogFactor: preLogFactor),
            centralizedStatistics(combiners: partial, estimates: e, p: p, preLogFactor: preLogFactor))
}
