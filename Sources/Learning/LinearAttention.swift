import Linalg

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
        let workers = threads(forWork: B * H * M * r * dh)
        var S: [T] = uninitializedArray(B * H * r * dh) { _ in }, z = [T](repeating: 0, count: B * H * r)   // S by gemm
        var D: [T] = uninitializedArray(B * H * M) { _ in }, O: [T] = uninitializedArray(B * H * vBlock) { _ in }
        FQ.values.withUnsafeBufferPointer { qp in FK.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
            S.withUnsafeMutableBufferPointer { sp in O.withUnsafeMutableBufferPointer { op in
                z.withUnsafeMutableBufferPointer { zp in D.withUnsafeMutableBufferPointer { dp in
                    let (q0, k0, v0, s0, o0, z0, d0) = (qp.baseAddress!, kp.baseAddress!, vp.baseAddress!, sp.baseAddress!,
                                                        op.baseAddress!, zp.baseAddress!, dp.baseAddress!)
                    parallelFor(B * H, threads: workers) { bh in
                        let fqb = q0 + bh * fBlock, fkb = k0 + bh * fBlock
                        let s = s0 + bh * r * dh, o = o0 + bh * vBlock, zb = z0 + bh * r
                        gemm(true, false, r, dh, M, 1, fkb, r, v0 + bh * vBlock, dh, 0, s, dh)
                        for j in 0..<M { let row = fkb + j * r; for c in 0..<r { zb[c] += row[c] } }
                        gemm(false, false, M, dh, r, 1, fqb, r, s, dh, 0, o, dh)
                        let den = d0 + bh * M   // D = Fq·z + eps (a matrix-vector product)
                        gemm(false, false, M, 1, r, 1, fqb, r, zb, 1, 0, den, 1)
                        for i in 0..<M {
                            den[i] += eps
                            let inverse = 1 / den[i]
                            for c in 0..<dh { o[i * dh + c] *= inverse }
                        }
                    }
                } }
            } }
        } } }
        return record(Tensor(shape: V.shape, values: O), inputs: [fq, fk, v]) { tape, g in
            // dFq, dFk, dV are written whole per (b, h) block (gemm with beta 0, then added to).
            var dFq: [T] = uninitializedArray(FQ.count) { _ in }, dFk = dFq, dV: [T] = uninitializedArray(V.count) { _ in }
            FQ.values.withUnsafeBufferPointer { qp in FK.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
                S.withUnsafeBufferPointer { sp in g.withUnsafeBufferPointer { gp in O.withUnsafeBufferPointer { opo in z.withUnsafeBufferPointer { zp in
                    dFq.withUnsafeMutableBufferPointer { dqp in dFk.withUnsafeMutableBufferPointer { dkp in dV.withUnsafeMutableBufferPointer { dvp in
                        let (q0, k0, v0, s0, g0, out0) = (qp.baseAddress!, kp.baseAddress!, vp.baseAddress!, sp.baseAddress!,
                                                          gp.baseAddress!, opo.baseAddress!)
                        let (dq0, dk0, dv0, z0) = (dqp.baseAddress!, dkp.baseAddress!, dvp.baseAddress!, zp.baseAddress!)
                        parallelChunks(B * H, threads: workers) { range in
                            let dN = UnsafeMutablePointer<T>.allocate(capacity: vBlock), dD = UnsafeMutablePointer<T>.allocate(capacity: M)
                            let dS = UnsafeMutablePointer<T>.allocate(capacity: r * dh), dz = UnsafeMutablePointer<T>.allocate(capacity: r)
                            defer { dN.deallocate(); dD.deallocate(); dS.deallocate(); dz.deallocate() }
                            for bh in range {
                                let fo = bh * fBlock, vo = bh * vBlock, zb = z0 + bh * r
                                for i in 0..<M {
                                    let den = D[bh * M + i]
                                    var acc: T = 0
                                    for c in 0..<dh {
                                        dN[i * dh + c] = g0[vo + i * dh + c] / den
                                        acc += g0[vo + i * dh + c] * out0[vo + i * dh + c]
                                    }
                                    dD[i] = -acc / den
                                }
                                // dFq = dN·Sᵀ + dD·zᵀ
                                gemm(false, true, M, r, dh, 1, dN, dh, s0 + bh * r * dh, dh, 0, dq0 + fo, r)
                                for i in 0..<M { for c in 0..<r { dq0[fo + i * r + c] += dD[i] * zb[c] } }
                                // dS = Fqᵀ·dN, dz = Fqᵀ·dD
                                gemm(true, false, r, dh, M, 1, q0 + fo, r, dN, dh, 0, dS, dh)
                                for c in 0..<r { dz[c] = 0 }
                                for i in 0..<M { for c in 0..<r { dz[c] += q0[fo + i * r + c] * dD[i] } }
                                // dFk = V·dSᵀ + 1·dzᵀ, dV = Fk·dS
                                gemm(false, true, M, r, dh, 1, v0 + vo, dh, dS, dh, 0, dk0 + fo, r)
                                for j in 0..<M { for c in 0..<r { dk0[fo + j * r + c] += dz[c] } }
                                gemm(false, false, M, dh, r, 1, k0 + fo, r, dS, dh, 0, dv0 + vo, dh)
                            }
                        }
                    } } }
                } } } }
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
        let workers = threads
        let f = phi.apply(X.values, threads: workers)
        let y: [T] = f.withUnsafeBufferPointer { fp in uninitializedArray(2 * X.count) { out in
            let f0 = fp.baseAddress!
            parallelChunks(BH, threads: workers, minimumPerThread: 8) { heads in
                for bh in heads { for i in 0..<M {
                    let src = f0 + (bh * M + i) * dh, dst = out + (bh * M + i) * 2 * dh, ci = c[i], si = s[i]
                    for a in 0..<dh { dst[a] = src[a] * ci; dst[a + dh] = src[a] * si }
                } }
            }
        } }
        return record(Tensor(shape: Array(X.shape.dropLast()) + [2 * dh], values: y), inputs: [x]) { tape, g in
            // dφ(x) = dF_cos ⊙ c + dF_sin ⊙ s
            let df: [T] = g.withUnsafeBufferPointer { gp in uninitializedArray(X.count) { out in
                let g0 = gp.baseAddress!
                parallelChunks(BH, threads: workers, minimumPerThread: 8) { heads in
                    for bh in heads { for i in 0..<M {
                        let src = g0 + (bh * M + i) * 2 * dh, dst = out + (bh * M + i) * dh, ci = c[i], si = s[i]
                        for a in 0..<dh { dst[a] = src[a] * ci + src[a + dh] * si }
                    } }
                }
            } }
            tape.accumulate(x) { dx in phi.accumulateDerivative(x: X.values, y: f, g: df, into: dx, threads: workers) }
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
        let workers = threads(forWork: rows * m * dh)
        let logNorm = T.log(norm)
        let F: [T] = xs.withUnsafeBufferPointer { xp in omega.values.withUnsafeBufferPointer { wp in uninitializedArray(rows * m) { fp in
            let (x0, w0) = (xp.baseAddress!, wp.baseAddress!)
            parallelChunks(rows, threads: workers, minimumPerThread: 16) { block in
                let f = fp + block.lowerBound * m
                gemm(false, true, block.count, m, dh, 1, x0 + block.lowerBound * dh, dh, w0, dh, 0, f, m)
                for (j, i) in block.enumerated() {
                    var half: T = 0
                    for a in 0..<dh { half += x0[i * dh + a] * x0[i * dh + a] }
                    let shift = half / 2 - logNorm
                    let row = f + j * m
                    for r in 0..<m { row[r] -= shift }
                }
                T.exponentiate(UnsafeMutableBufferPointer(start: f, count: block.count * m))
            }
        } } }
        return record(Tensor(shape: Array(X.shape.dropLast()) + [m], values: F), inputs: [x]) { tape, g in
            var dx: [T] = uninitializedArray(X.count) { _ in }   // every row written by its block's gemm
            g.withUnsafeBufferPointer { gp in F.withUnsafeBufferPointer { fp in xs.withUnsafeBufferPointer { xp in
                omega.values.withUnsafeBufferPointer { wp in dx.withUnsafeMutableBufferPointer { dp in
                    let (g0, f0, x0, w0, d0) = (gp.baseAddress!, fp.baseAddress!, xp.baseAddress!, wp.baseAddress!, dp.baseAddress!)
                    parallelChunks(rows, threads: workers, minimumPerThread: 16) { block in
                        let gF = UnsafeMutablePointer<T>.allocate(capacity: block.count * m)
                        defer { gF.deallocate() }
                        let o = block.lowerBound * m
                        for i in 0..<(block.count * m) { gF[i] = g0[o + i] * f0[o + i] }
                        gemm(false, false, block.count, dh, m, s, gF, m, w0, dh, 0, d0 + block.lowerBound * dh, dh)
                        for (j, i) in block.enumerated() {
                            var total: T = 0
                            for r in 0..<m { total += gF[j * m + r] }
                            for a in 0..<dh { d0[i * dh + a] -= s * total * x0[i * dh + a] }
                        }
                    }
                } }
            } } }
            tape.accumulate(x, dx)
        }
    }
}
