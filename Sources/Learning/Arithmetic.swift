import Linalg

extension Tape {
    /// a + b, same shapes.
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        let A = value(a), B = value(b)
        precondition(A.shape == B.shape, "add: \(A.shape) + \(B.shape)")
        return record(Tensor(shape: A.shape, values: zipElements(A.values, B.values, threads: threads, +)), inputs: [a, b]) { tape, g in
            tape.accumulate(a, g)
            tape.accumulate(b, g)
        }
    }

    /// a − b, same shapes.
    public func subtract(_ a: Variable, _ b: Variable) -> Variable {
        let A = value(a), B = value(b)
        precondition(A.shape == B.shape, "subtract: \(A.shape) − \(B.shape)")
        return record(Tensor(shape: A.shape, values: zipElements(A.values, B.values, threads: threads, -)), inputs: [a, b]) { tape, g in
            tape.accumulate(a, g)
            tape.accumulate(b) { db in for i in 0..<db.count { db[i] -= g[i] } }
        }
    }

    /// a ⊙ b element-wise; b may also have the shape of a's trailing axes (broadcast over the leading ones).
    public func multiply(_ a: Variable, _ b: Variable) -> Variable {
        let A = value(a), B = value(b)
        precondition(A.shape.count >= B.shape.count && Array(A.shape.suffix(B.shape.count)) == B.shape,
                     "multiply: \(A.shape) ⊙ \(B.shape)")
        let n = B.count, blocks = A.count / max(n, 1)   // b repeats over the leading axes
        var y = A.values
        for k in 0..<blocks { for j in 0..<n { y[k * n + j] *= B.values[j] } }
        return record(Tensor(shape: A.shape, values: y), inputs: [a, b]) { tape, g in
            tape.accumulate(a) { da in for k in 0..<blocks { for j in 0..<n { da[k * n + j] += g[k * n + j] * B.values[j] } } }
            tape.accumulate(b) { db in for k in 0..<blocks { for j in 0..<n { db[j] += g[k * n + j] * A.values[k * n + j] } } }
        }
    }

    /// s·a + t for constants s, t.
    public func affine(_ a: Variable, scale s: T, shift t: T = 0) -> Variable {
        let A = value(a)
        return record(Tensor(shape: A.shape, values: mapElements(A.values, threads: threads) { s * $0 + t }), inputs: [a]) { tape, g in
            tape.accumulate(a) { da in for i in 0..<da.count { da[i] += s * g[i] } }
        }
    }

    /// Σ of every entry, a scalar.
    public func sum(_ a: Variable) -> Variable {
        let A = value(a)
        return record(.scalar(A.values.reduce(0, +)), inputs: [a]) { tape, g in
            tape.accumulate(a) { da in for i in 0..<da.count { da[i] += g[0] } }
        }
    }

    /// Mean of every entry, a scalar.
    public func mean(_ a: Variable) -> Variable {
        affine(sum(a), scale: 1 / T(value(a).count))
    }

    /// The same values under another shape.
    public func reshape(_ a: Variable, _ shape: [Int]) -> Variable {
        record(value(a).reshaped(shape), inputs: [a]) { tape, g in tape.accumulate(a, g) }
    }
}

extension Tape {
    /// Σ over the last axis: [..., n] → [...].
    public func sumLast(_ x: Variable) -> Variable {
        let X = value(x), n = X.lastDimension, rows = X.rows
        let y = (0..<rows).map { r in (0..<n).reduce(T(0)) { $0 + X.values[r * n + $1] } }
        return record(Tensor(shape: Array(X.shape.dropLast()), values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in for i in 0..<d.count { d[i] += g[i / n] } }
        }
    }

    /// (ln max(x, f) − ln f)/(ln m − ln f) element-wise: x on a log scale from floor f (0) to m (1);
    /// no gradient where x ≤ f.
    public func logNormalised(_ x: Variable, floor f: T, max m: T) -> Variable {
        let X = value(x), scale = 1 / (T.log(m) - T.log(f)), logFloor = T.log(f)
        let y = X.values.map { (T.log(Swift.max($0, f)) - logFloor) * scale }
        return record(Tensor(shape: X.shape, values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in for i in 0..<d.count where X.values[i] > f { d[i] += g[i] * scale / X.values[i] } }
        }
    }

    /// x minus its mean over the last axis (same shape); the gradient is g minus its mean likewise.
    public func centredLast(_ x: Variable) -> Variable {
        let X = value(x)
        return record(Tensor(shape: X.shape, values: centredRows(X.values, width: X.lastDimension)), inputs: [x]) { tape, g in
            let G = centredRows(g, width: X.lastDimension)
            tape.accumulate(x) { d in for i in 0..<d.count { d[i] += G[i] } }
        }
    }

    /// Each row (last axis) sorted ascending (same shape); the gradient of an output entry goes back
    /// to the input entry it came from (ties keep their order, so the permutation is deterministic).
    public func sortedLast(_ x: Variable) -> Variable {
        let X = value(x), n = X.lastDimension
        var order = [Int](repeating: 0, count: X.count), y = X.values
        for row in stride(from: 0, to: X.count, by: n) {
            let sorted = (row..<(row + n)).sorted { X.values[$0] < X.values[$1] || (X.values[$0] == X.values[$1] && $0 < $1) }
            for (j, i) in sorted.enumerated() { (order[row + j], y[row + j]) = (i, X.values[i]) }
        }
        return record(Tensor(shape: X.shape, values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in for j in 0..<d.count { d[order[j]] += g[j] } }
        }
    }

    /// Mean over the last axis: [..., n] → [...].
    public func meanLast(_ x: Variable) -> Variable { affine(sumLast(x), scale: 1 / T(value(x).lastDimension)) }

    /// Inverted dropout (training): each entry zeroed with probability p, survivors scaled by 1/(1 − p).
    /// One 32-bit Philox word per entry (kept when word ≥ p·2³²), so a run is reproducible from its seed.
    public func dropout(_ x: Variable, rate p: Double, using rng: inout RandomStream) -> Variable {
        guard p > 0 else { return x }
        let X = value(x), scale = T(1 / (1 - p)), threshold = UInt32(min(p * 4_294_967_296, 4_294_967_295))
        var words = [UInt32](repeating: 0, count: X.count)
        words.withUnsafeMutableBufferPointer { rng.fillWords($0, threads: threads) }
        let keep: [T] = words.withUnsafeBufferPointer { w in uninitializedArray(X.count) { k in
            for i in 0..<X.count { k[i] = w[i] >= threshold ? scale : 0 }
        } }
        let y = zipElements(X.values, keep, threads: threads, *)
        return record(Tensor(shape: X.shape, values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in for i in 0..<d.count { d[i] += g[i] * keep[i] } }
        }
    }
}

/// The random stream of dropout masks during training, shared by the layers of one forward pass.
public final class DropoutStream {
    public var rng: RandomStream
    public init(_ rng: RandomStream) { self.rng = rng }
}

extension Tensor {
    /// Each row (last axis) minus its mean.
    var centredRows: Tensor { Tensor(shape: shape, values: Learning.centredRows(values, width: lastDimension)) }

    /// The mean of each row (last axis).
    var rowMeans: [T] {
        let n = lastDimension
        return stride(from: 0, to: count, by: n).map { values[$0..<($0 + n)].reduce(0, +) / T(n) }
    }

    /// Each row (last axis) sorted ascending.
    var sortedRows: Tensor {
        let n = lastDimension
        return Tensor(shape: shape, values: stride(from: 0, to: count, by: n).flatMap { values[$0..<($0 + n)].sorted() })
    }
}

/// Each row of `width` values minus its mean.
func centredRows<T: TensorScalar>(_ values: [T], width n: Int) -> [T] {
    var v = values
    for row in stride(from: 0, to: v.count, by: n) {
        let mean = v[row..<(row + n)].reduce(0, +) / T(n)
        for i in row..<(row + n) { v[i] -= mean }
    }
    return v
}
