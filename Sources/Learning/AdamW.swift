import Linalg

/// AdamW with decoupled weight decay (models.md §4): per step t ≥ 1 and parameter p with gradient g,
/// p ← p − lr·wd·p; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr·(m/(1−β₁ᵗ))/(sqrt(v/(1−β₂ᵗ)) + eps).
public struct AdamW<T: TensorScalar>: Sendable, Equatable {
    public var learningRate: T, beta1: T, beta2: T, eps: T, weightDecay: T
    /// Steps taken so far (t of the last update).
    public var step = 0
    /// First and second moments per parameter name.
    public var m: [String: [T]] = [:], v: [String: [T]] = [:]

    public init(learningRate: T = T(1) / 1000, beta1: T = T(9) / 10, beta2: T = T(999) / 1000,
                eps: T = T(1) / 100_000_000, weightDecay: T = T(1) / 100) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
    }

    /// One update of every parameter that has a gradient, in place (no copy of weights or moments).
    /// Large tensors are split into contiguous chunks over `threads` (element-wise, so the result
    /// does not depend on it).
    public mutating func update(_ parameters: inout ParameterSet<T>, gradients: [String: Tensor<T>], threads: Int = 1) {
        step += 1
        // p ← (1 − lr·wd)·p − (lr/c1)·m / (sqrt(v)·(1/√c2) + eps), with c1, c2 the bias corrections.
        let c1 = 1 - T.pow(beta1, T(step)), c2 = 1 - T.pow(beta2, T(step))
        let decay = 1 - learningRate * weightDecay, stepSize = learningRate / c1, rootC2 = 1 / T.sqrt(c2)
        let (b1, b2, eps) = (beta1, beta2, self.eps)
        for name in parameters.names {
            guard let g = gradients[name]?.values else { continue }
            if m[name] == nil { m[name] = [T](repeating: 0, count: g.count); v[name] = [T](repeating: 0, count: g.count) }
            parameters.withValues(name) { p in
                m[name]!.withUnsafeMutableBufferPointer { mi in
                    v[name]!.withUnsafeMutableBufferPointer { vi in
                        g.withUnsafeBufferPointer { gi in
                            let buffers = UncheckedSendable(value: (p, mi, vi, gi))
                            parallelChunks(g.count, threads: threads, minimumPerThread: 1 << 16) { range in
                                let (p, mi, vi, gi) = buffers.value
                                for i in range {
                                    let gradient = gi[i]
                                    let m = b1 * mi[i] + (1 - b1) * gradient
                                    let v = b2 * vi[i] + (1 - b2) * gradient * gradient
                                    mi[i] = m
                                    vi[i] = v
                                    p[i] = decay * p[i] - stepSize * m / (v.squareRoot() * rootC2 + eps)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
