import Linalg

/// Centralized MMSE combiners (5.11) restricted to each UE's serving APs, with combiner powers p_i [mW],
/// and their UatF moments, without building any v_k UE by UE:
/// v_k = p_k·(Σ_i p_i·ĥ_i^{(k)}ĥ_i^{(k)ᴴ} + Z^{(k)})⁻¹·ĥ_k^{(k)}, Z = blkdiag_l(Σ_i p_i·C_il + I_N).
///
/// Z is the same for every realization and every UE, so it is factored once per drop, Z_l = L_l·L_lᴴ,
/// and the estimates are whitened once (Y = L⁻¹Ĥ·diag(√p), one gemm per AP).
/// Then v_k = √p_k·L_M⁻ᴴ·x_k with x_k = (I + Y_M·Y_Mᴴ)⁻¹·y_k, where M = M_k.
/// UEs with the same serving set share one system: it is factored once per realization for the whole
/// group, as the |M|N×|M|N matrix I + Y_MY_Mᴴ (small ones by hand from the realization's Gram matrix
/// Γ = Y·Yᴴ), or by Woodbury as the K×K matrix S = I + Y_MᴴY_M when that is smaller (x_k = Y_M·S⁻¹e_k;
/// conditioned, Y_MᴴX = I − S⁻¹). The K×K gains of a group come from one gemm (`ServingGroup`).
///
/// With `channels` H, the moments are sample means over (h, ĥ) pairs, h_iᴴv_k = √p_k·(L⁻¹h_i)ᴴx_k: the
/// estimator of `centralizedStatistics`. Without, they are conditioned on the estimates (Rao–Blackwell):
/// the MMSE error h_i − ĥ_i ~ CN(0, C_i) is independent of every estimate, so
/// E[h_iᴴD_kv_k] = E[ĥ_iᴴD_kv_k] and E|h_iᴴD_kv_k|² = E|ĥ_iᴴD_kv_k|² + Σ_{l∈M_k} tr(C_il·E[v_klv_klᴴ]);
/// same expectation, smaller variance, and no channel draws (`drawEstimates`).
/// Realizations are cut into fixed chunks spread over `threads` threads and summed in realization
/// order within each chunk, then chunk by chunk: the result does not depend on the thread count.
public func mmseCombinerMoments(estimates Hhat: ChannelTensor, errors C: CorrelationMatrices, channels H: ChannelTensor? = nil,
                                clusters D: ClusterMatrix, powers: [Double], threads: Int = 1) throws -> CombinerMoments {
    let N = Hhat.N, L = Hhat.L, K = Hhat.K, nbr = Hhat.realizations
    guard powers.count == K else {
        throw CellFreeError.shapeMismatch(what: "UL power vector", expected: "K = \(K) entries", got: "\(powers.count)")
    }
    guard D.L == L, D.K == K else {
        throw CellFreeError.shapeMismatch(what: "cluster matrix", expected: "L×K = \(L)×\(K)", got: "\(D.L)×\(D.K)")
    }
    guard C.N == N, C.L == L, C.K == K, H.map({ $0.L == L && $0.N == N && $0.K == K && $0.realizations == nbr }) ?? true else {
        throw CellFreeError.shapeMismatch(what: "error covariances / channels", expected: "N = \(N), L = \(L), K = \(K), \(nbr) realizations",
                                          got: "C: N = \(C.N), L = \(C.L), K = \(C.K)")
    }
    let whitening = try WhitenedChannels(Hhat, C, channels: H, powers: powers, threads: threads)
    return try mmseCombinerMoments(whitening, errors: C, clusters: D, threads: threads)
}

/// The moments of clusters D from estimates already whitened (at the powers of `whitening`): a caller
/// that scores many clusterings at the same powers whitens once, and keeps the Gram matrices
/// (`WhitenedChannels.keepGrams`). Error terms only for the UEs D serves.
func mmseCombinerMoments(_ whitening: WhitenedChannels, errors C: CorrelationMatrices, clusters D: ClusterMatrix,
                         threads: Int = 1) throws -> CombinerMoments {
    let (N, L, K, nbr) = (whitening.N, whitening.L, whitening.K, whitening.realizations)
    let conditional = whitening.conditional, psiN = conditional ? N : 0   // Σ x·xᴴ blocks only when conditioned
    let groups = ServingGroup.groups(D, N: N)
    let chunks = min(nbr, momentChunks)
    var partial = [MomentSums](repeating: MomentSums(L: L, K: K, N: psiN), count: chunks)
    let largest = groups.map(\.rows.count).max() ?? 0
    // Each realization's x_k of every group, m×s per group: Σ x_klx_klᴴ is then one herk per (k, l) and chunk.
    let offsets = groups.reduce(into: [0]) { $0.append($0.last! + $1.rows.count * $1.members.count) }
    let perRealization = offsets.last!, LN = L * N, anySmall = groups.contains(where: \.small)
    let kept = whitening.grams ?? []
    try partial.withUnsafeMutableBufferPointer { pb in try kept.withUnsafeBufferPointer { gb in
        let sums = UncheckedSendable(value: pb.baseAddress!), grams = UncheckedSendable(value: whitening.grams == nil ? nil : gb.baseAddress)
        try parallelFor(chunks, threads: threads) { c in
            let workspace = GroupWorkspace(rows: largest, K: K)
            let realizations = (c * nbr / chunks)..<((c + 1) * nbr / chunks)
            let xStore = UnsafeMutablePointer<Complex<Double>>.allocate(capacity: perRealization * realizations.count)
            defer { workspace.deallocate(); xStore.deallocate() }
            var local = MomentSums(L: L, K: K, N: psiN)
            let own: UnsafeMutablePointer<Complex<Double>>? = anySmall && grams.value == nil ? .allocate(capacity: LN * LN) : nil
            defer { own?.deallocate() }
            for (j, n) in realizations.enumerated() {
                var gram: UnsafePointer<Complex<Double>>?   // Γ = Y·Yᴴ of realization n, lower triangle
                if let own {
                    whitening.gram(realization: n, into: own)
                    gram = UnsafePointer(own)
                } else if anySmall, let kept = grams.value {
                    gram = kept + LN * LN * n
                }
                for (g, group) in groups.enumerated() {
                    try group.accumulate(realization: n, whitening, workspace, x: xStore + perRealization * j + offsets[g],
                                         gram: gram, roots: whitening.roots, into: &local)
                }
            }
            if conditional {
                local.psi.withUnsafeMutableBufferPointer { psi in
                    for (g, group) in groups.enumerated() { group.addSecondMoments(xStore + offsets[g], stride: perRealization,
                                                                                    count: realizations.count, L: L, N: N, into: psi) }
                }
            }
            sums.value[c] = local
        }
    } }
    var total = MomentSums(L: L, K: K, N: psiN)
    for c in 0..<chunks { total.add(partial[c]) }
    if conditional { fillUpperTriangles(&total.psi, N: N) }
    let scale = 1 / Double(nbr)
    var moments = CombinerMoments(L: L, K: K, realizations: nbr,
                                  signal: total.signal.map { Complex(scale) * $0 }, signal2: total.signal2.map { scale * $0 },
                                  scaling: total.scaling.map { scale * $0 })
    if conditional { addErrorTerms(&moments, secondMoments: total.psi.map { Complex(scale) * $0 }, whitening, C, D) }
    return moments
}

/// The sample moments of `estimates` (true channels and estimates): equal to `centralizedStatistics` of
/// `centralizedCombiners(.mmse, …)` to rounding.
public func mmseCombinerMoments(estimates e: ChannelEstimates, clusters D: ClusterMatrix, powers: [Double],
                                threads: Int = 1) throws -> CombinerMoments {
    try mmseCombinerMoments(estimates: e.Hhat, errors: e.C, channels: e.H, clusters: D, powers: powers, threads: threads)
}

/// From E[x_klx_klᴴ] (whitened, Ψ_kl): Φ_kl = E[v_klv_klᴴ] = p_k·L_l⁻ᴴ·Ψ_kl·L_l⁻¹, E‖v_kl‖² = tr Φ_kl, and
/// E|h_iᴴD_kv_k|² += Σ_l tr(C_il·Φ_kl) for the UEs k that D serves: one gemm, T = [vec Φ_k]_kᴴ·[vec C_i]_i
/// (served UEs × K, vec over every AP; Φ_kl = 0 where l ∉ M_k).
private func addErrorTerms(_ m: inout CombinerMoments, secondMoments psi: [Complex<Double>], _ w: WhitenedChannels,
                           _ C: CorrelationMatrices, _ D: ClusterMatrix) {
    let (N, L, K, NN) = (w.N, w.L, w.K, w.N * w.N)
    let served = (0..<K).filter { !D.servingAPs($0).isEmpty }, S = served.count, block = NN * L
    var phi = [Complex<Double>](repeating: .zero, count: block * S), half = [Complex<Double>](repeating: .zero, count: NN)
    for (position, k) in served.enumerated() {
        for l in D.servingAPs(k) {
            let o = NN * (l + L * k), f = NN * l, target = NN * l + block * position
            // half = Ψ·L⁻¹, then Φ = p_k·L⁻ᴴ·half.
            for col in 0..<N {
                for row in 0..<N {
                    var acc = Complex<Double>.zero
                    for s in col..<N { acc += psi[o + row + N * s] * w.inverseFactors[f + s + N * col] }
                    half[row + N * col] = acc
                }
            }
            var trace = 0.0
            for col in 0..<N {
                for row in 0..<N {
                    var acc = Complex<Double>.zero
                    for s in row..<N { acc += w.inverseFactors[f + s + N * row].conjugate * half[s + N * col] }
                    phi[target + row + N * col] = Complex(w.powers[k]) * acc
                }
                trace += phi[target + col * (N + 1)].real
            }
            m.scaling[l + L * k] = trace
        }
    }
    guard S > 0 else { return }
    var T = [Complex<Double>](repeating: .zero, count: S * K)
    phi.withUnsafeBufferPointer { pb in
        C.values.withUnsafeBufferPointer { cb in
            T.withUnsafeMutableBufferPointer { tb in
                Complex<Double>.blasGemm(.adjoint, .none, Int32(S), Int32(K), Int32(block), .one, pb.baseAddress!, Int32(block),
                                         cb.baseAddress!, Int32(block), .zero, tb.baseAddress!, Int32(S))
            }
        }
    }
    for (position, k) in served.enumerated() { for i in 0..<K { m.signal2[i + K * k] += T[position + S * i].real } }
}

/// Real floating-point operations of `mmseCombinerMoments` for clusters D (complex multiply-add = 8),
/// conditioned on the estimates (no channels) unless `conditional` is false: the whitening gemms, then
/// per realization and serving group the Gram matrix (herk), its Cholesky factor, the solve (or the
/// inverse S⁻¹), the gains or X gemm and the per-AP energies (Σ x·xᴴ) — small groups from the realization's
/// Gram matrix Γ instead of their own herk; then the error terms per drop.
public func mmseCombinerMomentsFlops(clusters D: ClusterMatrix, N: Int, realizations nbr: Int, conditional: Bool = true) -> Double {
    let K = Double(D.K), n = Double(N), L = Double(D.L)
    let whitening = (conditional ? 1 : 2) * L * 8 * n * n * K * Double(nbr)
    var perRealization = 0.0, links = 0.0
    let groups = ServingGroup.groups(D, N: N)
    if groups.contains(where: \.small) { perRealization += 4 * (L * n) * (L * n) * K }   // Γ = Y·Yᴴ
    for group in groups {
        let m = Double(group.rows.count), s = Double(group.members.count), a = Double(group.aps.count)
        links += s * a
        let energies = conditional ? s * a * 8 * n * n : s * a * 4 * n * (n + 1)
        if group.small {
            perRealization += 4 * m * m * m / 3 + 8 * m * m * s + 8 * K * m * s + energies
        } else if group.rows.count <= D.K {
            perRealization += 4 * m * m * K + 4 * m * m * m / 3 + 8 * m * m * s + 8 * K * m * s + energies
        } else if conditional {
            perRealization += 4 * K * K * m + 8 * K * K * K / 3 + 8 * m * K * s + energies
        } else {
            perRealization += 4 * K * K * m + 4 * K * K * K / 3 + 8 * K * K * m + 8 * K * K * m + energies
        }
    }
    let served = Double((0..<D.K).filter { !D.servingAPs($0).isEmpty }.count)
    let errorTerms = conditional ? links * 16 * n * n * n + L * 8 * served * K * n * n : 0
    return whitening + perRealization * Double(nbr) + errorTerms
}

/// Largest serving set (|M|N rows) solved by hand rather than by LAPACK.
let smallSystem = 32

/// Fixed number of realization chunks (independent of the thread count, so sums are reproducible).
private let momentChunks = 4

/// Hermitian N×N blocks stored by their lower triangle: the upper triangle from it.
private func fillUpperTriangles(_ blocks: inout [Complex<Double>], N: Int) {
    for o in stride(from: 0, to: blocks.count, by: N * N) {
        for col in 0..<N { for row in 0..<col { blocks[o + row + N * col] = blocks[o + col + N * row].conjugate } }
    }
}

/// Running sums of the moments over some realizations; with N > 0 also Σ x_klx_klᴴ (N×N at N²·(l + L·k)).
struct MomentSums {
    var signal: [Complex<Double>], signal2: [Double], scaling: [Double], psi: [Complex<Double>]
    init(L: Int, K: Int, N: Int) {
        signal = .init(repeating: .zero, count: K * K); signal2 = .init(repeating: 0, count: K * K)
        scaling = .init(repeating: 0, count: L * K); psi = .init(repeating: .zero, count: N * N * L * K)
    }
    mutating func add(_ o: MomentSums) {
        for j in signal.indices { signal[j] += o.signal[j]; signal2[j] += o.signal2[j] }
        for j in scaling.indices { scaling[j] += o.scaling[j] }
        for j in psi.indices { psi[j] += o.psi[j] }
    }
}

/// Y = L⁻¹·Ĥ·diag(√p) and W = L⁻¹·H (or L⁻¹·Ĥ without channels) for all realizations (channel-tensor
/// layout), with the inverse Cholesky factors L_l⁻¹ (lower triangular, N×N column-major at N²·l) of
/// Z_l = Σ_i p_i·C_il + I_N.
struct WhitenedChannels {
    let N: Int, L: Int, K: Int, realizations: Int
    var y: [Complex<Double>], w: [Complex<Double>]
    var inverseFactors: [Complex<Double>]
    /// p_i [mW] and √p_i [√mW].
    let powers: [Double], roots: [Double]
    /// Γ = Y·Yᴴ of every realization (LN×LN lower triangles at (LN)²·n) once `keepGrams` has run; else each
    /// call of the moments forms them again.
    private(set) var grams: [Complex<Double>]?

    /// Without channels: moments conditioned on the estimates (W = L⁻¹Ĥ is Y·diag(1/√p), not stored;
    /// Σ x_klx_klᴴ accumulated).
    let conditional: Bool

    init(_ Hhat: ChannelTensor, _ C: CorrelationMatrices, channels: ChannelTensor?, powers: [Double], threads: Int) throws {
        N = Hhat.N; L = Hhat.L; K = Hhat.K; realizations = Hhat.realizations
        self.powers = powers
        roots = powers.map { $0.squareRoot() }
        conditional = channels == nil
        if conditional, let i = powers.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw CellFreeError.invalidParameter(field: "powers[\(i)]", value: "\(powers[i])", expected: "a positive UL power in mW")
        }
        let LN = L * N, columns = K * Hhat.realizations, everyone = Array(0..<K)
        var factors = [Complex<Double>]()
        for l in 0..<L {
            factors += try errorBlock(C, l: l, users: everyone, powers: powers).cholesky().lower.inverse().elements
        }
        inverseFactors = factors
        let count = Hhat.values.count
        func uninitialized() -> [Complex<Double>] { .init(unsafeUninitializedCapacity: count) { _, n in n = count } }
        y = uninitialized()   // every entry written by the gemms below
        w = conditional ? [] : uninitialized()
        let NN = N * N, K = K, roots = roots
        let sources = [Hhat] + (channels.map { [$0] } ?? [])
        for (index, source) in sources.enumerated() {
            var target = index == 0 ? y : w
            if index == 0 { y = [] } else { w = [] }   // keep `target` uniquely referenced (no copy on write)
            target.withUnsafeMutableBufferPointer { tb in
                source.values.withUnsafeBufferPointer { sb in
                    factors.withUnsafeBufferPointer { fb in
                        let io = UncheckedSendable(value: (sb.baseAddress!, tb.baseAddress!, fb.baseAddress!))
                        parallelFor(L, threads: threads) { l in
                            let (from, to, f) = io.value
                            Complex<Double>.blasGemm(.none, .none, Int32(N), Int32(columns), Int32(N), .one, f + NN * l, Int32(N),
                                                     from + l * N, Int32(LN), .zero, to + l * N, Int32(LN))
                            guard index == 0 else { return }
                            // diag(√p) on the estimates: column (i, n) of AP l's rows.
                            for column in 0..<columns {
                                let s = Complex(roots[column % K]), at = to + l * N + LN * column
                                for a in 0..<N { at[a] = s * at[a] }
                            }
                        }
                    }
                }
            }
            if index == 0 { y = target } else { w = target }
        }
    }

    /// Γ = Y·Yᴴ of realization n (lower triangle) into `gram` (LN×LN).
    func gram(realization n: Int, into gram: UnsafeMutablePointer<Complex<Double>>) {
        let LN = L * N
        y.withUnsafeBufferPointer { yb in
            Complex<Double>.blasHerk(.none, Int32(LN), Int32(K), 1, yb.baseAddress! + LN * K * n, Int32(LN), 0, gram, Int32(LN))
        }
    }

    /// Forms every realization's Γ once, for callers that score many clusterings ((LN)² per realization).
    mutating func keepGrams() {
        let size = (L * N) * (L * N)
        var all = [Complex<Double>](repeating: .zero, count: size * realizations)
        all.withUnsafeMutableBufferPointer { b in for n in 0..<realizations { gram(realization: n, into: b.baseAddress! + size * n) } }
        grams = all
    }
}
