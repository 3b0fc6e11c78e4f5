/// An n-d array as read from or written to a dataset: row-major `values` of `shape`
/// (the last index varies fastest, as h5py and C see a dataset).
public struct H5Array<Element>: CustomStringConvertible {
    public var shape: [Int]
    public var values: [Element]

    public init(shape: [Int], values: [Element]) {
        precondition(values.count == shape.reduce(1, *), "H5Array: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }

    public var rank: Int { shape.count }
    public var count: Int { values.count }

    /// Row-major linear index of a multi-index.
    public func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "H5Array: index \(index) for shape \(shape)")
        var o = 0
        for (i, n) in zip(index, shape) { o = o * n + i }
        return o
    }

    public subscript(_ index: Int...) -> Element { values[offset(index)] }

    public var description: String { "H5Array\(shape) of \(Element.self)" }
}

extension H5Array: Equatable where Element: Equatable {}
extension H5Array: Sendable where Element: Sendable {}
