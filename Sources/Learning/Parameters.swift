import Linalg

/// Named trainable tensors in definition order (the dotted names of models.md, e.g. `layers.0.attn.W_qkv`).
public struct ParameterSet<T: TensorScalar>: Sendable, Equatable {
    public private(set) var names: [String] = []
    public private(set) var tensors: [String: Tensor<T>] = [:]

    public init() {}

    public mutating func add(_ name: String, _ tensor: Tensor<T>) {
        precondition(tensors[name] == nil, "parameter \(name) defined twice")
        names.append(name)
        tensors[name] = tensor
    }

    public subscript(name: String) -> Tensor<T>? {
        get { tensors[name] }
        set {
            guard let newValue, let old = tensors[name] else { preconditionFailure("unknown parameter \(name)") }
            precondition(old.shape == newValue.shape, "parameter \(name): shape \(newValue.shape), expected \(old.shape)")
            tensors[name] = newValue
        }
    }

    /// Mutates one parameter's values in place.
    public mutating func withValues(_ name: String, _ body: (UnsafeMutableBufferPointer<T>) -> Void) {
        precondition(tensors[name] != nil, "unknown parameter \(name)")
        tensors[name]!.values.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Total number of trainable scalars.
    public var count: Int { tensors.values.reduce(0) { $0 + $1.count } }

    /// Records every parameter as a leaf of `tape`.
    public func bind(_ tape: Tape<T>) -> BoundParameters {
        BoundParameters(variables: Dictionary(uniqueKeysWithValues: names.map { ($0, tape.leaf(tensors[$0]!)) }))
    }

    /// Dense layer with PyTorch's default initialisation (models.md §0.2): W, b ~ U(−1/√fanIn, 1/√fanIn).
    public mutating func addDense(_ prefix: String, _ fanIn: Int, _ fanOut: Int, using rng: inout RandomStream) {
        addDense(weight: prefix + ".W", bias: prefix + ".b", fanIn, fanOut, using: &rng)
    }

    /// The same with explicit names (the attention projections are `attn.W_qkv`, `attn.b_qkv`, …).
    public mutating func addDense(weight: String, bias: String, _ fanIn: Int, _ fanOut: Int, using rng: inout RandomStream) {
        let bound = 1 / Double(fanIn).squareRoot()
        add(weight, .uniform([fanIn, fanOut], bound: bound, using: &rng))
        add(bias, .uniform([fanOut], bound: bound, using: &rng))
    }

    /// LayerNorm γ = 1, β = 0.
    public mutating func addLayerNorm(_ prefix: String, _ width: Int) {
        add(prefix + ".gamma", Tensor(shape: [width], repeating: 1))
        add(prefix + ".beta", Tensor(shape: [width], repeating: 0))
    }
}

/// The tape variables of a `ParameterSet`, by name.
public struct BoundParameters {
    public let variables: [String: Variable]
    public subscript(name: String) -> Variable {
        guard let v = variables[name] else { preconditionFailure("unknown parameter \(name)") }
        return v
    }
}

extension Tensor {
    /// i.i.d. U(−bound, bound) entries.
    public static func uniform(_ shape: [Int], bound: Double, using rng: inout RandomStream) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in T((2 * rng.uniform() - 1) * bound) })
    }
}
