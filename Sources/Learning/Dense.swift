extension Tape {
    /// Dense layer y = x·W + b: x [..., in], W [in, out], b [out] → y [..., out] (models.md §0).
    /// Backward (models.md §6): dx = G·Wᵀ, dW = xᵀ·G, db = Σ_rows G.
    public func dense(_ x: Variable, _ W: Variable, _ b: Variable? = nil) -> Variable {
        let X = value(x), Wt = value(W)
        precondition(Wt.rank == 2 && X.lastDimension == Wt.shape[0], "dense: x \(X.shape) · W \(Wt.shape)")
        let (rows, fanIn, fanOut) = (X.rows, Wt.shape[0], Wt.shape[1])
        let bias = b.map { value($0).values }
        precondition(bias == nil || bias!.count == fanOut, "dense: bias for \(fanOut) outputs")
        let y: [T] = uninitializedArray(rows * fanOut) { yp in
            if let bias {   // y starts as the bias in every row, then gemm adds x·W
                bias.withUnsafeBufferPointer { bp in for r in 0..<rows { (yp + r * fanOut).update(from: bp.baseAddress!, count: fanOut) } }
            }
            X.values.withUnsafeBufferPointer { xp in
                Wt.values.withUnsafeBufferPointer { wp in
                    gemm(false, false, rows, fanOut, fanIn, 1, xp.baseAddress!, fanIn, wp.baseAddress!, fanOut,
                         bias == nil ? 0 : 1, yp, fanOut)
                }
            }
        }
        let inputs = b.map { [x, W, $0] } ?? [x, W]
        return record(Tensor(shape: Array(X.shape.dropLast()) + [fanOut], values: y), inputs: inputs) { tape, g in
            g.withUnsafeBufferPointer { gp in
                tape.accumulate(x) { dx in
                    Wt.values.withUnsafeBufferPointer { wp in
                        gemm(false, true, rows, fanIn, fanOut, 1, gp.baseAddress!, fanOut, wp.baseAddress!, fanOut,
                             1, dx.baseAddress!, fanIn)
                    }
                }
                tape.accumulate(W) { dW in
                    X.values.withUnsafeBufferPointer { xp in
                        gemm(true, false, fanIn, fanOut, rows, 1, xp.baseAddress!, fanIn, gp.baseAddress!, fanOut,
                             1, dW.baseAddress!, fanOut)
                    }
                }
                if let b {
                    tape.accumulate(b) { db in
                        for r in 0..<rows { let row = gp.baseAddress! + r * fanOut; for j in 0..<fanOut { db[j] += row[j] } }
                    }
                }
            }
        }
    }
}
