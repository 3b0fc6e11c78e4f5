import Linalg

/// Monte Carlo samples of the MMSE channel estimates alone, with their error covariances: what UatF
/// moments conditioned on the estimates need (`mmseCombinerMoments` without true channels).
public struct EstimateSamples: Sendable {
    /// ĥ_kl for every UE, AP and realization (every AP estimates every UE).
    public var Hhat: ChannelTensor
    /// B_kl = E[ĥ_klĥ_klᴴ] and C_kl = R_kl − B_kl (4.6)–(4.7).
    public var B: CorrelationMatrices
    public var C: CorrelationMatrices
    public var realizations: Int { Hhat.realizations }
}

/// Draws the estimates of (4.5) directly from the distribution of the pilot observations, without the
/// channels: y_tl/√τ_p = G_tl·z_tl with G_tl·G_tlᴴ = Ψ_tl = p·τ_p·Σ_{i: t_i = t} R_il + I_N (4.6) and
/// z_tl ~ CN(0, I_N), so ĥ_kl = √p·R_kl·Ψ⁻¹·y = A_kl·z_{t_k l} with A_kl = √(p·τ_p)·R_kl·G_tl⁻ᴴ, and
/// B_kl = A_klA_klᴴ. Co-pilot UEs share z_tl (contamination); with orthogonal pilots every UE has its own.
/// This needs one complex normal per estimate entry instead of two (channel and pilot noise): the
/// moments of the true channels follow exactly from E[h_i | ĥ] = ĥ_i, Cov = C_i (the MMSE error is
/// independent of every estimate). Draw order: the real and imaginary parts of z, entry a + N·(n + nbr·(l + L·t)).
/// APs are spread over `threads` threads; the result does not depend on the thread count.
public func drawEstimates(R: CorrelationMatrices, pilots: PilotAssignment, p: Double, realizations nbr: Int,
                          using rng: inout RandomStream, threads: Int = 1) throws -> EstimateSamples {
    let N = R.N, L = R.L, K = R.K, LN = L * N, NN = N * N, tau_p = pilots.tau_p
    guard pilots.pilotIndex.count == K, nbr >= 1 else {
        throw CellFreeError.shapeMismatch(what: "pilot assignment / realizations", expected: "K = \(K) pilots, ≥ 1 realization",
                                          got: "\(pilots.pilotIndex.count) pilots, \(nbr) realizations")
    }
    let usersOf = (0..<tau_p).map { pilots.users(ofPilot: $0) }
    var A = CorrelationMatrices(N: N, L: L, K: K), B = A, C = A
    let gain = p * Double(pilots.processingGain)
    // Per AP: Cholesky factor of each Ψ_tl, then A_kl, B_kl and C_kl of its users.
    try A.values.withUnsafeMutableBufferPointer { ab in
        try B.values.withUnsafeMutableBufferPointer { bb in
            try C.values.withUnsafeMutableBufferPointer { cb in
                let out = UncheckedSendable(value: (ab.baseAddress!, bb.baseAddress!, cb.baseAddress!))
                try R.values.withUnsafeBufferPointer { rb in
                    let r = UncheckedSendable(value: rb.baseAddress!)
                    try parallelFor(L, threads: threads) { l in
                        let (a, b, c) = out.value
                        var psi = [Complex<Double>](repeating: .zero, count: NN), inverse = psi
                        for (t, users) in usersOf.enumerated() where !users.isEmpty {
                            for j in 0..<NN { psi[j] = .zero }
                            for j in 0..<N { psi[j * (N + 1)] = .one }
                            for i in users { for j in 0..<NN { psi[j] += Complex(gain) * r.value[R.offset(l, i) + j] } }
                            try smallCholeskyInverse(&psi, into: &inverse, N: N, what: "Ψ of pilot \(t) at AP \(l)")
                            for k in users {
                                let o = R.offset(l, k)
                                // A = √(p·τ_p)·R·G⁻ᴴ: column q of G⁻ᴴ is conj(row q of G⁻¹).
                                for q in 0..<N {
                                    for row in 0..<N {
                                        var acc = Complex<Double>.zero
                                        for s in 0...q { acc += r.value[o + row + N * s] * inverse[q + N * s].conjugate }
                                        a[o + row + N * q] = Complex(gain.squareRoot()) * acc
                                    }
                                }
                                for col in 0..<N {
                                    for row in 0..<N {
                                        var acc = Complex<Double>.zero
                                        for s in 0..<N { acc += a[o + row + N * s] * a[o + col + N * s].conjugate }
                                        b[o + row + N * col] = acc
                                        c[o + row + N * col] = r.value[o + row + N * col] - acc
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // z_tl ~ CN(0, I_N): N × nbr per (l, t).
    var z = [Complex<Double>](repeating: .zero, count: N * nbr * L * tau_p)
    z.withUnsafeMutableBufferPointer { zb in
        let reals = UnsafeMutableBufferPointer(start: zb.baseAddress!.interleaved, count: 2 * zb.count)
        rng.fillNormal(reals)
        let s = 0.5.squareRoot()
        for j in 0..<reals.count { reals[j] *= s }
    }
    var Hhat = ChannelTensor.uninitialized(L: L, N: N, K: K, realizations: nbr)   // every (l, k) block written below
    let pilotOf = pilots.pilotIndex
    Hhat.values.withUnsafeMutableBufferPointer { hb in
        A.values.withUnsafeBufferPointer { ab in
            z.withUnsafeBufferPointer { zb in
                let h = UncheckedSendable(value: hb.baseAddress!), source = UncheckedSendable(value: (ab.baseAddress!, zb.baseAddress!))
                parallelFor(L, threads: threads) { l in
                    let (a, z) = source.value
                    for k in 0..<K {
                        // ĥ_kl for all realizations: N×nbr, columns LN·K apart.
                        Complex<Double>.blasGemm(.none, .none, Int32(N), Int32(nbr), Int32(N), .one, a + A.offset(l, k), Int32(N),
                                                 z + N * nbr * (l + L * pilotOf[k]), Int32(N), .zero, h.value + l * N + LN * k,
                                                 Int32(LN * K))
                    }
                }
            }
        }
    }
    return EstimateSamples(Hhat: Hhat, B: B, C: C)
}

/// In place: the lower Cholesky factor G of the N×N Hermitian positive definite `m` (column-major,
/// upper triangle zeroed); `inverse` receives G⁻¹ (lower triangular). Small N, no allocation.
private func smallCholeskyInverse(_ m: inout [Complex<Double>], into inverse: inout [Complex<Double>], N: Int, what: String) throws {
    try m.withUnsafeMutableBufferPointer { try choleskyInPlace($0.baseAddress!, order: N, what: what) }
    for j in 0..<N { for i in 0..<j { m[i + N * j] = .zero } }
    // G⁻¹ by forward substitution, column by column.
    for j in 0..<(N * N) { inverse[j] = .zero }
    for col in 0..<N {
        for i in col..<N {
            var acc: Complex<Double> = i == col ? .one : .zero
            for s in col..<i { acc -= m[i + N * s] * inverse[s + N * col] }
            inverse[i + N * col] = Complex(1 / m[i + N * i].real) * acc
        }
    }
}
