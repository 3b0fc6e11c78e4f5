import Linalg

/// Centralized (Level 4) combining schemes of the book, reference-physics §8.1.
public enum CentralizedScheme: String, CaseIterable, Sendable {
    /// (5.11): all UEs and the error covariance of all UEs.
    case mmse = "MMSE"
    /// (5.16): only the UEs in P_k, with their error covariance.
    case pMMSE = "P-MMSE"
    /// (5.18): only the UEs in P_k, no error covariance.
    case pRZF = "P-RZF"
    /// (5.14): v_k = ĥ_k^{(k)}.
    case mr = "MR"
}

/// Centralized combiners of every UE in every realization, stacked like the channels (zero outside
/// the rows of M_k), with per-UE powers p_i [mW] (reference (5.11), (5.14), (5.16), (5.18), and the
/// power-dependent form of `functionComputeExpectations`):
/// v_k = p_k·(Σ_{i∈S_k} p_i·ĥ_i^{(k)}ĥ_i^{(k)ᴴ} + D_k)⁻¹·ĥ_k^{(k)}, D_k = blkdiag_l(Σ_{i∈S_k} p_i·C_il + I) (no C for P-RZF),
/// S_k = all UEs (MMSE) or P_k. Each (UE, realization) factors the smaller of the two equivalent
/// systems: the (|M_k|N)² matrix itself, or by Woodbury the |S_k|² matrix I + YᴴY with Y = L⁻¹G,
/// G = [sqrt(p_i)ĥ_i^{(k)}], D_k = L·Lᴴ, which gives v_k = sqrt(p_k)·L⁻ᴴ·Y·(I + YᴴY)⁻¹e_k.
/// UEs are independent: `threads` > 1 spreads them over threads (keep BLAS single-threaded then);
/// the result is identical for any thread count.
public func centralizedCombiners(_ scheme: CentralizedScheme, estimates e: ChannelEstimates,
                                 clusters D: ClusterMatrix, powers: [Double], threads: Int = 1) throws -> ChannelTensor {
    let N = e.Hhat.N, L = e.Hhat.L, K = e.Hhat.K, nbr = e.realizations, LN = L * N
    guard powers.count == K else {
        throw CellFreeError.shapeMismatch(what: "UL power vector", expected: "K = \(K) entries", got: "\(powers.count)")
    }
    var V = ChannelTensor(L: L, N: N, K: K, realizations: nbr)
    try V.values.withUnsafeMutableBufferPointer { buffer in
        let v = buffer.baseAddress!
        try parallelFor(K, threads: threads) { k in
            try combinerOfUE(k, scheme, estimates: e, clusters: D, powers: powers, into: v)
        }
    }
    return V
}

/// The combiners of UE k over all realizations, written into column k of every realization of `v`.
private func combinerOfUE(_ k: Int, _ scheme: CentralizedScheme, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
                          powers: [Double], into v: UnsafeMutablePointer<Complex<Double>>) throws {
    let N = e.Hhat.N, L = e.Hhat.L, K = e.Hhat.K, nbr = e.realizations, LN = L * N
    let aps = D.servingAPs(k)
    let rows = aps.flatMap { l in (0..<N).map { l * N + $0 } }
    if rows.isEmpty { return }
    if scheme == .mr {
        for n in 0..<nbr { for r in rows { v[r + LN * (k + K * n)] = e.Hhat.values[r + LN * (k + K * n)] } }
        return
    }
    let users = scheme == .mmse ? Array(0..<K) : D.partialUEs(k)
    // Diagonal blocks Σ_{i∈S_k} p_i·C_il + I_N of D_k, one per serving AP.
    let blocks: [Matrix<Complex<Double>>] = aps.map { l in
        var block = Matrix<Complex<Double>>.identity(N)
        if scheme != .pRZF {
            for i in users { let o = e.C.offset(l, i); for j in 0..<(N * N) { block.elements[j] += Complex(powers[i]) * e.C.values[o + j] } }
        }
        return block
    }
    let problem = CombinerProblem(k: k, rows: rows, users: users, powers: powers, N: N, LN: LN, K: K)
    if rows.count <= users.count {
        try problem.solveDirect(blocks: blocks, hHat: e.Hhat.values, realizations: nbr, into: v, scheme: scheme)
    } else {
        try problem.solveWoodbury(blocks: blocks, hHat: e.Hhat.values, realizations: nbr, into: v, scheme: scheme)
    }
}

/// One UE's combiner systems over all realizations, on contiguous buffers.
private struct CombinerProblem {
    let k: Int
    let rows: [Int]
    let users: [Int]
    let powers: [Double]
    let N: Int, LN: Int, K: Int
    var na: Int { rows.count }
    var m: Int { users.count }

    func failure(_ scheme: CentralizedScheme, _ n: Int, _ info: Int32) -> CellFreeError {
        .numerical(what: "\(scheme.rawValue) combiner of UE \(k), realization \(n)",
                   detail: "matrix not positive definite (potrf info \(info))")
    }

    /// Gathers G_n = [sqrt(p_i)·ĥ_i^{(k)}]_{i∈S_k} (na×m, column-major, leading dimension `ld`) of
    /// realization n; the rows of M_k come in runs of N per AP.
    func gather(_ h: UnsafePointer<Complex<Double>>, n: Int, roots: [Double], into g: UnsafeMutablePointer<Complex<Double>>, ld: Int) {
        let blockCount = na / N, source = h.interleaved, target = g.interleaved
        rows.withUnsafeBufferPointer { rows in
            for (j, i) in users.enumerated() {
                let s = roots[j]
                let column = source + 2 * LN * (i + K * n)
                let out = target + 2 * ld * j
                for b in 0..<blockCount {
                    let x = column + 2 * rows[b * N], y = out + 2 * b * N
                    for a in 0..<(2 * N) { y[a] = s * x[a] }
                }
            }
        }
    }

    /// (G·Gᴴ + D_k)·x = p_k·ĥ_k per realization: herk + potrf + potrs on the na×na matrix.
    func solveDirect(blocks: [Matrix<Complex<Double>>], hHat: [Complex<Double>], realizations nbr: Int,
                     into v: UnsafeMutablePointer<Complex<Double>>, scheme: CentralizedScheme) throws {
        var base = [Complex<Double>](repeating: .zero, count: na * na)
        for (j, block) in blocks.enumerated() {
            for b in 0..<N { for a in 0..<N { base[(j * N + a) + na * (j * N + b)] = block[a, b] } }
        }
        var A = base, G = [Complex<Double>](repeating: .zero, count: na * m), x = [Complex<Double>](repeating: .zero, count: na)
        let pk = powers[k], roots = users.map { powers[$0].squareRoot() }
        try hHat.withUnsafeBufferPointer { h in
            do {
                try A.withUnsafeMutableBufferPointer { a in
                    try G.withUnsafeMutableBufferPointer { g in
                        try x.withUnsafeMutableBufferPointer { x in
                            for n in 0..<nbr {
                                gather(h.baseAddress!, n: n, roots: roots, into: g.baseAddress!, ld: na)
                                base.withUnsafeBufferPointer { a.baseAddress!.update(from: $0.baseAddress!, count: na * na) }
                                Complex<Double>.blasHerk(.none, Int32(na), Int32(m), 1, g.baseAddress!, Int32(na), 1, a.baseAddress!, Int32(na))
                                let column = h.baseAddress! + LN * (k + K * n)
                                for (r, row) in rows.enumerated() { x[r] = Complex(pk) * column[row] }
                                var info = Complex<Double>.lapackPotrf(Int32(na), a.baseAddress!, Int32(na))
                                if info == 0 { info = Complex<Double>.lapackPotrs(Int32(na), 1, a.baseAddress!, Int32(na), x.baseAddress!, Int32(na)) }
                                if info != 0 { throw failure(scheme, n, info) }
                                let out = v + LN * (k + K * n)
                                for (r, row) in rows.enumerated() { out[row] = x[r] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Woodbury form for |S_k| < |M_k|N: Y = L⁻¹G, (I + YᴴY)·s = e_k, v_k = sqrt(p_k)·L⁻ᴴ·Y·s.
    func solveWoodbury(blocks: [Matrix<Complex<Double>>], hHat: [Complex<Double>], realizations nbr: Int,
                       into v: UnsafeMutablePointer<Complex<Double>>, scheme: CentralizedScheme) throws {
        // L⁻¹ of every diagonal block (lower triangular), column-major N×N, one flat buffer.
        var inverses = [Complex<Double>]()
        for block in blocks { inverses += try block.cholesky().lower.inverse().elements }
        guard let position = users.firstIndex(of: k) else {
            throw CellFreeError.numerical(what: "combiner of UE \(k)", detail: "UE missing from its own set S_k")
        }
        // Y = L⁻¹·G for all realizations (na × m·nbr), whitened while gathering.
        let roots = users.map { powers[$0].squareRoot() }
        let count = na * m * nbr, blockCount = na / N
        var Y = [Complex<Double>](unsafeUninitializedCapacity: count) { buffer, initialized in
            let h = hHat.withUnsafeBufferPointer { $0.baseAddress!.interleaved }
            let li = inverses.withUnsafeBufferPointer { $0.baseAddress!.interleaved }
            let y = buffer.baseAddress!.interleaved
            rows.withUnsafeBufferPointer { rows in
                for n in 0..<nbr {
                    for (j, i) in users.enumerated() {
                        let scale = roots[j], column = h + 2 * LN * (i + K * n), out = y + 2 * na * (j + m * n)
                        for b in 0..<blockCount {
                            let x = column + 2 * rows[b * N], inverse = li + 2 * N * N * b, target = out + 2 * b * N
                            for a in 0..<N {
                                var re = 0.0, im = 0.0
                                for c in 0...a {
                                    let lr = inverse[2 * (a + N * c)], lim = inverse[2 * (a + N * c) + 1]
                                    let xr = x[2 * c], xi = x[2 * c + 1]
                                    re += lr * xr - lim * xi
                                    im += lr * xi + lim * xr
                                }
                                target[2 * a] = scale * re
                                target[2 * a + 1] = scale * im
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        var S = [Complex<Double>](repeating: .zero, count: m * m), s = [Complex<Double>](repeating: .zero, count: m)
        var z = [Complex<Double>](repeating: .zero, count: na)
        let root = powers[k].squareRoot()
        do {
            try Y.withUnsafeMutableBufferPointer { yAll in
                try S.withUnsafeMutableBufferPointer { S in
                    try s.withUnsafeMutableBufferPointer { s in
                        try z.withUnsafeMutableBufferPointer { z in
                            for n in 0..<nbr {
                                let y = yAll.baseAddress! + na * m * n
                                // Lower triangle of I + YᴴY (potrf reads nothing else).
                                Complex<Double>.blasHerk(.adjoint, Int32(m), Int32(na), 1, y, Int32(na), 0, S.baseAddress!, Int32(m))
                                for i in 0..<m { S[i * (m + 1)] += .one }
                                for i in 0..<m { s[i] = .zero }
                                s[position] = .one
                                var info = Complex<Double>.lapackPotrf(Int32(m), S.baseAddress!, Int32(m))
                                if info == 0 { info = Complex<Double>.lapackPotrs(Int32(m), 1, S.baseAddress!, Int32(m), s.baseAddress!, Int32(m)) }
                                if info != 0 { throw failure(scheme, n, info) }
                                Complex<Double>.blasGemv(.none, Int32(na), Int32(m), .one, y, Int32(na), s.baseAddress!, 1,
                                                         .zero, z.baseAddress!, 1)
                                // v block j = sqrt(p_k)·L_j⁻ᴴ·z_j.
                                let out = v + LN * (k + K * n)
                                inverses.withUnsafeBufferPointer { li in
                                    for j in 0..<blockCount {
                                        let inverse = li.baseAddress! + N * N * j
                                        for b in 0..<N {
                                            var acc = Complex<Double>.zero
                                            for a in b..<N { acc += inverse[a + N * b].conjugate * z[j * N + a] }   // (L⁻¹)ᴴ is upper
                                            out[rows[j * N + b]] = Complex(root) * acc
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
