// Token-axis plumbing for [B, T, F] activations (models.md §1.1, §5.1).

extension Tape {
    /// Concatenates along the last axis: parts [..., F_i] with equal leading shapes → [..., ΣF_i].
    public func concatenateFeatures(_ parts: [Variable]) -> Variable {
        let first = value(parts[0])
        let lead = Array(first.shape.dropLast()), rows = first.rows
        var widths: [Int] = []
        for part in parts {
            let shape = self.shape(part)
            precondition(Array(shape.dropLast()) == lead, "concatenate: \(shape) after \(first.shape)")
            widths.append(shape.last ?? 1)
        }
        let total = widths.reduce(0, +)
        var offsets = [Int](repeating: 0, count: parts.count)
        for p in 1..<max(parts.count, 1) { offsets[p] = offsets[p - 1] + widths[p - 1] }
        var y = [T](repeating: 0, count: rows * total)
        y.withUnsafeMutableBufferPointer { out in
            for (p, part) in parts.enumerated() {
                let (w, o) = (widths[p], offsets[p])
                value(part).values.withUnsafeBufferPointer { src in
                    for r in 0..<rows { for j in 0..<w { out[r * total + o + j] = src[r * w + j] } }
                }
            }
        }
        return record(Tensor(shape: lead + [total], values: y), inputs: parts) { tape, g in
            for (p, part) in parts.enumerated() {
                let (w, o) = (widths[p], offsets[p])
                tape.accumulate(part) { d in
                    for r in 0..<rows { for j in 0..<w { d[r * w + j] += g[r * total + o + j] } }
                }
            }
        }
    }

    /// Columns `range` of the last axis: [..., F] → [..., |range|].
    public func sliceFeatures(_ x: Variable, _ range: Range<Int>) -> Variable {
        let X = value(x), n = X.lastDimension, rows = X.rows, w = range.count
        precondition(range.lowerBound >= 0 && range.upperBound <= n, "slice \(range) of \(n) features")
        var y = [T](repeating: 0, count: rows * w)
        for r in 0..<rows { for j in 0..<w { y[r * w + j] = X.values[r * n + range.lowerBound + j] } }
        return record(Tensor(shape: Array(X.shape.dropLast()) + [w], values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in for r in 0..<rows { for j in 0..<w { d[r * n + range.lowerBound + j] += g[r * w + j] } } }
        }
    }

    /// Mean over the token axis: [B, T, F] → [B, F].
    public func meanTokens(_ x: Variable) -> Variable {
        let X = value(x)
        precondition(X.rank == 3, "meanTokens needs [B, T, F], got \(X.shape)")
        let (B, count, F) = (X.shape[0], X.shape[1], X.shape[2])
        var y = [T](repeating: 0, count: B * F)
        for b in 0..<B { for t in 0..<count { for f in 0..<F { y[b * F + f] += X.values[(b * count + t) * F + f] } } }
        let scale = 1 / T(count)
        for i in y.indices { y[i] *= scale }
        return record(Tensor(shape: [B, F], values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in
                for b in 0..<B { for t in 0..<count { for f in 0..<F { d[(b * count + t) * F + f] += scale * g[b * F + f] } } }
            }
        }
    }

    /// Repeats one token per sample `count` times: [B, F] (or [B, 1, F]) → [B, count, F].
    public func repeatTokens(_ x: Variable, count: Int) -> Variable {
        let X = value(x), B = X.shape[0], F = X.lastDimension
        precondition(X.count == B * F, "repeatTokens needs one token per sample, got \(X.shape)")
        var y = [T](repeating: 0, count: B * count * F)
        for b in 0..<B { for t in 0..<count { for f in 0..<F { y[(b * count + t) * F + f] = X.values[b * F + f] } } }
        return record(Tensor(shape: [B, count, F], values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in for b in 0..<B { for t in 0..<count { for f in 0..<F { d[b * F + f] += g[(b * count + t) * F + f] } } } }
        }
    }

    /// Appends zero tokens: [B, T, F] → [B, T + extra, F].
    public func padTokens(_ x: Variable, extra: Int) -> Variable {
        let X = value(x)
        precondition(X.rank == 3, "padTokens needs [B, T, F], got \(X.shape)")
        let (B, count, F) = (X.shape[0], X.shape[1], X.shape[2]), n = count + extra
        var y = [T](repeating: 0, count: B * n * F)
        for b in 0..<B { for i in 0..<(count * F) { y[b * n * F + i] = X.values[b * count * F + i] } }
        return record(Tensor(shape: [B, n, F], values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { d in for b in 0..<B { for i in 0..<(count * F) { d[b * count * F + i] += g[b * n * F + i] } } }
        }
    }
}
