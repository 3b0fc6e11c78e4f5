import Linalg

// Multi-head plumbing of models.md §1.3: head h owns feature columns h·dh ..< (h+1)·dh.

extension Tape {
    /// Part `part` (0 = Q, 1 = K, 2 = V) of a packed [B, M, 3d] projection, split into heads: [B, H, M, dh].
    public func splitHeads(_ qkv: Variable, part: Int, heads H: Int) -> Variable {
        let X = value(qkv)
        precondition(X.rank == 3 && X.shape[2] % (3 * H) == 0, "splitHeads: \(X.shape) with \(H) heads")
        let (B, M, width) = (X.shape[0], X.shape[1], X.shape[2]), d = width / 3, dh = d / H
        func source(_ b: Int, _ h: Int, _ i: Int) -> Int { (b * M + i) * width + part * d + h * dh }
        let workers = threads(forWork: X.count)
        let y: [T] = X.values.withUnsafeBufferPointer { xs in uninitializedArray(B * H * M * dh) { out in
            let x0 = xs.baseAddress!
            parallelChunks(B, threads: workers) { batch in
                for b in batch { for h in 0..<H { for i in 0..<M {
                    (out + ((b * H + h) * M + i) * dh).update(from: x0 + source(b, h, i), count: dh)
                } } }
            }
        } }
        return record(Tensor(shape: [B, H, M, dh], values: y), inputs: [qkv]) { tape, g in
            tape.accumulate(qkv) { dx in
                g.withUnsafeBufferPointer { gp in
                    let (d0, g0) = (dx.baseAddress!, gp.baseAddress!)
                    parallelChunks(B, threads: workers) { batch in
                        for b in batch { for h in 0..<H { for i in 0..<M {
                            let s = d0 + source(b, h, i), t = g0 + ((b * H + h) * M + i) * dh
                            for c in 0..<dh { s[c] += t[c] }
                        } } }
                    }
                }
            }
        }
    }

    /// Concatenates heads back: [B, H, M, dh] → [B, M, H·dh].
    public func mergeHeads(_ x: Variable) -> Variable {
        let X = value(x)
        precondition(X.rank == 4, "mergeHeads needs [B, H, M, dh], got \(X.shape)")
        let (B, H, M, dh) = (X.shape[0], X.shape[1], X.shape[2], X.shape[3]), d = H * dh
        let workers = threads(forWork: X.count)
        let y: [T] = X.values.withUnsafeBufferPointer { xs in uninitializedArray(B * M * d) { out in
            let x0 = xs.baseAddress!
            parallelChunks(B, threads: workers) { batch in
                for b in batch { for h in 0..<H { for i in 0..<M {
                    (out + (b * M + i) * d + h * dh).update(from: x0 + ((b * H + h) * M + i) * dh, count: dh)
                } } }
            }
        } }
        return record(Tensor(shape: [B, M, d], values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { dx in
                g.withUnsafeBufferPointer { gp in
                    let (d0, g0) = (dx.baseAddress!, gp.baseAddress!)
                    parallelChunks(B, threads: workers) { batch in
                        for b in batch { for h in 0..<H { for i in 0..<M {
                            let s = d0 + ((b * H + h) * M + i) * dh, t = g0 + (b * M + i) * d + h * dh
                            for c in 0..<dh { s[c] += t[c] }
                        } } }
                    }
                }
            }
        }
    }
}
