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
/// Realizations are independent: `threads` > 1 spreads them over threads (keep BLAS single-threaded
/// then); the result is identical for any thread count. `reusing` MMSE combiners (same estimates, clusters and
/// powers) makes P-MMSE copy them for every UE whose P_k is all UEs, where the two systems coincide.
public func centralizedCombiners(_ scheme: CentralizedScheme, estimates e: ChannelEstimates,
                                 clusters D: ClusterMatrix, powers: [Double], threads: Int = 1,
                                 reusing mmse: ChannelTensor? = nil) throws -> ChannelTensor {
    let N = e.Hhat.N, L = e.Hhat.L, K = e.Hhat.K, nbr = e.realizations, LN = L * N
    guard powers.count == K else {
        throw CellFreeError.shapeMismatch(what: "UL power vector", expected: "K = \(K) entries", got: "\(powers.count)")
    }
    var V = ChannelTensor(L: L, N: N, K: K, realizations: nbr)
    var problems: [CombinerProblem] = []
    for k in 0..<K {
        let rows = D.servingAPs(k).flatMap { l in (0..<N).map { l * N + $0 } }
        if rows.isEmpty { continue }
        let copyFrom: ChannelTensor? = scheme == .mr ? e.Hhat : (scheme == .pMMSE && D.partialUEs(k).count == K ? mmse : nil)
        if let copyFrom {   // MR (v_k = ĥ_k^{(k)}), or P-MMSE identical to the given MMSE system
            for n in 0..<nbr { for r in rows { V.values[r + LN * (k + K * n)] = copyFrom.values[r + LN * (k + K * n)] } }
            continue
        }
        problems.append(try CombinerProblem(k: k, rows: rows, scheme: scheme, estimates: e, clusters: D, powers: powers))
    }
    if problems.isEmpty { return V }
    // MMSE: every UE's diagonal blocks are Σ_i p_i·C_il + I, the same for all UEs, so the estimates are
    // whitened once, Y = L_l⁻¹·Ĥ (one gemm per AP). The Woodbury systems gather Y; the direct ones come
    // from one Gram matrix per realization, Γ = Y·P·Yᴴ (one herk), as A_k = I + Γ[M_k, M_k].
    let shared = scheme == .mmse ? try SharedWhitening(e, powers: powers) : nil
    let gramNeeded = shared != nil && problems.contains { !$0.woodbury }
    // Realization-major: Ĥ_n (LN×K) stays in cache while every UE's system of realization n is solved.
    let maxRows = problems.map(\.na).max()!, maxUsers = problems.map(\.m).max()!
    let whitenedStore = shared?.y ?? [], factorStore = shared?.inverseFactors ?? []
    let roots = powers.map { $0.squareRoot() }
    try V.values.withUnsafeMutableBufferPointer { vb in
        try e.Hhat.values.withUnsafeBufferPointer { hb in
            try whitenedStore.withUnsafeBufferPointer { wb in
                try factorStore.withUnsafeBufferPointer { fb in
                    let v = UncheckedSendable(value: vb.baseAddress!), h = UncheckedSendable(value: hb.baseAddress!)
                    let w = UncheckedSendable(value: shared == nil ? nil : wb.baseAddress)
                    let factors = UncheckedSendable(value: fb.baseAddress)
                    let workers = max(1, min(threads, nbr))
                    try parallelFor(workers, threads: workers) { t in
                        let workspace = CombinerWorkspace(rows: maxRows, users: maxUsers, gram: gramNeeded ? LN : 0, K: K)
                        defer { workspace.deallocate() }
                        for n in stride(from: t, to: nbr, by: workers) {
                            if gramNeeded, let y = w.value {   // Γ = Σ_i p_i·y_i·y_iᴴ of realization n (lower triangle)
                                for i in 0..<K {
                                    let from = y + LN * (i + K * n), to = workspace.scaled + LN * i, root = Complex(roots[i])
                                    for r in 0..<LN { to[r] = root * from[r] }
                                }
                                Complex<Double>.blasHerk(.none, Int32(LN), Int32(K), 1, workspace.scaled, Int32(LN), 0,
                                                         workspace.gram, Int32(LN))
                            }
                            for problem in problems {
                                try problem.solve(n, scheme, hHat: h.value, whitened: w.value, factors: factors.value,
                                                  workspace: workspace, into: v.value)
                            }
                        }
                    }
                }
            }
        }
    }
    return V
}

/// The MMSE whitening shared by every UE: L_l⁻¹ (N×N column-major at N²·l) with L_l·L_lᴴ = Σ_i p_i·C_il + I,
/// and Y = L_l⁻¹·ĥ_il for every AP l, UE i and realization (channel-tensor layout).
private struct SharedWhitening {
    let inverseFactors: [Complex<Double>]
    let y: [Complex<Double>]

    init(_ e: ChannelEstimates, powers: [Double]) throws {
        let N = e.Hhat.N, L = e.Hhat.L, K = e.Hhat.K, LN = L * N, columns = K * e.realizations
        var factors = [Complex<Double>](), out = [Complex<Double>](repeating: .zero, count: e.Hhat.values.count)
        for l in 0..<L {
            let inverse = try errorBlock(e.C, l: l, users: Array(0..<K), powers: powers).cholesky().lower.inverse()
            factors += inverse.elements
            inverse.elements.withUnsafeBufferPointer { a in
                e.Hhat.values.withUnsafeBufferPointer { h in
                    out.withUnsafeMutableBufferPointer { y in
                        Complex<Double>.blasGemm(.none, .none, Int32(N), Int32(columns), Int32(N), .one, a.baseAddress!, Int32(N),
                                                 h.baseAddress! + l * N, Int32(LN), .zero, y.baseAddress! + l * N, Int32(LN))
                    }
                }
            }
        }
        inverseFactors = factors
        y = out
    }
}

/// Scratch buffers of one worker, sized for the largest system; `gram` > 0 adds Γ (gram×gram) and the
/// scaled whitened estimates of one realization (gram×K).
private struct CombinerWorkspace {
    let a, g, x, z, gram, scaled: UnsafeMutablePointer<Complex<Double>>

    init(rows: Int, users: Int, gram order: Int, K: Int) {
        let square = max(rows, users)
        a = .allocate(capacity: square * square)
        g = .allocate(capacity: rows * users)
        x = .allocate(capacity: square)
        z = .allocate(capacity: rows)
        gram = .allocate(capacity: max(1, order * order))
        scaled = .allocate(capacity: max(1, order * K))
    }

    func deallocate() { a.deallocate(); g.deallocate(); x.deallocate(); z.deallocate(); gram.deallocate(); scaled.deallocate() }
}

/// One UE's combiner system, prepared once for all realizations: the direct form keeps the dense
/// D_k (na×na), the Woodbury form the Cholesky inverses L_l⁻¹ of its N×N diagonal blocks.
private struct CombinerProblem {
    let k: Int
    let rows: [Int]
    let users: [Int]
    /// sqrt(p_i) for i ∈ S_k, and p_k [mW].
    let roots: [Double]
    let pk: Double
    let N: Int, LN: Int, K: Int
    let woodbury: Bool
    /// D_k, column-major na×na (direct form).
    let base: [Complex<Double>]
    /// L_l⁻¹ of the diagonal blocks, one flat buffer of N×N column-major blocks (Woodbury form).
    let inverses: [Complex<Double>]
    /// Position of k in S_k.
    let position: Int
    var na: Int { rows.count }
    var m: Int { users.count }

    init(k: Int, rows: [Int], scheme: CentralizedScheme, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
         powers: [Double]) throws {
        let N = e.Hhat.N, K = e.Hhat.K
        self.k = k; self.rows = rows; self.N = N; self.LN = e.Hhat.L * N; self.K = K
        let users = scheme == .mmse ? Array(0..<K) : D.partialUEs(k)
        self.users = users
        roots = users.map { powers[$0].squareRoot() }
        pk = powers[k]
        guard let position = users.firstIndex(of: k) else {
            throw CellFreeError.numerical(what: "combiner of UE \(k)", detail: "UE missing from its own set S_k")
        }
        self.position = position
        // Diagonal blocks Σ_{i∈S_k} p_i·C_il + I_N of D_k, one per serving AP.
        let blocks = stride(from: 0, to: rows.count, by: N).map { r in
            errorBlock(e.C, l: rows[r] / N, users: scheme == .pRZF ? [] : users, powers: powers)
        }
        let na = rows.count
        woodbury = na > users.count
        if woodbury {
            var inverses = [Complex<Double>]()
            for block in blocks { inverses += try block.cholesky().lower.inverse().elements }
            self.inverses = inverses
            base = []
        } else {
            var base = [Complex<Double>](repeating: .zero, count: na * na)
            for (j, block) in blocks.enumerated() {
                for b in 0..<N { for a in 0..<N { base[(j * N + a) + na * (j * N + b)] = block[a, b] } }
            }
            self.base = base
            inverses = []
        }
    }

    func failure(_ scheme: CentralizedScheme, _ n: Int, _ info: Int32) -> CellFreeError {
        .numerical(what: "\(scheme.rawValue) combiner of UE \(k), realization \(n)",
                   detail: "matrix not positive definite or not finite (potrf/potrs info \(info))")
    }

    /// v_k of realization n into column k of realization n of `v`.
    /// `whitened`, `factors`: the shared MMSE whitening (Y and L_l⁻¹) when every UE shares the diagonal
    /// blocks, else nil; then the direct form reads Γ from the workspace.
    func solve(_ n: Int, _ scheme: CentralizedScheme, hHat h: UnsafePointer<Complex<Double>>,
               whitened: UnsafePointer<Complex<Double>>?, factors: UnsafePointer<Complex<Double>>?, workspace w: CombinerWorkspace,
               into v: UnsafeMutablePointer<Complex<Double>>) throws {
        if !woodbury {
            if let whitened, let factors {
                try solveFromGram(n, scheme, whitened, factors, w, v)
            } else {
                try solveDirect(n, scheme, h, w, v)
            }
        } else {
            if let whitened { gather(whitened, n, into: w.g) } else { gatherWhitened(h, n, into: w.g) }
            try solveWoodbury(n, scheme, w, v)
        }
    }

    /// MMSE from the realization's Gram matrix Γ = Y·P·Yᴴ (in `w.gram`): with D_k = L·Lᴴ and Y = L⁻¹Ĥ,
    /// (Ĥ_MPĤ_Mᴴ + D_k)⁻¹ĥ_k = L⁻ᴴ(I + Γ[M, M])⁻¹y_k, so v_k = p_k·L⁻ᴴ·x with (I + Γ[M, M])·x = y_k^{M}.
    private func solveFromGram(_ n: Int, _ scheme: CentralizedScheme, _ y: UnsafePointer<Complex<Double>>,
                               _ factors: UnsafePointer<Complex<Double>>, _ w: CombinerWorkspace,
                               _ v: UnsafeMutablePointer<Complex<Double>>) throws {
        let a = w.a, column = y + LN * (k + K * n)
        rows.withUnsafeBufferPointer { rows in
            for q in 0..<na {   // rows increase: (r, q) with r ≥ q lies in Γ's lower triangle
                let gram = w.gram + LN * rows[q]
                for r in q..<na { a[r + na * q] = gram[rows[r]] }
                a[q + na * q] += .one
                w.x[q] = column[rows[q]]
            }
        }
        var info = Complex<Double>.lapackPotrf(Int32(na), a, Int32(na))
        if info == 0 { info = Complex<Double>.lapackPotrs(Int32(na), 1, a, Int32(na), w.x, Int32(na)) }
        if info != 0 { throw failure(scheme, n, info) }
        scatterUnwhitened(w.x, scale: Complex(pk), inverse: { factors + N * N * (rows[$0 * N] / N) }, into: v + LN * (k + K * n))
    }

    /// v_k's rows of M_k: block j = scale·L_j⁻ᴴ·x_j, with `inverse(j)` the lower-triangular L_j⁻¹ of the
    /// j-th serving AP ((L⁻¹)ᴴ is upper triangular).
    private func scatterUnwhitened(_ x: UnsafePointer<Complex<Double>>, scale: Complex<Double>,
                                   inverse: (Int) -> UnsafePointer<Complex<Double>>, into out: UnsafeMutablePointer<Complex<Double>>) {
        for j in 0..<(na / N) {
            let inverse = inverse(j)
            for b in 0..<N {
                var acc = Complex<Double>.zero
                for a in b..<N { acc += inverse[a + N * b].conjugate * x[j * N + a] }
                out[rows[j * N + b]] = scale * acc
            }
        }
    }

    /// G = [sqrt(p_i)·x_i^{(k)}]_{i∈S_k} (na×m, column-major) from a channel-layout tensor x of realization n;
    /// the rows of M_k come in runs of N per AP.
    private func gather(_ h: UnsafePointer<Complex<Double>>, _ n: Int, into g: UnsafeMutablePointer<Complex<Double>>) {
        let source = h.interleaved, target = g.interleaved, blockCount = na / N
        rows.withUnsafeBufferPointer { rows in
            for (j, i) in users.enumerated() {
                let s = roots[j], column = source + 2 * LN * (i + K * n), out = target + 2 * na * j
                for b in 0..<blockCount {
                    let x = column + 2 * rows[b * N], y = out + 2 * b * N
                    for a in 0..<(2 * N) { y[a] = s * x[a] }
                }
            }
        }
    }

    /// (G·Gᴴ + D_k)·x = p_k·ĥ_k with G = [sqrt(p_i)·ĥ_i^{(k)}]: herk + potrf + potrs on the na×na matrix.
    private func solveDirect(_ n: Int, _ scheme: CentralizedScheme, _ h: UnsafePointer<Complex<Double>>,
                             _ w: CombinerWorkspace, _ v: UnsafeMutablePointer<Complex<Double>>) throws {
        gather(h, n, into: w.g)
        base.withUnsafeBufferPointer { w.a.update(from: $0.baseAddress!, count: na * na) }
        Complex<Double>.blasHerk(.none, Int32(na), Int32(m), 1, w.g, Int32(na), 1, w.a, Int32(na))
        let column = h + LN * (k + K * n)
        for (r, row) in rows.enumerated() { w.x[r] = Complex(pk) * column[row] }
        var info = Complex<Double>.lapackPotrf(Int32(na), w.a, Int32(na))
        if info == 0 { info = Complex<Double>.lapackPotrs(Int32(na), 1, w.a, Int32(na), w.x, Int32(na)) }
        if info != 0 { throw failure(scheme, n, info) }
        let out = v + LN * (k + K * n)
        for (r, row) in rows.enumerated() { out[row] = w.x[r] }
    }

    /// Y = L⁻¹·G (na×m) of realization n, whitened while gathering.
    private func gatherWhitened(_ h: UnsafePointer<Complex<Double>>, _ n: Int, into g: UnsafeMutablePointer<Complex<Double>>) {
        let source = h.interleaved, y = g.interleaved, blockCount = na / N
        inverses.withUnsafeBufferPointer { lb in
            let li = lb.baseAddress!.interleaved
            rows.withUnsafeBufferPointer { rows in
                for (j, i) in users.enumerated() {   // Y = L⁻¹·G, whitened while gathering
                    let scale = roots[j], column = source + 2 * LN * (i + K * n), out = y + 2 * na * j
                    for b in 0..<blockCount {
                        let x = column + 2 * rows[b * N], inverse = li + 2 * N * N * b, target = out + 2 * b * N
                        for a in 0..<N {   // row a of the lower-triangular L⁻¹ times x, by pointer steps
                            var re = 0.0, im = 0.0
                            var lp = inverse + 2 &* a, xp = x
                            for _ in 0..<(a &+ 1) {
                                let lr = lp[0], lim = lp[1], xr = xp[0], xi = xp[1]
                                re += lr * xr - lim * xi
                                im += lr * xi + lim * xr
                                lp += 2 &* N
                                xp += 2
                            }
                            target[2 &* a] = scale * re
                            target[2 &* a &+ 1] = scale * im
                        }
                    }
                }
            }
        }
    }

    /// Woodbury form for |S_k| < |M_k|N with Y = L⁻¹G in `w.g`: (I + YᴴY)·s = e_k, v_k = sqrt(p_k)·L⁻ᴴ·Y·s.
    private func solveWoodbury(_ n: Int, _ scheme: CentralizedScheme, _ w: CombinerWorkspace,
                               _ v: UnsafeMutablePointer<Complex<Double>>) throws {
        // Lower triangle of I + YᴴY (potrf reads nothing else).
        Complex<Double>.blasHerk(.adjoint, Int32(m), Int32(na), 1, w.g, Int32(na), 0, w.a, Int32(m))
        for i in 0..<m { w.a[i * (m + 1)] += .one; w.x[i] = .zero }
        w.x[position] = .one
        var info = Complex<Double>.lapackPotrf(Int32(m), w.a, Int32(m))
        if info == 0 { info = Complex<Double>.lapackPotrs(Int32(m), 1, w.a, Int32(m), w.x, Int32(m)) }
        if info != 0 { throw failure(scheme, n, info) }
        Complex<Double>.blasGemv(.none, Int32(na), Int32(m), .one, w.g, Int32(na), w.x, 1, .zero, w.z, 1)
        inverses.withUnsafeBufferPointer { li in
            scatterUnwhitened(w.z, scale: Complex(pk.squareRoot()), inverse: { li.baseAddress! + N * N * $0 }, into: v + LN * (k + K * n))
        }
    }
}
