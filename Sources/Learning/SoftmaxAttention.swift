import Linalg

extension Tape {
    /// Softmax attention (models.md §3.1), optionally restricted to the band |i − j| ≤ window (§3.4):
    /// Z = Q·Kᵀ/√dh, P = softmax(Z) per row (entries outside the band are −∞), O = P·V.
    /// q, k, v [B, H, M, dh] → [B, H, M, dh]; the (b, h) blocks run on the tape's threads.
    /// Backward (§6): dV = Pᵀ·G, dP = G·Vᵀ, dZ = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dZ·K/√dh, dK = dZᵀ·Q/√dh.
    public func softmaxAttention(_ q: Variable, _ k: Variable, _ v: Variable, window: Int? = nil) -> Variable {
        let Q = value(q), Kt = value(k), V = value(v)
        precondition(Q.rank == 4 && Q.shape == Kt.shape && Q.shape == V.shape, "softmaxAttention: \(Q.shape), \(Kt.shape), \(V.shape)")
        let (B, H, M, dh) = (Q.shape[0], Q.shape[1], Q.shape[2], Q.shape[3])
        let scale = 1 / T.sqrt(T(dh)), block = M * dh, square = M * M
        let workers = threads(forWork: B * H * square * dh)
        var P: [T] = uninitializedArray(B * H * square) { _ in }, O: [T] = uninitializedArray(B * H * block) { _ in }   // gemm writes all
        Q.values.withUnsafeBufferPointer { qp in Kt.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
            P.withUnsafeMutableBufferPointer { pp in O.withUnsafeMutableBufferPointer { op in
                let (q0, k0, v0, p0, o0) = (qp.baseAddress!, kp.baseAddress!, vp.baseAddress!, pp.baseAddress!, op.baseAddress!)
                parallelFor(B * H, threads: workers) { bh in
                    let z = p0 + bh * square
                    gemm(false, true, M, M, dh, scale, q0 + bh * block, dh, k0 + bh * block, dh, 0, z, M)
                    for i in 0..<M {
                        let row = z + i * M
                        let lo = window.map { max(0, i - $0) } ?? 0, hi = window.map { min(M - 1, i + $0) } ?? (M - 1)
                        let band = row + lo, width = hi - lo + 1
                        rowShift(band, width, by: -rowMaximum(band, width))
                        T.exponentiate(UnsafeMutableBufferPointer(start: band, count: width))
                        if window != nil {   // entries outside the band are −∞ before the softmax
                            for j in 0..<lo { row[j] = 0 }
                            for j in (hi + 1)..<M { row[j] = 0 }
                        }
                        rowScale(band, width, by: 1 / rowSum(band, width))
                    }
                    gemm(false, false, M, dh, M, 1, z, M, v0 + bh * block, dh, 0, o0 + bh * block, dh)
                }
            } }
        } } }
        return record(Tensor(shape: Q.shape, values: O), inputs: [q, k, v]) { tape, g in
            // Every buffer below is written by a gemm (beta 0).
            var dQ: [T] = uninitializedArray(B * H * block) { _ in }, dK = dQ, dV = dQ
            g.withUnsafeBufferPointer { gp in P.withUnsafeBufferPointer { pp in
                Q.values.withUnsafeBufferPointer { qp in Kt.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
                    dQ.withUnsafeMutableBufferPointer { dqp in dK.withUnsafeMutableBufferPointer { dkp in dV.withUnsafeMutableBufferPointer { dvp in
                        let (g0, p0, q0, k0, v0) = (gp.baseAddress!, pp.baseAddress!, qp.baseAddress!, kp.baseAddress!, vp.baseAddress!)
                        let (dq0, dk0, dv0) = (dqp.baseAddress!, dkp.baseAddress!, dvp.baseAddress!)
                        parallelChunks(B * H, threads: workers) { range in
                            let dZ = UnsafeMutablePointer<T>.allocate(capacity: square)
                            defer { dZ.deallocate() }
                            for bh in range {
                                let p = p0 + bh * square, gb = g0 + bh * block, o = bh * block
                                gemm(true, false, M, dh, M, 1, p, M, gb, dh, 0, dv0 + o, dh)
                                gemm(false, true, M, M, dh, 1, gb, dh, v0 + o, dh, 0, dZ, M)   // dP
                                for i in 0..<M {   // dZ = P ⊙ (dP − rowsum(dP ⊙ P))
                                    let dp = dZ + i * M, pr = p + i * M
                                    var dot: T = 0
                                    for j in 0..<M { dot += dp[j] * pr[j] }
                                    for j in 0..<M { dp[j] = pr[j] * (dp[j] - dot) }
                                }
                                gemm(false, false, M, dh, M, scale, dZ, M, k0 + o, dh, 0, dq0 + o, dh)
                                gemm(true, false, M, dh, M, scale, dZ, M, q0 + o, dh, 0, dk0 + o, dh)
                            }
                        }
                    } } }
                } } }
            } }
            tape.accumulate(q, dQ); tape.accumulate(k, dK); tape.accumulate(v, dV)
        }
    }
}
