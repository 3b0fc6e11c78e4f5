import Linalg

/// Collective channel vectors of all UEs over all realizations: (L·N) × K × nbr, entry (row, k, n)
/// at row + LN·(k + K·n), so realization n is a contiguous LN×K matrix [h_1 … h_K]. Rows
/// l·N ..< (l+1)·N belong to AP l.
public struct ChannelTensor: Sendable {
    public let L: Int, N: Int, K: Int, realizations: Int
    public var values: [Complex<Double>]
    public var LN: Int { L * N }

    public init(L: Int, N: Int, K: Int, realizations: Int, values: [Complex<Double>]? = nil) {
        self.L = L; self.N = N; self.K = K; self.realizations = realizations
        self.values = values ?? .init(repeating: .zero, count: L * N * K * realizations)
        precondition(self.values.count == L * N * K * realizations, "LN×K×nbr storage")
    }

    /// A tensor whose every entry the caller overwrites before reading (skips zero-filling 10–100 MB).
    static func uninitialized(L: Int, N: Int, K: Int, realizations: Int) -> ChannelTensor {
        let count = L * N * K * realizations
        return ChannelTensor(L: L, N: N, K: K, realizations: realizations,
                             values: [Complex<Double>](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }

    @inline(__always) public func index(row: Int, k: Int, n: Int) -> Int { row + L * N * (k + K * n) }
    public subscript(row: Int, k: Int, n: Int) -> Complex<Double> {
        get { values[index(row: row, k: k, n: n)] }
        set { values[index(row: row, k: k, n: n)] = newValue }
    }

    /// Converts from the reference's (LN)×nbr×K column-major layout.
    public init(referenceLayout v: [Complex<Double>], L: Int, N: Int, K: Int, realizations nbr: Int) {
        self.init(L: L, N: N, K: K, realizations: nbr)
        let LN = L * N
        for k in 0..<K { for n in 0..<nbr { for r in 0..<LN { values[r + LN * (k + K * n)] = v[r + LN * (n + nbr * k)] } } }
    }

    /// The reference's (LN)×nbr×K column-major layout.
    public func referenceLayout() -> [Complex<Double>] {
        var v = [Complex<Double>](repeating: .zero, count: values.count)
        let LN = L * N
        for k in 0..<K { for n in 0..<realizations { for r in 0..<LN { v[r + LN * (n + realizations * k)] = values[r + LN * (k + K * n)] } } }
        return v
    }
}

/// The small-scale random draws of `functionChannelEstimates` (reference-physics §7).
public struct ChannelDraws: Sendable {
    /// Raw `randn + 1i·randn` (variance 2) per channel entry; h = sqrt(½)·R^{1/2}·white.
    public var white: ChannelTensor
    /// Pilot noise n_tl ~ CN(0, I_N), N×nbr×L×τ_p column-major (reference layout of `Np`).
    public var pilotNoise: [Complex<Double>]

    public init(white: ChannelTensor, pilotNoise: [Complex<Double>]) {
        self.white = white; self.pilotNoise = pilotNoise
    }

    /// Draws in the reference's order: real parts of the (LN)×nbr×K white array, then its imaginary
    /// parts, then real and imaginary parts of the N×nbr×L×τ_p pilot noise (one block per pilot sequence).
    public static func draw(_ params: NetworkParameters, realizations nbr: Int, using rng: inout RandomStream) -> ChannelDraws {
        let LN = params.L * params.N, K = params.K
        var white = ChannelTensor.uninitialized(L: params.L, N: params.N, K: K, realizations: nbr)   // every entry drawn below
        // Reference order (row fastest, then realization, then UE), written straight into our layout:
        // each (k, n) is a contiguous run of LN entries.
        var run = [Double](repeating: 0, count: LN)
        white.values.withUnsafeMutableBufferPointer { w in
            let out = w.baseAddress!.interleaved
            for part in 0..<2 {
                for k in 0..<K {
                    for n in 0..<nbr {
                        run.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                        let base = out + 2 * LN * (k + K * n) + part
                        for r in 0..<LN { base[2 * r] = run[r] }
                    }
                }
            }
        }
        let noiseCount = params.N * nbr * params.L * params.pilotSequences
        var noise = [Complex<Double>](repeating: .zero, count: noiseCount)
        let s = 0.5.squareRoot()
        noise.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!.interleaved
            for part in 0..<2 {
                var values = [Double](repeating: 0, count: noiseCount)
                values.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                for j in 0..<noiseCount { out[2 * j + part] = s * values[j] }
            }
        }
        return ChannelDraws(white: white, pilotNoise: noise)
    }
}

/// True channels, MMSE estimates and their covariances, reference (4.4)–(4.9) (reference-physics §7.2).
public struct ChannelEstimates: Sendable {
    /// h_kl = R_kl^{1/2}·e_kl.
    public var H: ChannelTensor
    /// ĥ_kl = sqrt(p)·R_kl·Ψ_{t_k l}⁻¹·y_{t_k l}; every AP estimates every UE.
    public var Hhat: ChannelTensor
    /// B_kl = p·τ_p·R_kl·Ψ⁻¹·R_kl and C_kl = R_kl − B_kl.
    public var B: CorrelationMatrices
    public var C: CorrelationMatrices
    public var realizations: Int { H.realizations }
}

/// Channel realizations and MMSE estimation with pilot power p [mW] for every UE (reference §7).
/// Realizations are spread over `threads` threads; the result does not depend on the thread count.
public func channelEstimates(R: CorrelationMatrices, pilots: PilotAssignment, p: Double,
                             draws: ChannelDraws, threads: Int = 1) throws -> ChannelEstimates {
    let N = R.N, L = R.L, K = R.K, nbr = draws.white.realizations, tau_p = pilots.tau_p
    guard draws.white.L == L, draws.white.N == N, draws.white.K == K else {
        throw CellFreeError.shapeMismatch(what: "channel draws", expected: "L=\(L), N=\(N), K=\(K)",
                                          got: "L=\(draws.white.L), N=\(draws.white.N), K=\(draws.white.K)")
    }
    guard draws.pilotNoise.count == N * nbr * L * tau_p else {
        throw CellFreeError.shapeMismatch(what: "pilot noise Np", expected: "N×nbr×L×τ_p = \(N * nbr * L * tau_p)",
                                          got: "\(draws.pilotNoise.count)")
    }
    let (roots, estimators, B, C) = try estimationOperators(R: R, pilots: pilots, p: p, threads: threads)
    var H = ChannelTensor.uninitialized(L: L, N: N, K: K, realizations: nbr)      // every block written below
    var Hhat = ChannelTensor.uninitialized(L: L, N: N, K: K, realizations: nbr)   // every UE has a pilot
    let gain = Double(pilots.processingGain)
    let LN = L * N, signalScale = p.squareRoot() * gain, noiseScale = gain.squareRoot()
    let pilotOf = pilots.pilotIndex, usersOf = (0..<tau_p).map { pilots.users(ofPilot: $0) }
    H.values.withUnsafeMutableBufferPointer { hBuffer in
        Hhat.values.withUnsafeMutableBufferPointer { hatBuffer in
            let h = UncheckedSendable(value: hBuffer.baseAddress!.interleaved)
            let hat = UncheckedSendable(value: hatBuffer.baseAddress!.interleaved)
            parallelFor(nbr, threads: threads) { n in
                roots.values.withUnsafeBufferPointer { rootBuffer in
                    draws.white.values.withUnsafeBufferPointer { whiteBuffer in
                        let root = rootBuffer.baseAddress!.interleaved, white = whiteBuffer.baseAddress!.interleaved
                        // h_kl = sqrt(½)·R_kl^{1/2}·white_kl: realization n is one contiguous LN×K block.
                        for pair in 0..<(L * K) {
                            let at = 2 * (N * pair + LN * K * n)
                            complexMatVec(root + 2 * N * N * pair, white + at, h.value + at, N)
                        }
                    }
                }
                // y_tl = sqrt(p)·τ_p·Σ_{i: t_i = t} h_il + sqrt(τ_p)·n_tl (4.4), N × L × τ_p, interleaved.
                var y = [Double](repeating: 0, count: 2 * N * L * tau_p)
                draws.pilotNoise.withUnsafeBufferPointer { noiseBuffer in
                    let noise = noiseBuffer.baseAddress!.interleaved
                    for t in 0..<tau_p {
                        for l in 0..<L {
                            let out = 2 * N * (l + L * t), z = 2 * N * (n + nbr * (l + L * t))
                            for a in 0..<(2 * N) {
                                var sum = 0.0
                                for i in usersOf[t] { sum += h.value[2 * (l * N + LN * (i + K * n)) + a] }
                                y[out + a] = signalScale * sum + noiseScale * noise[z + a]
                            }
                        }
                    }
                }
                // ĥ_kl = sqrt(p)·R_kl·Ψ_{t_k l}⁻¹·y_{t_k l} (4.5).
                estimators.values.withUnsafeBufferPointer { estimatorBuffer in
                    y.withUnsafeBufferPointer { yBuffer in
                        let estimator = estimatorBuffer.baseAddress!.interleaved, y = yBuffer.baseAddress!
                        for k in 0..<K {
                            for l in 0..<L {
                                let pair = l + L * k
                                complexMatVec(estimator + 2 * N * N * pair, y + 2 * N * (l + L * pilotOf[k]),
                                              hat.value + 2 * (N * pair + LN * K * n), N)
                            }
                        }
                    }
                }
            }
        }
    }
    return ChannelEstimates(H: H, Hhat: Hhat, B: B, C: C)
}

/// The per-pair N×N operators of the estimation step: sqrt(½)·R_kl^{1/2} (h_kl = sqrt(½)·R^{1/2}·white),
/// the estimator sqrt(p)·R_kl·Ψ_{t_k l}⁻¹ (4.5), B_kl = p·τ_p·R_kl·Ψ⁻¹·R_kl and C_kl = R_kl − B_kl
/// (4.6)–(4.7). APs are spread over `threads` threads (each writes only its own blocks). Without
/// `roots` the square roots are skipped (left zero).
func estimationOperators(R: CorrelationMatrices, pilots: PilotAssignment, p: Double, threads: Int, roots withRoots: Bool = true) throws
    -> (roots: CorrelationMatrices, estimators: CorrelationMatrices, B: CorrelationMatrices, C: CorrelationMatrices) {
    let N = R.N, L = R.L, K = R.K, tau_p = pilots.tau_p, NN = N * N
    var roots = CorrelationMatrices(N: N, L: L, K: K), estimators = roots, B = roots, C = roots
    let scale = Complex(p * Double(pilots.processingGain)), usersOf = (0..<tau_p).map { pilots.users(ofPilot: $0) }
    try roots.values.withUnsafeMutableBufferPointer { rb in
        try estimators.values.withUnsafeMutableBufferPointer { eb in
            try B.values.withUnsafeMutableBufferPointer { bb in
                try C.values.withUnsafeMutableBufferPointer { cb in
                    let out = UncheckedSendable(value: (rb.baseAddress!, eb.baseAddress!, bb.baseAddress!, cb.baseAddress!))
                    try parallelFor(L, threads: threads) { l in
                        let (root, estimator, b, c) = out.value
                        if withRoots {
                            try R.values.withUnsafeBufferPointer { rv in
                                for k in 0..<K {
                                    try hermitianSquareRoot(rv.baseAddress! + R.offset(l, k), order: N, scale: 0.5.squareRoot(),
                                                            into: root + R.offset(l, k))
                                }
                            }
                        }
                        for users in usersOf where !users.isEmpty {
                            // Ψ_tl = p·τ_p·Σ_{i: t_i = t} R_il + I_N (4.6).
                            var psi = Matrix<Complex<Double>>.identity(N)
                            for i in users { psi = psi + scale * R[l, i] }
                            let psiInverse = try psi.inversePositiveDefinite()
                            // R_kl·Ψ⁻¹ and R_kl·Ψ⁻¹·R_kl by hand (N×N: a BLAS call costs more than the arithmetic).
                            let rootP = p.squareRoot(), gain = scale.real
                            psiInverse.elements.withUnsafeBufferPointer { pb in
                                R.values.withUnsafeBufferPointer { rv in
                                    let product = UnsafeMutablePointer<Double>.allocate(capacity: 2 * NN)
                                    defer { product.deallocate() }
                                    for k in users {
                                        let o = R.offset(l, k), rk = (rv.baseAddress! + o).interleaved
                                        complexMatMul(rk, pb.baseAddress!.interleaved, product, N)
                                        let e = (estimator + o).interleaved, bk = (b + o).interleaved, ck = (c + o).interleaved
                                        for j in 0..<(2 * NN) { e[j] = rootP * product[j] }
                                        complexMatMul(UnsafePointer(product), rk, bk, N)
                                        for j in 0..<(2 * NN) { bk[j] *= gain; ck[j] = rk[j] - bk[j] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return (roots, estimators, B, C)
}

/// The estimate and error covariances B_kl = p·τ_p·R_kl·Ψ⁻¹·R_kl and C_kl = R_kl − B_kl (4.6)–(4.7)
/// without drawing any realization: what the closed-form (statistics-only) paths need.
public func estimationCovariances(R: CorrelationMatrices, pilots: PilotAssignment, p: Double,
                                  threads: Int = 1) throws -> (B: CorrelationMatrices, C: CorrelationMatrices) {
    let operators = try estimationOperators(R: R, pilots: pilots, p: p, threads: threads, roots: false)
    return (operators.B, operators.C)
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
