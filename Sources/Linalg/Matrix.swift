/// A dense matrix in column-major storage (the BLAS/LAPACK layout): element (i, j) lives at
/// `elements[i + j * rows]`. A value type; copies are copy-on-write through the array.
public struct Matrix<Element: LinalgScalar>: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let rows: Int
    public let columns: Int
    /// Column-major elements, `rows * columns` of them.
    public var elements: [Element]

    /// A matrix of `repeating` values.
    public init(rows: Int, columns: Int, repeating value: Element = .zero) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.elements = [Element](repeating: value, count: rows * columns)
    }

    /// Wraps column-major `elements`; their count must be `rows * columns`.
    public init(rows: Int, columns: Int, columnMajor elements: [Element]) {
        precondition(rows >= 0 && columns >= 0 && elements.count == rows * columns,
                     "Matrix: \(elements.count) elements do not fill \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// Builds from row-major nested arrays, as a matrix is written on paper.
    public init(_ rowsOfElements: [[Element]]) {
        let r = rowsOfElements.count, c = rowsOfElements.first?.count ?? 0
        precondition(rowsOfElements.allSatisfy { $0.count == c }, "Matrix: ragged rows")
        self.init(rows: r, columns: c)
        for i in 0..<r { for j in 0..<c { self[i, j] = rowsOfElements[i][j] } }
    }

    /// Element (i, j) from a function of the indices.
    public init(rows: Int, columns: Int, _ f: (Int, Int) -> Element) {
        self.init(rows: rows, columns: columns)
        for j in 0..<columns { for i in 0..<rows { elements[i + j * rows] = f(i, j) } }
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.elements[i + i * n] = .one }
        return m
    }

    /// A square diagonal matrix.
    public static func diagonal(_ d: [Element]) -> Matrix {
        var m = Matrix(rows: d.count, columns: d.count)
        for (i, x) in d.enumerated() { m.elements[i + i * d.count] = x }
        return m
    }

    /// A matrix of i.i.d. standard normal entries (CN(0, 1) for complex types), drawn column by column.
    public static func randomNormal(rows: Int, columns: Int, using rng: inout RandomStream) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for i in m.elements.indices { m.elements[i] = Element.standardNormal(using: &rng) }
        return m
    }

    @inlinable public subscript(i: Int, j: Int) -> Element {   // inlinable: specialized in callers' hot loops
        get { elements[i + j * rows] }
        set { elements[i + j * rows] = newValue }
    }

    public var isSquare: Bool { rows == columns }
    public var count: Int { elements.count }
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// Column j as an array.
    public func column(_ j: Int) -> [Element] { Array(elements[(j * rows)..<((j + 1) * rows)]) }

    /// The diagonal entries.
    public var diagonal: [Element] { (0..<Swift.min(rows, columns)).map { self[$0, $0] } }

    /// Aᵀ.
    public var transposed: Matrix { Matrix(rows: columns, columns: rows) { i, j in self[j, i] } }

    /// Aᴴ (the conjugate transpose; Aᵀ for real matrices).
    public var adjoint: Matrix { Matrix(rows: columns, columns: rows) { i, j in self[j, i].conjugate } }

    /// Element-wise map, keeping the shape.
    public func map<T: LinalgScalar>(_ f: (Element) -> T) -> Matrix<T> {
        Matrix<T>(rows: rows, columns: columns, columnMajor: elements.map(f))
    }

    /// Frobenius norm ‖A‖_F.
    public var frobeniusNorm: Element.RealPart {
        elements.reduce(Element.RealPart.zero) { $0 + $1.magnitudeSquared }.squareRoot()
    }

    /// max |a_ij|.
    public var maxAbs: Element.RealPart {
        elements.reduce(Element.RealPart.zero) { Swift.max($0, $1.modulus) }
    }

    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "Matrix +: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
        return Matrix(rows: a.rows, columns: a.columns, columnMajor: zip(a.elements, b.elements).map { $0 + $1 })
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "Matrix -: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
        return Matrix(rows: a.rows, columns: a.columns, columnMajor: zip(a.elements, b.elements).map { $0 - $1 })
    }

    public static func * (s: Element, a: Matrix) -> Matrix { a.map { s * $0 } }

    public var description: String {
        (0..<rows).map { i in (0..<columns).map { "\(self[i, $0])" }.joined(separator: "  ") }
            .joined(separator: "\n")
    }
}
