// Multi-head plumbing of models.md §1.3: head h owns feature columns h·dh ..< (h+1)·dh.

extension Tape {
    /// Part `part` (0 = Q, 1 = K, 2 = V) of a packed [B, M, 3d] projection, split into heads: [B, H, M, dh].
    public func splitHeads(_ qkv: Variable, part: Int, heads H: Int) -> Variable {
        let X = value(qkv)
        precondition(X.rank == 3 && X.shape[2] % (3 * H) == 0, "splitHeads: \(X.shape) with \(H) heads")
        let (B, M, width) = (X.shape[0], X.shape[1], X.shape[2]), d = width / 3, dh = d / H
        func source(_ b: Int, _ h: Int, _ i: Int) -> Int { (b * M + i) * width + part * d + h * dh }
        let y: [T] = X.values.withUnsafeBufferPointer { xs in uninitializedArray(B * H * M * dh) { out in
            for b in 0..<B { for h in 0..<H { for i in 0..<M {
                (out + ((b * H + h) * M + i) * dh).update(from: xs.baseAddress! + source(b, h, i), count: dh)
            } } }
        } }
        return record(Tensor(shape: [B, H, M, dh], values: y), inputs: [qkv]) { tape, g in
            tape.accumulate(qkv) { dx in
                for b in 0..<B { for h in 0..<H { for i in 0..<M {
                    let s = source(b, h, i), t = ((b * H + h) * M + i) * dh
                    for c in 0..<dh { dx[s + c] += g[t + c] }
                } } }
            }
        }
    }

    /// Concatenates heads back: [B, H, M, dh] → [B, M, H·dh].
    public func mergeHeads(_ x: Variable) -> Variable {
        let X = value(x)
        precondition(X.rank == 4, "mergeHeads needs [B, H, M, dh], got \(X.shape)")
        let (B, H, M, dh) = (X.shape[0], X.shape[1], X.shape[2], X.shape[3]), d = H * dh
        let y: [T] = X.values.withUnsafeBufferPointer { xs in uninitializedArray(B * M * d) { out in
            for b in 0..<B { for h in 0..<H { for i in 0..<M {
                (out + (b * M + i) * d + h * dh).update(from: xs.baseAddress! + ((b * H + h) * M + i) * dh, count: dh)
            } } }
        } }
        return record(Tensor(shape: [B, M, d], values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { dx in
                for b in 0..<B { for h in 0..<H { for i in 0..<M {
                    let s = ((b * H + h) * M + i) * dh, t = (b * M + i) * d + h * dh
                    for c in 0..<dh { dx[s + c] += g[t + c] }
                } } }
            }
        }
    }
}
