import Linalg

/// Distributed (Level 2) local combining schemes at each AP, reference-physics §8.3.
public enum LocalScheme: String, CaseIterable, Sendable {
    /// (5.29): all UEs and their error covariance at AP l.
    case lMMSE = "L-MMSE"
    /// (5.39): only the UEs in D_l.
    case lpMMSE = "LP-MMSE"
    /// (5.32): v_kl = ĥ_kl.
    case mr = "MR"
}

/// Per-AP effective gains of local combiners, g_ki,l = v_klᴴ h_il (reference §8.3, §8.4).
public struct DistributedStatistics: Sendable {
    public let L: Int, K: Int
    /// E[v_klᴴ h_il] at k + K·(i + K·l) (zero when l ∉ M_k); the conjugate of `signal_LP_MMSE(i,k,l)`.
    public var mean: [Complex<Double>]
    /// E|v_klᴴ h_il|² at k + K·(i + K·l).
    public var meanSquare: [Double]
    /// E‖v_kl‖² at l + L·k.
    public var scaling: [Double]

    init(L: Int, K: Int) {
        self.L = L; self.K = K
        mean = .init(repeating: .zero, count: K * K * L)
        meanSquare = .init(repeating: 0, count: K * K * L)
        scaling = .init(repeating: 0, count: L * K)
    }
}

/// Runs the local combiners of every AP in every realization (powers p_i [mW] inside, like
/// `functionComputeExpectations`): v_kl = p_k·(Σ_{i∈S_l} p_i(ĥ_ilĥ_ilᴴ + C_il) + I_N)⁻¹ĥ_kl, S_l = all
/// UEs (L-MMSE) or D_l (LP-MMSE); MR uses ĥ_kl. `body(n, l, served, gains, norms)` receives
/// gains = V_lᴴH_l (|D_l|×K, column-major) and ‖v_kl‖² for k ∈ D_l.
func forEachLocalCombiner(_ scheme: LocalScheme, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
                          powers: [Double],
                          _ body: (_ n: Int, _ l: Int, _ served: [Int], _ gains: Matrix<Complex<Double>>, _ norms: [Double]) -> Void) throws {
    let N = e.H.N, L = e.H.L, K = e.H.K, nbr = e.realizations, LN = L * N
    guard powers.count == K else {
        throw CellFreeError.shapeMismatch(what: "UL power vector", expected: "K = \(K) entries", got: "\(powers.count)")
    }
    let servedByAP = (0..<L).map { D.servedUEs($0) }
    let users = (0..<L).map { scheme == .lMMSE ? Array(0..<K) : servedByAP[$0] }
    let bases = (0..<L).map { l in errorBlock(e.C, l: l, users: scheme == .mr ? [] : users[l], powers: powers) }
    for n in 0..<nbr {
        let column = LN * K * n
        for l in 0..<L {
            let served = servedByAP[l]
            if served.isEmpty { continue }
            var V = Matrix<Complex<Double>>(rows: N, columns: served.count)
            for (j, k) in served.enumerated() {
                let scale = scheme == .mr ? Complex<Double>.one : Complex(powers[k])
                for a in 0..<N { V[a, j] = scale * e.Hhat.values[l * N + a + column + LN * k] }
            }
            if scheme != .mr {
                var G = Matrix<Complex<Double>>(rows: N, columns: users[l].count)
                for (j, i) in users[l].enumerated() {
                    let s = Complex(powers[i].squareRoot())
                    for a in 0..<N { G[a, j] = s * e.Hhat.values[l * N + a + column + LN * i] }
                }
                var A = bases[l]
                A.addGram(G, beta: 1)
                do { try A.solvePositiveDefiniteInPlace(&V) } catch {
                    throw CellFreeError.numerical(what: "\(scheme.rawValue) combiner at AP \(l), realization \(n)", detail: "\(error)")
                }
            }
            var gains = Matrix<Complex<Double>>(rows: served.count, columns: K)
            V.elements.withUnsafeBufferPointer { v in
                e.H.values.withUnsafeBufferPointer { h in
                    gains.elements.withUnsafeMutableBufferPointer { g in
                        Complex<Double>.blasGemm(.adjoint, .none, Int32(served.count), Int32(K), Int32(N), .one,
                                                 v.baseAddress!, Int32(N), h.baseAddress! + column + l * N, Int32(LN),
                                                 .zero, g.baseAddress!, Int32(served.count))
                    }
                }
            }
            let norms = (0..<served.count).map { j in (0..<N).reduce(0.0) { $0 + V[$1, j].lengthSquared } }
            body(n, l, served, gains, norms)
        }
    }
}

/// Monte Carlo statistics of local combiners with powers p [mW] (reference §8.3; `signal_LP_MMSE`,
/// `signal2_LP_MMSE`, `scaling_LP_MMSE` of `functionComputeExpectations` for LP-MMSE).
public func distributedStatistics(_ scheme: LocalScheme, estimates e: ChannelEstimates, clusters D: ClusterMatrix,
                                  powers: [Double]) throws -> DistributedStatistics {
    let K = e.H.K, L = e.H.L
    var s = DistributedStatistics(L: L, K: K)
    let invN = 1 / Double(e.realizations)
    try forEachLocalCombiner(scheme, estimates: e, clusters: D, powers: powers) { _, l, served, gains, norms in
        for (j, k) in served.enumerated() {
            s.scaling[l + L * k] += invN * norms[j]
            for i in 0..<K {
                let g = gains[j, i]
                s.mean[k + K * (i + K * l)] += Complex(invN) * g
                s.meanSquare[k + K * (i + K * l)] += invN * g.lengthSquared
            }
        }
    }
    return s
}

/// Local MR statistics in closed form, Corollary 5.6: E[v_klᴴh_il] = tr(B_kl R_kl⁻¹ R_il)·1{t_i=t_k},
/// E|v_klᴴh_il|² = tr(B_kl R_il) + |E[v_klᴴh_il]|², E‖v_kl‖² = tr(B_kl). Needs R_kl invertible (quirk 12.15).
public func mrClosedFormStatistics(R: CorrelationMatrices, B: CorrelationMatrices, pilots: PilotAssignment,
                                   clusters D: ClusterMatrix) throws -> DistributedStatistics {
    let N = R.N, L = R.L, K = R.K
    var s = DistributedStatistics(L: L, K: K)
    // tr(XY) = Σ_{a,b} X_ab·Y_ba.
    func traceOfProduct(_ x: [Complex<Double>], _ y: ArraySlice<Complex<Double>>) -> Complex<Double> {
        var t = Complex<Double>.zero
        let o = y.startIndex
        for a in 0..<N { for b in 0..<N { t += x[a + N * b] * y[o + b + N * a] } }
        return t
    }
    for k in 0..<K {
        for l in 0..<L where D[l, k] {
            let Bkl = B[l, k]
            let X = try R[l, k].solve(Bkl).adjoint   // B_kl·R_kl⁻¹ = (R_kl⁻¹B_kl)ᴴ, both Hermitian
            s.scaling[l + L * k] = B.trace(l, k)
            for i in 0..<K {
                let Ri = R.values[R.offset(l, i)..<(R.offset(l, i) + N * N)]
                let mean = pilots.pilotIndex[i] == pilots.pilotIndex[k] ? traceOfProduct(X.elements, Ri) : .zero
                s.mean[k + K * (i + K * l)] = mean
                s.meanSquare[k + K * (i + K * l)] = traceOfProduct(Bkl.elements, Ri).real + mean.lengthSquared
            }
        }
    }
    return s
}
