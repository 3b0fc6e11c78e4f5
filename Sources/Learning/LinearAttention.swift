extension Tape {
    /// Kernelized (linear) attention with feature maps already applied, O(M·r·dh) per head:
    /// S = Fkᵀ·V, z = Σ_j Fk_j, N = Fq·S, D = Fq·z + eps, O = N / D (row-wise).
    /// With the cosFormer features [φ(x)·cos θ_i, φ(x)·sin θ_i] this is models.md §3.2 (linear form);
    /// with the FAVOR+ features it is §3.3. fq, fk [B, H, M, r], v [B, H, M, dh] → [B, H, M, dh].
    /// Backward (§6): dN = G/D, dD_i = −Σ_c G_ic·O_ic/D_i, dFq = dN·Sᵀ + dD·zᵀ, dS = Fqᵀ·dN,
    /// dz = Fqᵀ·dD, dFk = V·dSᵀ + 1·dzᵀ, dV = Fk·dS.
    public func linearAttention(_ fq: Variable, _ fk: Variable, _ v: Variable, eps: T = T(1) / 1_000_000) -> Variable {
        let FQ = value(fq), FK = value(fk), V = value(v)
        precondition(FQ.rank == 4 && FQ.shape == FK.shape && Array(V.shape.prefix(3)) == Array(FQ.shape.prefix(3)),
                     "linearAttention: \(FQ.shape), \(FK.shape), \(V.shape)")
        let (B, H, M, r, dh) = (FQ.shape[0], FQ.shape[1], FQ.shape[2], FQ.shape[3], V.shape[3])
        let fBlock = M * r, vBlock = M * dh
        var S = [T](repeating: 0, count: B * H * r * dh), z = [T](repeating: 0, count: B * H * r)
        var D = [T](repeating: 0, count: B * H * M), O = [T](repeating: 0, count: B * H * vBlock)
        FQ.values.withUnsafeBufferPointer { qp in FK.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
            S.withUnsafeMutableBufferPointer { sp in O.withUnsafeMutableBufferPointer { op in
                for bh in 0..<(B * H) {
                    let fqb = qp.baseAddress! + bh * fBlock, fkb = kp.baseAddress! + bh * fBlock
                    let s = sp.baseAddress! + bh * r * dh, o = op.baseAddress! + bh * vBlock
                    gemm(true, false, r, dh, M, 1, fkb, r, vp.baseAddress! + bh * vBlock, dh, 0, s, dh)
                    z.withUnsafeMutableBufferPointer { zp in D.withUnsafeMutableBufferPointer { dp in
                        let zb = zp.baseAddress! + bh * r
                        for j in 0..<M { let row = fkb + j * r; for c in 0..<r { zb[c] += row[c] } }
                        gemm(false, false, M, dh, r, 1, fqb, r, s, dh, 0, o, dh)
                        for i in 0..<M {
                            var den = eps
                            let row = fqb + i * r
                            for c in 0..<r { den += row[c] * zb[c] }
                            dp[bh * M + i] = den
                            let inverse = 1 / den
                            for c in 0..<dh { o[i * dh + c] *= inverse }
                        }
                    } }
                }
            } }
        } } }
        return record(Tensor(shape: V.shape, values: O), inputs: [fq, fk, v]) { tape, g in
            var dFq = [T](repeating: 0, count: FQ.count), dFk = dFq, dV = [T](repeating: 0, count: V.count)
            var dN = [T](repeating: 0, count: vBlock), dD = [T](repeating: 0, count: M)
            var dS = [T](repeating: 0, count: r * dh), dz = [T](repeating: 0, count: r)
            FQ.values.withUnsafeBufferPointer { qp in FK.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
                S.withUnsafeBufferPointer { sp in dN.withUnsafeMutableBufferPointer { np in dS.withUnsafeMutableBufferPointer { dsp in
                    for bh in 0..<(B * H) {
                        let fo = bh * fBlock, vo = bh * vBlock
                        for i in 0..<M {
                            let den = D[bh * M + i]
                            var acc: T = 0
                            for c in 0..<dh {
                                np[i * dh + c] = g[vo + i * dh + c] / den
                                acc += g[vo + i * dh + c] * O[vo + i * dh + c]
                            }
                            dD[i] = -acc / den
                        }
                        // dFq = dN·Sᵀ + dD·zᵀ
                        dFq.withUnsafeMutableBufferPointer {
                            gemm(false, true, M, r, dh, 1, np.baseAddress!, dh, sp.baseAddress! + bh * r * dh, dh, 0, $0.baseAddress! + fo, r)
                        }
                        for i in 0..<M { for c in 0..<r { dFq[fo + i * r + c] += dD[i] * z[bh * r + c] } }
                        // dS = Fqᵀ·dN, dz = Fqᵀ·dD
                        gemm(true, false, r, dh, M, 1, qp.baseAddress! + fo, r, np.baseAddress!, dh, 0, dsp.baseAddress!, dh)
                        for c in 0..<r { dz[c] = 0 }
                        for i in 0..<M { for c in 0..<r { dz[c] += qp[fo + i * r + c] * dD[i] } }
                        // dFk = V·dSᵀ + 1·dzᵀ, dV = Fk·dS
                        dFk.withUnsafeMutableBufferPointer {
                            gemm(false, true, M, r, dh, 1, vp.baseAddress! + vo, dh, dsp.baseAddress!, dh, 0, $0.baseAddress! + fo, r)
                        }
                        for j in 0..<M { for c in 0..<r { dFk[fo + j * r + c] += dz[c] } }
                        dV.withUnsafeMutableBufferPointer {
                            gemm(false, false, M, dh, r, 1, kp.baseAddress! + fo, r, dsp.baseAddress!, dh, 0, $0.baseAddress! + vo, dh)
                        }
                    }
                } } }
            } } }
            tape.accumulate(fq, dFq); tape.accumulate(fk, dFk); tape.accumulate(v, dV)
        }
    }

    /// cosFormer features (models.md §3.2): [φ(x_i)·cos θ_i, φ(x_i)·sin θ_i] with θ_i = (π/2)·i/M,
    /// i = 1…M the 1-based token index. x [B, H, M, dh] → [B, H, M, 2dh].
    public func cosFormerFeatures(_ x: Variable, map phi: Activation) -> Variable {
        let X = value(x)
        precondition(X.rank == 4, "cosFormerFeatures needs [B, H, M, dh], got \(X.shape)")
        let (BH, M, dh) = (X.shape[0] * X.shape[1], X.shape[2], X.shape[3])
        let c = (1...max(M, 1)).map { T.cos(T.pi / 2 * T($0) / T(M)) }, s = (1...max(M, 1)).map { T.sin(T.pi / 2 * T($0) / T(M)) }
        let f = phi.apply(X.values)
        let y: [T] = f.withUnsafeBufferPointer { fp in uninitializedArray(2 * X.count) { out in
            for bh in 0..<BH { for i in 0..<M {
                let src = fp.baseAddress! + (bh * M + i) * dh, dst = out + (bh * M + i) * 2 * dh, ci = c[i], si = s[i]
                for a in 0..<dh { dst[a] = src[a] * ci; dst[a + dh] = src[a] * si }
            } }
        } }
        return record(Tensor(shape: Array(X.shape.dropLast()) + [2 * dh], values: y), inputs: [x]) { tape, g in
            var df = [T](repeating: 0, count: X.count)   // dφ(x) = dF_cos ⊙ c + dF_sin ⊙ s
            for bh in 0..<BH { for i in 0..<M { for a in 0..<dh {
                let src = (bh * M + i) * dh + a, dst = (bh * M + i) * 2 * dh + a
                df[src] = g[dst] * c[i] + g[dst + dh] * s[i]
            } } }
            tape.accumulate(x) { dx in phi.accumulateDerivative(x: X.values, y: f, g: df, into: dx) }
        }
    }

    /// FAVOR+ positive random features (models.md §3.3): x' = x·dh^(−1/4), f(x) = exp(Ω·x' − ½|x'|²)/√m,
    /// Ω [m, dh] fixed. x [B, H, M, dh] → [B, H, M, m]. Backward (§6): with g = dF ⊙ F per row,
    /// dx = dh^(−1/4)·(g·Ω − (Σ_r g_r)·x').
    public func performerFeatures(_ x: Variable, omega: Tensor<T>) -> Variable {
        let X = value(x)
        precondition(X.rank == 4 && omega.rank == 2 && omega.shape[1] == X.shape[3], "performerFeatures: x \(X.shape), Ω \(omega.shape)")
        let dh = X.shape[3], rows = X.rows, m = omega.shape[0]
        let s = T.pow(T(dh), -T(1) / 4), norm = 1 / T.sqrt(T(m))
        let xs = X.values.map { $0 * s }
        var F = [T](repeating: 0, count: rows * m)
        xs.withUnsafeBufferPointer { xp in omega.values.withUnsafeBufferPointer { wp in F.withUnsafeMutableBufferPointer { fp in
            gemm(false, true, rows, m, dh, 1, xp.baseAddress!, dh, wp.baseAddress!, dh, 0, fp.baseAddress!, m)
        } } }
        let logNorm = T.log(norm)
        xs.withUnsafeBufferPointer { xp in F.withUnsafeMutableBufferPointer { fp in
            for i in 0..<rows {
                var half: T = 0
                for a in 0..<dh { half += xp[i * dh + a] * xp[i * dh + a] }
                let shift = half / 2 - logNorm
                let row = fp.baseAddress! + i * m
                for r in 0..<m { row[r] -= shift }
            }
            T.exponentiate(fp)
        } }
        return record(Tensor(shape: Array(X.shape.dropLast()) + [m], values: F), inputs: [x]) { tape, g in
            var gF = [T](repeating: 0, count: rows * m), dx = [T](repeating: 0, count: X.count)
            for i in 0..<(rows * m) { gF[i] = g[i] * F[i] }
            gF.withUnsafeBufferPointer { gp in omega.values.withUnsafeBufferPointer { wp in dx.withUnsafeMutableBufferPointer { dp in
                gemm(false, false, rows, dh, m, s, gp.baseAddress!, m, wp.baseAddress!, dh, 0, dp.baseAddress!, dh)
            } } }
            for i in 0..<rows {
                var total: T = 0
                for r in 0..<m { total += gF[i * m + r] }
                for a in 0..<dh { dx[i * dh + a] -= s * total * xs[i * dh + a] }
            }
            tape.accumulate(x, dx)
        }
    }
}
