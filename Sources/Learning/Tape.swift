/// A handle to one value recorded on a `Tape`.
public struct Variable: Hashable, Sendable {
    public let index: Int
}

/// Reverse-mode automatic differentiation: every op appends its output and a closure that maps the
/// output's gradient to its inputs' gradients; `backward` runs the closures in reverse order.
/// A tape lives for one forward/backward pass; dropping it frees every intermediate (memory does not
/// grow across training steps).
public final class Tape<T: TensorScalar> {
    struct Node {
        var value: Tensor<T>
        var needsGrad: Bool
        var backward: ((Tape<T>, [T]) -> Void)?
    }
    private(set) var nodes: [Node] = []
    private var grads: [[T]?] = []
    /// False while evaluating (no closures recorded, no gradients).
    public let recordsGradients: Bool
    /// Threads the ops may use (attention heads, row blocks); results do not depend on it.
    public let threads: Int

    public init(recordsGradients: Bool = true, threads: Int = 1) {
        self.recordsGradients = recordsGradients
        self.threads = max(1, threads)
    }

    /// `threads` when an op has at least `parallelThreshold` scalar operations to share, else 1.
    func threads(forWork work: Int) -> Int { work >= Self.parallelThreshold ? threads : 1 }

    /// Below about 2²⁰ scalar operations (≈ 0.1–0.3 ms) the cost of waking a second thread outweighs
    /// the gain on a 2-core machine of baselines.md's kind (measured with `bench models --threads 2`, thresholds 2¹⁶…2²²).
    static var parallelThreshold: Int { 1 << 20 }

    /// An input that needs no gradient.
    public func constant(_ value: Tensor<T>) -> Variable { append(value, needsGrad: false, backward: nil) }

    /// A leaf whose gradient `backward` computes (parameters, inputs under test).
    public func leaf(_ value: Tensor<T>) -> Variable { append(value, needsGrad: recordsGradients, backward: nil) }

    public func value(_ v: Variable) -> Tensor<T> { nodes[v.index].value }
    /// Bytes of every value recorded so far (inputs, parameters, activations): the memory a pass holds.
    public var storedBytes: Int { nodes.reduce(0) { $0 + $1.value.count } * MemoryLayout<T>.stride }
    public func shape(_ v: Variable) -> [Int] { nodes[v.index].value.shape }
    func needsGrad(_ v: Variable) -> Bool { nodes[v.index].needsGrad }

    /// d(output)/d(v) after `backward`, nil if no gradient reached v.
    public func gradient(_ v: Variable) -> Tensor<T>? {
        grads[v.index].map { Tensor(shape: nodes[v.index].value.shape, values: $0) }
    }

    /// Records an op's output. `backward(tape, g)` receives the output gradient g and adds into the
    /// inputs' gradients with `accumulate`. Skipped when no input needs a gradient.
    func record(_ value: Tensor<T>, inputs: [Variable], backward: @escaping (Tape<T>, [T]) -> Void) -> Variable {
        let needs = recordsGradients && inputs.contains { nodes[$0.index].needsGrad }
        return append(value, needsGrad: needs, backward: needs ? backward : nil)
    }

    private func append(_ value: Tensor<T>, needsGrad: Bool, backward: ((Tape<T>, [T]) -> Void)?) -> Variable {
        nodes.append(Node(value: value, needsGrad: needsGrad, backward: backward))
        grads.append(nil)
        return Variable(index: nodes.count - 1)
    }

    /// Adds into v's gradient buffer (allocated as zeros on first use); no-op for constants.
    func accumulate(_ v: Variable, _ body: (UnsafeMutableBufferPointer<T>) -> Void) {
        guard nodes[v.index].needsGrad else { return }
        if grads[v.index] == nil { grads[v.index] = [T](repeating: 0, count: nodes[v.index].value.count) }
        grads[v.index]!.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Adds `delta` into v's gradient; the first contribution is taken as is (no zero-fill and add).
    func accumulate(_ v: Variable, _ delta: [T]) {
        guard nodes[v.index].needsGrad else { return }
        if grads[v.index] == nil { grads[v.index] = delta; return }
        delta.withUnsafeBufferPointer { d in accumulate(v) { g in for i in 0..<g.count { g[i] += d[i] } } }
    }

    /// Reverse pass from `output` with seed gradient `seed` (ones for a scalar loss by default).
    public func backward(_ output: Variable, seed: Tensor<T>? = nil) {
        precondition(recordsGradients, "backward on a tape that records no gradients")
        let start = seed?.values ?? [T](repeating: 1, count: nodes[output.index].value.count)
        precondition(start.count == nodes[output.index].value.count, "seed gradient shape")
        grads[output.index] = start
        for i in stride(from: output.index, through: 0, by: -1) {
            guard let backward = nodes[i].backward, let g = grads[i] else { continue }
            backward(self, g)
            if i != output.index { grads[i] = nil }   // an intermediate's gradient is spent
        }
    }
}
