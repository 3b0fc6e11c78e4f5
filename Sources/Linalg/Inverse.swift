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
    public func solve(_ b: Matrix) throws -> Matrix {
        guard b.rows == rows else {
            throw LinalgError.shapeMismatch(routine: "gesv", detail: "A is \(rows)×\(columns), B has \(b.rows) rows")
        }
        let (lu, ipiv) = try luFactors("gesv")
        var x = b
        if x.count == 0 { return x }
        let ldx = x.ld
        let info = lu.elements.withUnsafeBufferPointer { pa in
            x.elements.withUnsafeMutableBufferPointer { px in
                Element.lapackGetrs(Int32(rows), Int32(b.columns), pa.baseAddress!, lu.ld, ipiv, px.baseAddress!, ldx)
            }
        }
        try LinalgError.check(info, "getrs") { .singular(routine: "getrs", pivot: $0) }
        return x
    }
}
