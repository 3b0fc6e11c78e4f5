extension Tape {
    /// Softmax attention (models.md §3.1), optionally restricted to the band |i − j| ≤ window (§3.4):
    /// Z = Q·Kᵀ/√dh, P = softmax(Z) per row (entries outside the band are −∞), O = P·V.
    /// q, k, v [B, H, M, dh] → [B, H, M, dh].
    /// Backward (§6): dV = Pᵀ·G, dP = G·Vᵀ, dZ = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dZ·K/√dh, dK = dZᵀ·Q/√dh.
    public func softmaxAttention(_ q: Variable, _ k: Variable, _ v: Variable, window: Int? = nil) -> Variable {
        let Q = value(q), Kt = value(k), V = value(v)
        precondition(Q.rank == 4 && Q.shape == Kt.shape && Q.shape == V.shape, "softmaxAttention: \(Q.shape), \(Kt.shape), \(V.shape)")
        let (B, H, M, dh) = (Q.shape[0], Q.shape[1], Q.shape[2], Q.shape[3])
        let scale = 1 / T.sqrt(T(dh)), block = M * dh, square = M * M
        var P = [T](repeating: 0, count: B * H * square), O = [T](repeating: 0, count: B * H * block)
        Q.values.withUnsafeBufferPointer { qp in Kt.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
            P.withUnsafeMutableBufferPointer { pp in O.withUnsafeMutableBufferPointer { op in
                for bh in 0..<(B * H) {
                    let z = pp.baseAddress! + bh * square
                    gemm(false, true, M, M, dh, scale, qp.baseAddress! + bh * block, dh, kp.baseAddress! + bh * block, dh, 0, z, M)
                    for i in 0..<M {
                        let row = z + i * M
                        let lo = window.map { max(0, i - $0) } ?? 0, hi = window.map { min(M - 1, i + $0) } ?? (M - 1)
                        var top = -T.infinity
                        for j in lo...hi { top = max(top, row[j]) }
                        for j in lo...hi { row[j] -= top }
                        T.exponentiate(UnsafeMutableBufferPointer(start: row + lo, count: hi - lo + 1))
                        if window != nil {   // entries outside the band are −∞ before the softmax
                            for j in 0..<lo { row[j] = 0 }
                            for j in (hi + 1)..<M { row[j] = 0 }
                        }
                        var total: T = 0
                        for j in lo...hi { total += row[j] }
                        let inverse = 1 / total
                        for j in lo...hi { row[j] *= inverse }
                    }
                    gemm(false, false, M, dh, M, 1, z, M, vp.baseAddress! + bh * block, dh, 0, op.baseAddress! + bh * block, dh)
                }
            } }
        } } }
        return record(Tensor(shape: Q.shape, values: O), inputs: [q, k, v]) { tape, g in
            var dZ = [T](repeating: 0, count: square)
            var dQ = [T](repeating: 0, count: B * H * block), dK = dQ, dV = dQ
            g.withUnsafeBufferPointer { gp in P.withUnsafeBufferPointer { pp in
                Q.values.withUnsafeBufferPointer { qp in Kt.values.withUnsafeBufferPointer { kp in V.values.withUnsafeBufferPointer { vp in
                    dZ.withUnsafeMutableBufferPointer { zp in
                        for bh in 0..<(B * H) {
                            let p = pp.baseAddress! + bh * square, gb = gp.baseAddress! + bh * block, o = bh * block
                            dV.withUnsafeMutableBufferPointer { gemm(true, false, M, dh, M, 1, p, M, gb, dh, 0, $0.baseAddress! + o, dh) }
                            gemm(false, true, M, M, dh, 1, gb, dh, vp.baseAddress! + o, dh, 0, zp.baseAddress!, M)   // dP
                            for i in 0..<M {
                                var dot: T = 0
                                for j in 0..<M { dot += zp[i * M + j] * p[i * M + j] }
                                for j in 0..<M { zp[i * M + j] = p[i * M + j] * (zp[i * M + j] - dot) }
                            }
                            dQ.withUnsafeMutableBufferPointer {
                                gemm(false, false, M, dh, M, scale, zp.baseAddress!, M, kp.baseAddress! + o, dh, 0, $0.baseAddress! + o, dh)
                            }
                            dK.withUnsafeMutableBufferPointer {
                                gemm(true, false, M, dh, M, scale, zp.baseAddress!, M, qp.baseAddress! + o, dh, 0, $0.baseAddress! + o, dh)
                            }
                        }
                    }
                } } }
            } }
            tape.accumulate(q, dQ); tape.accumulate(k, dK); tape.accumulate(v, dV)
        }
    }
}
