import Linalg

/// Element-wise activations of models.md §0.1 and of the attention-map ablation (linear-attention
/// paper, Fig. 4). Each pairs its value with its derivative, written from x and y = f(x).
public enum Activation: String, CaseIterable, Sendable {
    case identity
    /// max(0, x); derivative 0 at x ≤ 0.
    case relu
    /// x for x > 0, exp(x) − 1 otherwise (α = 1).
    case elu
    /// elu(x) + 1, the positive ELU-CosFormer feature map (models.md §3.2).
    case eluPlusOne = "elu+1"
    /// x for x > 0, 0.01·x otherwise (PyTorch's default slope).
    case leakyRelu = "leaky_relu"
    /// x·Φ(x) with the exact normal CDF (PyTorch's default GELU).
    case gelu
    /// x·sigmoid(x).
    case silu
    /// log(1 + exp(x)), evaluated stably.
    case softplus
    case sigmoid
    case tanh

    @inline(__always)
    public func apply<T: TensorScalar>(_ x: T) -> T {
        switch self {
        case .identity: return x
        case .relu: return x > 0 ? x : 0
        case .elu: return x > 0 ? x : T.expMinusOne(x)
        case .eluPlusOne: return x > 0 ? x + 1 : T.exp(x)
        case .leakyRelu: return x > 0 ? x : x / 100
        case .gelu: return x * (1 + T.erf(x / T.sqrt(2))) / 2
        case .silu: return x / (1 + T.exp(-x))
        case .softplus: return max(x, 0) + T.log(onePlus: T.exp(-abs(x)))
        case .sigmoid: return 1 / (1 + T.exp(-x))
        case .tanh: return T.tanh(x)
        }
    }

    /// f'(x), given x and y = f(x).
    @inline(__always)
    public func derivative<T: TensorScalar>(x: T, y: T) -> T {
        switch self {
        case .identity: return 1
        case .relu: return x > 0 ? 1 : 0
        case .elu: return x > 0 ? 1 : y + 1
        case .eluPlusOne: return x > 0 ? 1 : y
        case .leakyRelu: return x > 0 ? 1 : T(1) / 100
        case .gelu: return (1 + T.erf(x / T.sqrt(2))) / 2 + x * T.exp(-x * x / 2) / T.sqrt(2 * T.pi)
        case .silu:
            let s = 1 / (1 + T.exp(-x))
            return s * (1 + x * (1 - s))
        case .softplus: return 1 / (1 + T.exp(-x))
        case .sigmoid: return y * (1 - y)
        case .tanh: return 1 - y * y
        }
    }
}

extension Activation {
    /// f over a whole buffer, one loop per activation, split in row blocks over `threads`; the
    /// exponentials go through `VectorExp`.
    public func apply<T: TensorScalar>(_ x: [T], threads: Int = 1) -> [T] {
        if self == .identity { return x }
        return x.withUnsafeBufferPointer { xp in
            uninitializedArray(x.count) { out in
                let x0 = xp.baseAddress!
                parallelChunks(x.count, threads: threads, minimumPerThread: 1 << 14) { range in
                    let (xs, ys, n) = (x0 + range.lowerBound, out + range.lowerBound, range.count)
                    func exponentiate() { T.exponentiate(UnsafeMutableBufferPointer(start: ys, count: n)) }
                    switch self {
                    case .identity: ys.update(from: xs, count: n)
                    case .relu: for i in 0..<n { ys[i] = xs[i] > 0 ? xs[i] : 0 }
                    case .leakyRelu: for i in 0..<n { ys[i] = xs[i] > 0 ? xs[i] : xs[i] / 100 }
                    case .elu:
                        for i in 0..<n { ys[i] = min(xs[i], 0) }
                        exponentiate()
                        for i in 0..<n { ys[i] = xs[i] > 0 ? xs[i] : ys[i] - 1 }
                    case .eluPlusOne:
                        for i in 0..<n { ys[i] = min(xs[i], 0) }
                        exponentiate()
                        for i in 0..<n { ys[i] = xs[i] > 0 ? xs[i] + 1 : ys[i] }
                    case .sigmoid:
                        for i in 0..<n { ys[i] = -xs[i] }
                        exponentiate()
                        for i in 0..<n { ys[i] = 1 / (1 + ys[i]) }
                    case .silu:
                        for i in 0..<n { ys[i] = -xs[i] }
                        exponentiate()
                        for i in 0..<n { ys[i] = xs[i] / (1 + ys[i]) }
                    case .gelu, .softplus, .tanh: for i in 0..<n { ys[i] = apply(xs[i]) }
                    }
                }
            }
        }
    }

    /// dx += g ⊙ f'(x), given y = f(x), one loop per activation.
    func accumulateDerivative<T: TensorScalar>(x: [T], y: [T], g: [T], into dx: UnsafeMutableBufferPointer<T>, threads: Int = 1) {
        x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in g.withUnsafeBufferPointer { gb in
          let (x0, y0, g0, d0) = (xb.baseAddress!, yb.baseAddress!, gb.baseAddress!, dx.baseAddress!)
          parallelChunks(dx.count, threads: threads, minimumPerThread: 1 << 14) { range in
            let (x, y, g, dx, n) = (x0 + range.lowerBound, y0 + range.lowerBound, g0 + range.lowerBound, d0 + range.lowerBound, range.count)
            switch self {
            case .identity: for i in 0..<n { dx[i] += g[i] }
            case .relu: for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : 0 }
            case .leakyRelu: for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : g[i] / 100 }
            case .elu: for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : g[i] * (y[i] + 1) }
            case .eluPlusOne: for i in 0..<n { dx[i] += x[i] > 0 ? g[i] : g[i] * y[i] }
            case .sigmoid: for i in 0..<n { dx[i] += g[i] * y[i] * (1 - y[i]) }
            case .tanh: for i in 0..<n { dx[i] += g[i] * (1 - y[i] * y[i]) }
            case .gelu, .silu, .softplus: for i in 0..<n { dx[i] += g[i] * derivative(x: x[i], y: y[i]) }
            }
          }
        } } }
    }
}

extension Tape {
    /// y = f(x) element-wise; dx = G ⊙ f'(x).
    public func activation(_ x: Variable, _ f: Activation) -> Variable {
        let X = value(x)
        let workers = threads
        let y = f.apply(X.values, threads: workers)
        return record(Tensor(shape: X.shape, values: y), inputs: [x]) { tape, g in
            tape.accumulate(x) { dx in f.accumulateDerivative(x: X.values, y: y, g: g, into: dx, threads: workers) }
        }
    }
}
