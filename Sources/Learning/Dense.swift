import Linalg

extension Tape {
    /// Dense layer y = x·W + b: x [..., in], W [in, out], b [out] → y [..., out] (models.md §0).
    /// Backward (models.md §6): dx = G·Wᵀ, dW = xᵀ·G, db = Σ_rows G.
    /// With several threads, y and dx are split by rows and dW by output columns, so no sum is split
    /// and the result does not depend on the thread count (BLAS itself should run single-threaded).
    public func dense(_ x: Variable, _ W: Variable, _ b: Variable? = nil) -> Variable {
        let X = value(x), Wt = value(W)
        precondition(Wt.rank == 2 && X.lastDimension == Wt.shape[0], "dense: x \(X.shape) · W \(Wt.shape)")
        let (rows, fanIn, fanOut) = (X.rows, Wt.shape[0], Wt.shape[1])
        let bias = b.map { value($0).values }
        precondition(bias == nil || bias!.count == fanOut, "dense: bias for \(fanOut) outputs")
        let workers = threads(forWork: rows * fanIn * fanOut)
        let y: [T] = uninitializedArray(rows * fanOut) { yp in
            X.values.withUnsafeBufferPointer { xp in Wt.values.withUnsafeBufferPointer { wp in
                let (x0, w0) = (xp.baseAddress!, wp.baseAddress!)
                parallelChunks(rows, threads: workers, minimumPerThread: 16) { r in
                    if let bias {   // y starts as the bias in every row, then gemm adds x·W
                        bias.withUnsafeBufferPointer { bp in for i in r { (yp + i * fanOut).update(from: bp.baseAddress!, count: fanOut) } }
                    }
                    gemm(false, false, r.count, fanOut, fanIn, 1, x0 + r.lowerBound * fanIn, fanIn, w0, fanOut,
                         bias == nil ? 0 : 1, yp + r.lowerBound * fanOut, fanOut)
                }
            } }
        }
        let inputs = b.map { [x, W, $0] } ?? [x, W]
        return record(Tensor(shape: Array(X.shape.dropLast()) + [fanOut], values: y), inputs: inputs) { tape, g in
            g.withUnsafeBufferPointer { gp in
                let g0 = gp.baseAddress!
                tape.accumulate(x) { dx in
                    Wt.values.withUnsafeBufferPointer { wp in
                        let (d0, w0) = (dx.baseAddress!, wp.baseAddress!)
                        parallelChunks(rows, threads: workers, minimumPerThread: 16) { r in
                            gemm(false, true, r.count, fanIn, fanOut, 1, g0 + r.lowerBound * fanOut, fanOut, w0, fanOut,
                                 1, d0 + r.lowerBound * fanIn, fanIn)
                        }
                    }
                }
                tape.accumulate(W) { dW in
                    X.values.withUnsafeBufferPointer { xp in
                        let (d0, x0) = (dW.baseAddress!, xp.baseAddress!)
                        parallelChunks(fanOut, threads: workers, minimumPerThread: 8) { c in
                            gemm(true, false, fanIn, c.count, rows, 1, x0, fanIn, g0 + c.lowerBound, fanOut,
                                 1, d0 + c.lowerBound, fanOut)
                        }
                    }
                }
                if let b {
                    tape.accumulate(b) { db in
                        for r in 0..<rows { let row = g0 + r * fanOut; for j in 0..<fanOut { db[j] += row[j] } }
                    }
                }
            }
        }
    }
}
