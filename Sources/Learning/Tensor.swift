import Linalg

/// The element types of the engine: `Float` for models, `Double` for gradient checks.
public protocol TensorScalar: LinalgScalar, Real, BinaryFloatingPoint, VectorExp where RealPart == Self {}
extension Float: TensorScalar {}
extension Double: TensorScalar {}

/// An n-d array on one contiguous row-major buffer (the last axis varies fastest).
public struct Tensor<T: TensorScalar>: Sendable, Equatable {
    public var shape: [Int]
    public var values: [T]

    public init(shape: [Int], values: [T]) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
                     "tensor of shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape; self.values = values
    }

    public init(shape: [Int], repeating value: T = 0) {
        self.init(shape: shape, values: [T](repeating: value, count: shape.reduce(1, *)))
    }

    public static func scalar(_ value: T) -> Tensor { Tensor(shape: [], values: [value]) }

    public var count: Int { values.count }
    public var rank: Int { shape.count }
    /// Size of the last axis (1 for a scalar).
    public var lastDimension: Int { shape.last ?? 1 }
    /// Number of rows when the last axis is the row: count / last dimension.
    public var rows: Int { lastDimension == 0 ? 0 : count / lastDimension }

    /// The same values under another shape with the same count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, values: values) }

    /// Entry at a full index (row-major).
    public subscript(_ index: Int...) -> T {
        get { values[offset(index)] }
        set { values[offset(index)] = newValue }
    }

    func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var o = 0
        for (i, n) in zip(index, shape) { o = o * n + i }
        return o
    }
}

/// An array of `count` elements that `fill` writes completely (no zero-filling first).
@inline(__always)
func uninitializedArray<T>(_ count: Int, _ fill: (UnsafeMutablePointer<T>) -> Void) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { fill(buffer.baseAddress!) }
        initialized = count
    }
}

/// Element-wise map through raw pointers, in blocks over `threads`.
@inline(__always)
func mapElements<T>(_ x: [T], threads: Int = 1, _ f: (T) -> T) -> [T] {
    x.withUnsafeBufferPointer { src in uninitializedArray(x.count) { out in
        let s0 = src.baseAddress!
        parallelChunks(x.count, threads: threads, minimumPerThread: 1 << 14) { r in for i in r { out[i] = f(s0[i]) } }
    } }
}

/// Element-wise combination of two equal-length arrays through raw pointers, in blocks over `threads`.
@inline(__always)
func zipElements<T>(_ a: [T], _ b: [T], threads: Int = 1, _ f: (T, T) -> T) -> [T] {
    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
        uninitializedArray(a.count) { out in
            let (a0, b0) = (pa.baseAddress!, pb.baseAddress!)
            parallelChunks(a.count, threads: threads, minimumPerThread: 1 << 14) { r in for i in r { out[i] = f(a0[i], b0[i]) } }
        }
    } }
}
