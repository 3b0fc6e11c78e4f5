// General square systems through the LU factorization: getrf, getrs (gesv), getri.

extension Matrix {
    /// LU-factors a copy of `self` (getrf); returns the factors and pivots.
    func luFactors(_ routine: String) throws -> (lu: Matrix, pivots: [Int32]) {
        guard isSquare else {
            throw LinalgError.shapeMismatch(routine: routine, detail: "\(rows)×\(columns) is not square")
        }
        var lu = self
        var ipiv = [Int32](repeating: 0, count: rows)
        if rows > 0 {
            let info = lu.elements.withUnsafeMutableBufferPointer { pa in
                Element.lapackGetrf(Int32(rows), Int32(columns), pa.baseAddress!, ld, &ipiv)
            }
            try LinalgError.check(info, "getrf") { .singular(routine: routine, pivot: $0) }
        }
        return (lu, ipiv)
    }

    /// A⁻¹ (getrf + getri). Throws `singular` for an exactly singular matrix.
    public func inverse() throws -> Matrix {
        var (inv, ipiv) = try luFactors("getri")
        if rows == 0 { return inv }
        let ldi = inv.ld
        let info = inv.elements.withUnsafeMutableBufferPointer { pa in
            Element.lapackGetri(Int32(rows), pa.baseAddress!, ldi, ipiv)
        }
        try LinalgError.check(info, "getri") { .singular(routine: "getri", pivot: $0) }
        return inv
    }

    /// Solves A·X = B for square A (gesv = getrf + getrs).
    public func solve(_ b: Matrix) throws -> Matrix { try lu().solve(b) }

    /// The LU factorization of a square matrix, for several solves with one factorization.
    public func lu() throws -> LU<Element> {
        let (factors, pivots) = try luFactors("getrf")
        return LU(factors: factors, pivots: pivots)
    }
}

/// P·A = L·U of a square matrix (getrf), reusable for any number of right-hand sides (getrs).
public struct LU<Element: LinalgScalar>: Sendable {
    let factors: Matrix<Element>
    let pivots: [Int32]

    /// Solves A·X = B.
    public func solve(_ b: Matrix<Element>) throws -> Matrix<Element> {
        let n = factors.rows
        guard b.rows == n else {
            throw LinalgError.shapeMismatch(routine: "getrs", detail: "A is \(n)×\(n), B has \(b.rows) rows")
        }
        var x = b
        if x.count == 0 { return x }
        let ldx = x.ld
        let info = factors.elements.withUnsafeBufferPointer { pa in
            x.elements.withUnsafeMutableBufferPointer { px in
                Element.lapackGetrs(Int32(n), Int32(b.columns), pa.baseAddress!, factors.ld, pivots, px.baseAddress!, ldx)
            }
        }
        try LinalgError.check(info, "getrs") { .singular(routine: "getrs", pivot: $0) }
        return x
    }

    /// Solves A·x = b for one vector.
    public func solve(_ b: [Element]) throws -> [Element] {
        try solve(Matrix(rows: b.count, columns: 1, columnMajor: b)).elements
    }
}
