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
/// v_k = p_k·(Σ_{i∈S_k} p_i·ĥ_i^{(k)}ĥ_i^{(k)ᴴ} + Σ_{i∈S_k} p_i·C_i^{(k)} + I)⁻¹·ĥ_k^{(k)}.
/// One Cholesky factorization per (UE, realization), on a contiguous (|M_k|N)² buffer.
public func centralizedCombiners(_ scheme: CentralizedScheme, estimates e: ChannelEstimates,
                                 clusters D: ClusterMatrix, powers: [Double]) throws -> ChannelTensor {
    let N = e.Hhat.N, L = e.Hhat.L, K = e.Hhat.K, nbr = e.realizations, LN = L * N
    guard powers.count == K else {
        throw CellFreeError.shapeMismatch(what: "UL power vector", expected: "K = \(K) entries", got: "\(powers.count)")
    }
    var V = ChannelTensor(L: L, N: N, K: K, realizations: nbr)
    for k in 0..<K {
        let aps = D.servingAPs(k)
        let rows = aps.flatMap { l in (0..<N).map { l * N + $0 } }
        let na = rows.count
        if na == 0 { continue }
        if scheme == .mr {
            for n in 0..<nbr { for r in rows { V.values[r + LN * (k + K * n)] = e.Hhat.values[r + LN * (k + K * n)] } }
            continue
        }
        let users = scheme == .mmse ? Array(0..<K) : D.partialUEs(k)
        // Block-diagonal part Σ_i p_i·C_il + I over l ∈ M_k: constant across realizations.
        var base = Matrix<Complex<Double>>.identity(na)
        if scheme != .pRZF {
            for (j, l) in aps.enumerated() {
                for i in users {
                    let o = e.C.offset(l, i)
                    for b in 0..<N { for a in 0..<N {
                        base[j * N + a, j * N + b] += Complex(powers[i]) * e.C.values[o + a + N * b]
                    } }
                }
            }
        }
        let scales = users.map { Complex(powers[$0].squareRoot()) }
        var A = base, G = Matrix<Complex<Double>>(rows: na, columns: users.count), rhs = [Complex<Double>](repeating: .zero, count: na)
        for n in 0..<nbr {
            let column = LN * K * n
            for (j, i) in users.enumerated() {
                for (r, row) in rows.enumerated() { G[r, j] = scales[j] * e.Hhat.values[row + column + LN * i] }
            }
            A.elements = base.elements
            A.addGram(G, beta: 1)   // herk: + Σ_i p_i ĥ_i ĥ_iᴴ
            for (r, row) in rows.enumerated() { rhs[r] = Complex(powers[k]) * e.Hhat.values[row + column + LN * k] }
            let info = A.elements.withUnsafeMutableBufferPointer { a in
                rhs.withUnsafeMutableBufferPointer { b -> Int32 in
                    let f = Complex<Double>.lapackPotrf(Int32(na), a.baseAddress!, Int32(na))
                    return f != 0 ? f : Complex<Double>.lapackPotrs(Int32(na), 1, a.baseAddress!, Int32(na), b.baseAddress!, Int32(na))
                }
            }
            if info != 0 {
                throw CellFreeError.numerical(what: "\(scheme.rawValue) combiner of UE \(k), realization \(n)",
                                              detail: "matrix not positive definite (potrf info \(info))")
            }
            for (r, row) in rows.enumerated() { V.values[row + column + LN * k] = rhs[r] }
        }
    }
    return V
}
