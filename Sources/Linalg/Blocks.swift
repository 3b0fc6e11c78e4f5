// Block extraction, assignment and stacking (e.g. the per-AP N×N blocks of an LN×LN matrix).

extension Matrix {
    /// The sub-matrix of the given row and column ranges.
    public func block(rows r: Range<Int>, columns c: Range<Int>) -> Matrix {
        precondition(r.lowerBound >= 0 && r.upperBound <= rows && c.lowerBound >= 0 && c.upperBound <= columns,
                     "block: rows \(r), columns \(c) outside \(rows)×\(columns)")
        var out = Matrix(rows: r.count, columns: c.count)
        for (jj, j) in c.enumerated() {
            let src = r.lowerBound + j * rows
            for ii in 0..<r.count { out.elements[ii + jj * r.count] = elements[src + ii] }
        }
        return out
    }

    /// The sub-matrix of the listed rows and columns, in that order (e.g. the serving APs' rows).
    public func select(rows r: [Int], columns c: [Int]) -> Matrix {
        Matrix(rows: r.count, columns: c.count) { i, j in self[r[i], c[j]] }
    }

    /// Writes `b` with its top-left corner at (row, column).
    public mutating func setBlock(_ b: Matrix, row: Int, column: Int) {
        precondition(row >= 0 && column >= 0 && row + b.rows <= rows && column + b.columns <= columns,
                     "setBlock: \(b.rows)×\(b.columns) at (\(row), \(column)) outside \(rows)×\(columns)")
        for j in 0..<b.columns {
            let dst = row + (column + j) * rows
            for i in 0..<b.rows { elements[dst + i] = b.elements[i + j * b.rows] }
        }
    }

    /// [A; B; …]: matrices with equal column counts, one above the other.
    public static func vstack(_ parts: [Matrix]) -> Matrix {
        let c = parts.first?.columns ?? 0
        precondition(parts.allSatisfy { $0.columns == c }, "vstack: column counts differ")
        var out = Matrix(rows: parts.reduce(0) { $0 + $1.rows }, columns: c)
        var r = 0
        for p in parts { out.setBlock(p, row: r, column: 0); r += p.rows }
        return out
    }

    /// [A, B, …]: matrices with equal row counts, side by side (contiguous in column-major storage).
    public static func hstack(_ parts: [Matrix]) -> Matrix {
        let r = parts.first?.rows ?? 0
        precondition(parts.allSatisfy { $0.rows == r }, "hstack: row counts differ")
        return Matrix(rows: r, columns: parts.reduce(0) { $0 + $1.columns },
                      columnMajor: parts.flatMap(\.elements))
    }

    /// blkdiag(A, B, …).
    public static func blockDiagonal(_ parts: [Matrix]) -> Matrix {
        var out = Matrix(rows: parts.reduce(0) { $0 + $1.rows }, columns: parts.reduce(0) { $0 + $1.columns })
        var r = 0, c = 0
        for p in parts { out.setBlock(p, row: r, column: c); r += p.rows; c += p.columns }
        return out
    }
}
