import Linalg

/// The UEs that share one serving set M: its APs, its rows l·N + a of the collective channel, its members.
struct ServingGroup {
    let aps: [Int], rows: [Int], members: [Int]
    /// Every row of the collective channel (no gather needed).
    let everyRow: Bool
    /// Solved by hand from the realization's Gram matrix: |M|N ≤ K and at most `smallSystem` rows.
    var small: Bool { !everyRow && rows.count <= smallSystem && rows.count <= K }
    let K: Int

    /// Groups of `D` in order of their first member.
    static func groups(_ D: ClusterMatrix, N: Int) -> [ServingGroup] {
        var index: [[Int]: Int] = [:], sets: [[Int]] = [], members: [[Int]] = []
        for k in 0..<D.K {
            let aps = D.servingAPs(k)
            if aps.isEmpty { continue }
            if let g = index[aps] { members[g].append(k) } else { index[aps] = sets.count; sets.append(aps); members.append([k]) }
        }
        return zip(sets, members).map { aps, members in
            ServingGroup(aps: aps, rows: aps.flatMap { l in (0..<N).map { l * N + $0 } }, members: members, everyRow: aps.count == D.L,
                         K: D.K)
        }
    }

    /// Adds realization n's h_iᴴv_k, |h_iᴴv_k|² and ‖v_kl‖² of every member k to `sums` (conditioned on
    /// the estimates: ĥ_iᴴv_k, |ĥ_iᴴv_k|² and Σ x_klx_klᴴ).
    /// `x` receives X (m×s: member j's x_k in column j).
    /// `gram`: this realization's Γ = Y·Yᴴ (LN×LN, lower triangle) when the group is `small`.
    func accumulate(realization n: Int, _ c: WhitenedChannels, _ ws: GroupWorkspace, x: UnsafeMutablePointer<Complex<Double>>,
                    gram: UnsafePointer<Complex<Double>>?, roots: [Double], into sums: inout MomentSums) throws {
        let N = c.N, K = c.K, m = rows.count
        let block = c.L * N * K * n
        if small, let gram {
            try solveSmall(block, c, gram: gram, ws, x: x, n)
        } else {
            try solveGrouped(block, c, ws, x: x, n)
        }
        // h_iᴴv_k = √p_k·G[i, j] (conditioned: ĥ_iᴴv_k = √p_k·G[i, j]/√p_i); ‖v_kl‖² = p_k·‖L_l⁻ᴴ·x_kl‖²
        // (L_l⁻ᴴ upper triangular); conditioned, Σ x_klx_klᴴ comes later (`addSecondMoments`).
        sums.signal.withUnsafeMutableBufferPointer { signal in
            sums.signal2.withUnsafeMutableBufferPointer { signal2 in
                for (j, k) in members.enumerated() {
                    let root = roots[k], column = K * k, gains = ws.g + K * j
                    for i in 0..<K {
                        let g = Complex(c.conditional ? root / roots[i] : root) * gains[i]
                        signal[i + column] += g
                        signal2[i + column] += g.lengthSquared
                    }
                }
            }
        }
        if c.conditional { return }
        c.inverseFactors.withUnsafeBufferPointer { fb in
            for (j, k) in members.enumerated() {
                let power = roots[k] * roots[k]
                for (b, l) in aps.enumerated() {
                    let x = x + m * j + N * b, inverse = fb.baseAddress! + N * N * l
                    var energy = 0.0
                    for a in 0..<N {
                        var acc = Complex<Double>.zero
                        for r in a..<N { acc += inverse[r + N * a].conjugate * x[r] }
                        energy += acc.lengthSquared
                    }
                    sums.scaling[l + c.L * k] += power * energy
                }
            }
        }
    }

    /// The group's system by BLAS/LAPACK: (I + Y_MY_Mᴴ)·X = Y_M[:, members] when |M|N ≤ K, else by
    /// Woodbury through S = I + Y_MᴴY_M (K×K); X into `x`, the gains G[i + K·j] = w_iᴴx_{k_j} into `ws.g`.
    private func solveGrouped(_ block: Int, _ c: WhitenedChannels, _ ws: GroupWorkspace, x: UnsafeMutablePointer<Complex<Double>>,
                              _ n: Int) throws {
        let K = c.K, LN = c.L * c.N, m = rows.count, s = members.count
        try c.y.withUnsafeBufferPointer { yb in
            try c.w.withUnsafeBufferPointer { wb in
                // Y_M and W_M (m×K): the tensor itself for every row, else gathered. Conditioned on the
                // estimates W = Y·diag(1/√p) is never stored: its gains are Y's, divided by √p_i below.
                let ym: UnsafePointer<Complex<Double>>, ld: Int
                var wm: UnsafePointer<Complex<Double>>?
                if everyRow {
                    (ym, ld) = (yb.baseAddress! + block, LN)
                    wm = c.conditional ? nil : wb.baseAddress! + block
                } else {
                    for i in 0..<K {
                        let from = block + LN * i
                        for (r, row) in rows.enumerated() { ws.y[r + m * i] = yb[from + row] }
                        if !c.conditional { for (r, row) in rows.enumerated() { ws.w[r + m * i] = wb[from + row] } }
                    }
                    (ym, ld) = (UnsafePointer(ws.y), m)
                    wm = c.conditional ? nil : UnsafePointer(ws.w)
                }
                if m <= K {
                    // (I + Y_MY_Mᴴ)·X = Y_M[:, members]; gains G = W_Mᴴ·X, G[i + K·j] = w_iᴴx_{k_j}.
                    Complex<Double>.blasHerk(.none, Int32(m), Int32(K), 1, ym, Int32(ld), 0, ws.a, Int32(m))
                    for r in 0..<m { ws.a[r * (m + 1)] += .one }
                    for (j, k) in members.enumerated() { for r in 0..<m { x[r + m * j] = ym[r + ld * k] } }
                    try solve(m, s, ws.a, x, n)
                    Complex<Double>.blasGemm(.adjoint, .none, Int32(K), Int32(s), Int32(m), .one, wm ?? ym, Int32(ld), x, Int32(m),
                                             .zero, ws.g, Int32(K))
                } else if c.conditional {
                    // Woodbury, conditioned: S = I + Y_MᴴY_M, X = Y_M·S⁻¹, and Y_MᴴX = I − S⁻¹ (no gains gemm).
                    Complex<Double>.blasHerk(.adjoint, Int32(K), Int32(m), 1, ym, Int32(ld), 0, ws.a, Int32(K))
                    for r in 0..<K { ws.a[r * (K + 1)] += .one }
                    try invert(K, ws.a, n)
                    for (j, k) in members.enumerated() {   // column k of S⁻¹ from its lower triangle
                        for i in 0..<K { ws.b[i + K * j] = i >= k ? ws.a[i + K * k] : ws.a[k + K * i].conjugate }
                    }
                    Complex<Double>.blasGemm(.none, .none, Int32(m), Int32(s), Int32(K), .one, ym, Int32(ld), ws.b, Int32(K),
                                             .zero, x, Int32(m))
                    for (j, k) in members.enumerated() {
                        for i in 0..<K { ws.g[i + K * j] = (i == k ? .one : .zero) - ws.b[i + K * j] }
                    }
                } else {
                    // Woodbury: S = I + Y_MᴴY_M (K×K), B = S⁻¹Y_Mᴴ = Xᴴ; F = B·W_M, F[k + K·i] = x_kᴴw_i.
                    Complex<Double>.blasHerk(.adjoint, Int32(K), Int32(m), 1, ym, Int32(ld), 0, ws.a, Int32(K))
                    for r in 0..<K { ws.a[r * (K + 1)] += .one }
                    for r in 0..<m { for i in 0..<K { ws.b[i + K * r] = ym[r + ld * i].conjugate } }
                    try solve(K, m, ws.a, ws.b, n)
                    Complex<Double>.blasGemm(.none, .none, Int32(K), Int32(K), Int32(m), .one, ws.b, Int32(K), wm!, Int32(ld),
                                             .zero, ws.f, Int32(K))
                    for (j, k) in members.enumerated() {
                        for i in 0..<K { ws.g[i + K * j] = ws.f[k + K * i].conjugate }
                        for r in 0..<m { x[r + m * j] = ws.b[k + K * r].conjugate }
                    }
                }
            }
        }
    }

    /// Σ_n x_kl(n)·x_kl(n)ᴴ (lower triangles) of every member k and AP l into `psi` (N×N at N²·(l + L·k)),
    /// from `count` realizations of X stored `stride` apart: one herk per (k, l).
    func addSecondMoments(_ x: UnsafeMutablePointer<Complex<Double>>, stride: Int, count: Int, L: Int, N: Int,
                          into psi: UnsafeMutableBufferPointer<Complex<Double>>) {
        let m = rows.count
        for (j, k) in members.enumerated() {
            for (b, l) in aps.enumerated() {
                Complex<Double>.blasHerk(.none, Int32(N), Int32(count), 1, x + m * j + N * b, Int32(stride), 1,
                                         psi.baseAddress! + N * N * (l + L * k), Int32(N))
            }
        }
    }

    /// A small direct system by hand (BLAS and LAPACK calls cost more than the arithmetic at this size):
    /// A = I + Γ[M, M], A = G·Gᴴ (Cholesky), X = A⁻¹·Y_M[:, members], gains G[i + K·j] = w_i^{Mᴴ}·x_j.
    private func solveSmall(_ block: Int, _ c: WhitenedChannels, gram: UnsafePointer<Complex<Double>>, _ ws: GroupWorkspace,
                            x: UnsafeMutablePointer<Complex<Double>>, _ n: Int) throws {
        let K = c.K, LN = c.L * c.N, m = rows.count, a = ws.a
        rows.withUnsafeBufferPointer { rows in
            for q in 0..<m {
                for r in q..<m { a[r + m * q] = gram[rows[r] + LN * rows[q]] }   // rows increase: (r, q) in Γ's lower triangle
                a[q + m * q] += .one
            }
        }
        try choleskyInPlace(a, order: m, what: "MMSE combiners of UEs \(members), realization \(n)")
        c.y.withUnsafeBufferPointer { yb in
            c.w.withUnsafeBufferPointer { wb in
                rows.withUnsafeBufferPointer { rows in
                    let y = yb.baseAddress! + block, w = c.conditional ? y : wb.baseAddress! + block
                    for (j, k) in members.enumerated() {
                        let xj = x + m * j
                        for r in 0..<m {   // forward: G·z = y_k^M
                            var acc = y[rows[r] + LN * k]
                            for t in 0..<r { acc -= a[r + m * t] * xj[t] }
                            xj[r] = Complex(1 / a[r + m * r].real) * acc
                        }
                        for r in stride(from: m - 1, through: 0, by: -1) {   // backward: Gᴴ·x = z
                            var acc = xj[r]
                            for t in (r + 1)..<max(r + 1, m) { acc -= a[t + m * r].conjugate * xj[t] }
                            xj[r] = Complex(1 / a[r + m * r].real) * acc
                        }
                        let gains = ws.g + K * j
                        for i in 0..<K {
                            let column = w + LN * i
                            var acc = Complex<Double>.zero
                            for r in 0..<m { acc += column[rows[r]].conjugate * xj[r] }
                            gains[i] = acc
                        }
                    }
                }
            }
        }
    }

    /// A⁻¹ in place (Hermitian positive definite; lower triangle in, lower triangle of the inverse out).
    private func invert(_ order: Int, _ a: UnsafeMutablePointer<Complex<Double>>, _ n: Int) throws {
        var info = Complex<Double>.lapackPotrf(Int32(order), a, Int32(order))
        if info == 0 { info = Complex<Double>.lapackPotri(Int32(order), a, Int32(order)) }
        try check(info, "potrf/potri", n)
    }

    /// A·X = B in place (A Hermitian positive definite, lower triangle), naming the realization on failure.
    private func solve(_ order: Int, _ columns: Int, _ a: UnsafeMutablePointer<Complex<Double>>,
                       _ b: UnsafeMutablePointer<Complex<Double>>, _ n: Int) throws {
        var info = Complex<Double>.lapackPotrf(Int32(order), a, Int32(order))
        if info == 0 { info = Complex<Double>.lapackPotrs(Int32(order), Int32(columns), a, Int32(order), b, Int32(order)) }
        try check(info, "potrf/potrs", n)
    }

    private func check(_ info: Int32, _ routines: String, _ n: Int) throws {
        if info != 0 {
            throw CellFreeError.numerical(what: "MMSE combiners of UEs \(members), realization \(n)",
                                          detail: "matrix not positive definite or not finite (\(routines) info \(info))")
        }
    }
}

/// Scratch buffers of one chunk, sized for the largest serving set (m rows) and K UEs.
struct GroupWorkspace {
    let y, w, a, b, f, g: UnsafeMutablePointer<Complex<Double>>

    init(rows m: Int, K: Int) {
        let square = max(m, K)
        y = .allocate(capacity: m * K); w = .allocate(capacity: m * K)
        a = .allocate(capacity: square * square)
        b = .allocate(capacity: K * m)
        f = .allocate(capacity: K * K); g = .allocate(capacity: K * K)
    }

    func deallocate() { for p in [y, w, a, b, f, g] { p.deallocate() } }
}
