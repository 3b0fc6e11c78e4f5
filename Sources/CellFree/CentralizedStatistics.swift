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
    /// ‖v_kl‖² in every realization, L×K×nbr at l + L·(k + K·n), for precoders normalized per realization.
    public var blockNorms: [Double]

    /// E‖D_k v_k‖² = Σ_l E‖v_kl‖².
    public func totalScaling(_ k: Int) -> Double { (0..<L).reduce(0) { $0 + scaling[$1 + L * k] } }
    /// The UatF moments alone.
    public var moments: CombinerMoments {
        CombinerMoments(L: L, K: K, realizations: realizations, signal: signal, signal2: signal2, scaling: scaling)
    }
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
    let serving = (0..<K).map { D.servingAPs($0) }
    var trueGains = [Complex<Double>](repeating: .zero, count: K * K * nbr)
    var sinr = [Double](repeating: 0, count: 2 * K * nbr)             // (estimated, genie) at 2·(k + K·n)
    var blockNorms = [Double](repeating: 0, count: L * K * nbr)       // ‖v_kl‖² at l + L·(k + K·n)
    trueGains.withUnsafeMutableBufferPointer { gb in
        sinr.withUnsafeMutableBufferPointer { sb in
            blockNorms.withUnsafeMutableBufferPointer { nb in
                V.values.withUnsafeBufferPointer { vb in
                    e.Hhat.values.withUnsafeBufferPointer { hatb in
                        e.H.values.withUnsafeBufferPointer { hb in
                            Q.withUnsafeBufferPointer { qb in
                                let out = UncheckedSendable(value: (gb.baseAddress!.interleaved, sb.baseAddress!, nb.baseAddress!))
                                let input = UncheckedSendable(value: (vb.baseAddress!, hatb.baseAddress!, hb.baseAddress!,
                                                                      qb.baseAddress!.interleaved))
                                parallelFor(nbr, threads: threads) { n in
                                    let (gains, ratios, norms) = out.value, (v, hat, h, q) = input.value
                                    let block = LN * K * n
                                    let g = RealizationGains(K: K, LN: LN)
                                    defer { g.deallocate() }
                                    g.load(estimates: hat + block, channels: h + block)
                                    // ĥ_iᴴv_k, h_iᴴv_k; v_kᴴ(p·C_tot + I)v_k and ‖v_k‖² (5.5).
                                    var noise = [Double](repeating: 0, count: K), norm = noise, w = [Double](repeating: 0, count: 2 * N)
                                    for k in 0..<K {
                                        for l in serving[k] {
                                            let vk = (v + block + l * N + LN * k).interleaved
                                            complexMatVec(q + 2 * N * N * l, vk, &w, N)
                                            var quadratic = 0.0, square = 0.0
                                            for a in 0..<(2 * N) { quadratic += vk[a] * w[a]; square += vk[a] * vk[a] }
                                            noise[k] += quadratic; norm[k] += square
                                            norms[l + L * (k + K * n)] = square
                                            g.add(rows: l * N, count: N, of: vk, to: k)
                                        }
                                    }
                                    let genie = gains + 2 * K * K * n
                                    for j in 0..<(K * K) { genie[2 * j] = g.trueRe[j]; genie[2 * j + 1] = g.trueIm[j] }
                                    for k in 0..<K {
                                        let (all, own) = g.interference(k, g.estRe, g.estIm), (allTrue, ownTrue) = g.interference(k, g.trueRe, g.trueIm)
                                        let r = ratios + 2 * (k + K * n)
                                        r[0] = own > 0 ? p * own / (p * all + noise[k] - p * own) : 0
                                        r[1] = ownTrue > 0 ? p * ownTrue / (p * allTrue + norm[k] - p * ownTrue) : 0
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
                                      scaling: .init(repeating: 0, count: L * K), trueGains: trueGains, blockNorms: blockNorms)
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

/// One realization's ĥ_iᴴv_k and h_iᴴv_k for all (i, k), split real/imaginary K×K at i + K·k. Ĥ_n and H_n are
/// held transposed and split (K×LN, i + K·row), so Σ_{row ∈ M_k} conj(ĥ_i[row])·v_k[row] is, for all i at once,
/// one contiguous axpy per serving row (four FMAs an entry, vectorized) instead of a BLAS call per AP.
private struct RealizationGains {
    let K: Int, LN: Int
    let estRe, estIm, trueRe, trueIm: UnsafeMutablePointer<Double>
    private let hatRe, hatIm, hRe, hIm: UnsafeMutablePointer<Double>

    init(K: Int, LN: Int) {
        self.K = K; self.LN = LN
        func zeros(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        func unset(_ count: Int) -> UnsafeMutablePointer<Double> { .allocate(capacity: count) }   // `load` writes every entry
        (estRe, estIm, trueRe, trueIm) = (zeros(K * K), zeros(K * K), zeros(K * K), zeros(K * K))
        (hatRe, hatIm, hRe, hIm) = (unset(K * LN), unset(K * LN), unset(K * LN), unset(K * LN))
    }

    func deallocate() { for p in [estRe, estIm, trueRe, trueIm, hatRe, hatIm, hRe, hIm] { p.deallocate() } }

    /// Ĥ_n and H_n (LN×K each, channel layout) transposed and split.
    func load(estimates hat: UnsafePointer<Complex<Double>>, channels h: UnsafePointer<Complex<Double>>) {
        let x = hat.interleaved, y = h.interleaved
        for i in 0..<K {
            for r in 0..<LN {
                let from = 2 * (r + LN * i), to = i + K * r
                hatRe[to] = x[from]; hatIm[to] = x[from + 1]
                hRe[to] = y[from]; hIm[to] = y[from + 1]
            }
        }
    }

    /// Adds rows first..<first+count of v_k (interleaved, starting at row `first`) to column k.
    func add(rows first: Int, count: Int, of vk: UnsafePointer<Double>, to k: Int) {
        for a in 0..<count {
            let row = K * (first + a), vr = vk[2 * a], vi = vk[2 * a + 1]
            axpyConjugate(hatRe + row, hatIm + row, vr, vi, estRe + K * k, estIm + K * k, K)
            axpyConjugate(hRe + row, hIm + row, vr, vi, trueRe + K * k, trueIm + K * k, K)
        }
    }

    /// (Σ_i |g_ik|², |g_kk|²) of column k of (re, im).
    func interference(_ k: Int, _ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>) -> (Double, Double) {
        var all = 0.0
        for i in (K * k)..<(K * k + K) { all += re[i] * re[i] + im[i] * im[i] }
        let own = k + K * k
        return (all, re[own] * re[own] + im[own] * im[own])
    }
}

/// (yRe + i·yIm) += conj(xRe + i·xIm)·(vr + i·vi) over `count` split complex entries.
@inline(__always)
private func axpyConjugate(_ xRe: UnsafePointer<Double>, _ xIm: UnsafePointer<Double>, _ vr: Double, _ vi: Double,
                           _ yRe: UnsafeMutablePointer<Double>, _ yIm: UnsafeMutablePointer<Double>, _ count: Int) {
    for i in 0..<count {
        yRe[i] += xRe[i] * vr + xIm[i] * vi
        yIm[i] += xRe[i] * vi - xIm[i] * vr
    }
}
