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
    /// The UatF moments alone.
    public var moments: CombinerMoments {
        CombinerMoments(L: L, K: K, realizations: realizations, signal: signal, signal2: signal2, scaling: scaling)
    }
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

/// Gathers the statistics of combiners `V` (from `centralizedCombiners` with clusters D) with UL power
/// p [mW] in the SINR (reference (5.4)–(5.5)):
/// SINR_k = p|v_kᴴĥ_k|² / (p·Σ_{i≠k}|v_kᴴĥ_i|² + v_kᴴ(p·C_tot^{(k)} + I)v_k).
/// Each inner product runs over the rows of M_k only (v_k is zero elsewhere). Realizations are spread
/// over `threads` threads and averaged in realization order, so the result does not depend on the
/// thread count.
public func centralizedStatistics(combiners V: ChannelTensor, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
                                  p: Double, preLogFactor: Double, threads: Int = 1) -> CentralizedStatistics {
    let N = V.N, L = V.L, K = V.K, nbr = V.realizations, LN = L * N
    // Q_l = p·Σ_i C_il + I_N, the noise-plus-error block of (5.5), N×N column-major at N²·l.
    let everyone = Array(0..<K), equal = [Double](repeating: p, count: K)
    let Q = (0..<L).flatMap { errorBlock(e.C, l: $0, users: everyone, powers: equal).elements }
    let serving = (0..<K).map { D.servingAPs($0) }, served = (0..<L).map { D.servedUEs($0) }
    var trueGains = [Complex<Double>](repeating: .zero, count: K * K * nbr)
    var sinr = [Double](repeating: 0, count: 2 * K * nbr)             // (estimated, genie) at 2·(k + K·n)
    var blockNorms = [Double](repeating: 0, count: L * K * nbr)       // ‖v_kl‖² at l + L·(k + K·n)
    trueGains.withUnsafeMutableBufferPointer { gb in
        sinr.withUnsafeMutableBufferPointer { sb in
            blockNorms.withUnsafeMutableBufferPointer { nb in
                let gains = UncheckedSendable(value: gb.baseAddress!.interleaved)
                let ratios = UncheckedSendable(value: sb.baseAddress!), norms = UncheckedSendable(value: nb.baseAddress!)
                try! parallelFor(nbr, threads: threads) { n in   // the body cannot throw
                    // ĥ_iᴴv_k and h_iᴴv_k as split real/imaginary K×K (i + K·k); v_kᴴ(p·C_tot + I)v_k and ‖v_k‖².
                    var estRe = [Double](repeating: 0, count: K * K), estIm = estRe, trueRe = estRe, trueIm = estRe
                    var noise = [Double](repeating: 0, count: K), norm = noise, w = [Double](repeating: 0, count: 2 * N)
                    // AP l's blocks v_kl of its served UEs (N×|D_l|), and ĥ_ilᴴv_kl, h_ilᴴv_kl for every i (K×|D_l| each).
                    var blocks = [Complex<Double>](repeating: .zero, count: N * K)
                    var products = [Complex<Double>](repeating: .zero, count: 2 * K * K)
                    V.values.withUnsafeBufferPointer { vb in
                        e.Hhat.values.withUnsafeBufferPointer { hatb in
                            e.H.values.withUnsafeBufferPointer { hb in
                                Q.withUnsafeBufferPointer { qb in
                                    let block = LN * K * n
                                    let v = vb.baseAddress!.interleaved + 2 * block, q = qb.baseAddress!.interleaved
                                    let hat = hatb.baseAddress! + block, h = hb.baseAddress! + block
                                    for l in 0..<L where !served[l].isEmpty {
                                        let d = served[l].count
                                        blocks.withUnsafeMutableBufferPointer { vl in
                                            products.withUnsafeMutableBufferPointer { out in
                                                let target = vl.baseAddress!.interleaved
                                                for (j, k) in served[l].enumerated() {
                                                    let vk = v + 2 * (l * N + LN * k)
                                                    complexMatVec(q + 2 * N * N * l, vk, &w, N)
                                                    var quadratic = 0.0, square = 0.0
                                                    for a in 0..<(2 * N) {
                                                        quadratic += vk[a] * w[a]; square += vk[a] * vk[a]
                                                        target[2 * N * j + a] = vk[a]
                                                    }
                                                    noise[k] += quadratic; norm[k] += square
                                                    norms.value[l + L * (k + K * n)] = square
                                                }
                                                // [ĥ_ilᴴ v_kl]_{i, k∈D_l} and [h_ilᴴ v_kl]: AP l's rows of Ĥ, H (N×K, ld LN)ᴴ · V_l.
                                                let o = out.baseAddress!
                                                Complex<Double>.blasGemm(.adjoint, .none, Int32(K), Int32(d), Int32(N), .one, hat + l * N, Int32(LN),
                                                                         vl.baseAddress!, Int32(N), .zero, o, Int32(K))
                                                Complex<Double>.blasGemm(.adjoint, .none, Int32(K), Int32(d), Int32(N), .one, h + l * N, Int32(LN),
                                                                         vl.baseAddress!, Int32(N), .zero, o + K * d, Int32(K))
                                                for (j, k) in served[l].enumerated() {
                                                    let est = o + K * j, genie = o + K * (d + j)
                                                    for i in 0..<K {
                                                        estRe[i + K * k] += est[i].real; estIm[i + K * k] += est[i].imaginary
                                                        trueRe[i + K * k] += genie[i].real; trueIm[i + K * k] += genie[i].imaginary
                                                    }
                                                }
                                            }
                                        }
                                    }
                                    let g = gains.value + 2 * K * K * n
                                    for j in 0..<(K * K) { g[2 * j] = trueRe[j]; g[2 * j + 1] = trueIm[j] }
                                    for k in 0..<K {
                                        var all = 0.0, allTrue = 0.0
                                        for i in (K * k)..<(K * k + K) {
                                            all += estRe[i] * estRe[i] + estIm[i] * estIm[i]
                                            allTrue += trueRe[i] * trueRe[i] + trueIm[i] * trueIm[i]
                                        }
                                        let own = k + K * k
                                        let numerator = p * (estRe[own] * estRe[own] + estIm[own] * estIm[own])
                                        let trueNumerator = p * (trueRe[own] * trueRe[own] + trueIm[own] * trueIm[own])
                                        let r = ratios.value + 2 * (k + K * n)
                                        r[0] = numerator > 0 ? numerator / (p * all + noise[k] - numerator) : 0
                                        r[1] = trueNumerator > 0 ? trueNumerator / (p * allTrue + norm[k] - trueNumerator) : 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // Monte Carlo averages, in realization order.
    var stats = CentralizedStatistics(L: L, K: K, realizations: nbr, uplinkSE: .init(repeating: 0, count: K),
                                      uplinkGenieSE: .init(repeating: 0, count: K),
                                      signal: .init(repeating: .zero, count: K * K), signal2: .init(repeating: 0, count: K * K),
                                      scaling: .init(repeating: 0, count: L * K), trueGains: trueGains)
    let invN = 1 / Double(nbr)
    for n in 0..<nbr {
        for k in 0..<K {
            stats.uplinkSE[k] += preLogFactor * Double.log2(1 + sinr[2 * (k + K * n)]) * invN
            stats.uplinkGenieSE[k] += preLogFactor * Double.log2(1 + sinr[2 * (k + K * n) + 1]) * invN
            for i in 0..<K {
                let g = trueGains[i + K * (k + K * n)]
                stats.signal[i + K * k] += Complex(invN) * g
                stats.signal2[i + K * k] += invN * g.lengthSquared
            }
            for l in serving[k] { stats.scaling[l + L * k] += invN * blockNorms[l + L * (k + K * n)] }
        }
    }
    return stats
}

/// Builds the `scheme` combiners with UL powers `powers` [mW] and gathers their statistics with UL power
/// p [mW] in the instantaneous SINR: `centralizedCombiners` followed by `centralizedStatistics`.
public func centralizedStatistics(_ scheme: CentralizedScheme, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
                                  powers: [Double], p: Double, preLogFactor: Double, threads: Int = 1) throws -> CentralizedStatistics {
    let V = try centralizedCombiners(scheme, estimates: e, clusters: D, powers: powers, threads: threads)
    return centralizedStatistics(combiners: V, estimates: e, clusters: D, p: p, preLogFactor: preLogFactor, threads: threads)
}

/// MMSE and P-MMSE statistics together: P-MMSE reuses the MMSE combiner of every UE with P_k = all UEs.
public func mmseAndPartialMMSEStatistics(estimates e: ChannelEstimates, clusters D: ClusterMatrix, powers: [Double],
                                         p: Double, preLogFactor: Double, threads: Int = 1)
    throws -> (mmse: CentralizedStatistics, pMMSE: CentralizedStatistics) {
    let mmse = try centralizedCombiners(.mmse, estimates: e, clusters: D, powers: powers, threads: threads)
    let partial = try centralizedCombiners(.pMMSE, estimates: e, clusters: D, powers: powers, threads: threads, reusing: mmse)
    return (centralizedStatistics(combiners: mmse, estimates: e, clusters: D, p: p, preLogFactor: preLogFactor, threads: threads),
            centralizedStatistics(combiners: partial, estimates: e, clusters: D, p: p, preLogFactor: preLogFactor, threads: threads))
}
