// Hermitian positive definite systems: Cholesky factor (potrf), solves (potrs, i.e. posv), inverse (potri).

/// The Cholesky factorization A = L·Lᴴ of a Hermitian positive definite matrix.
public struct Cholesky<Element: LinalgScalar>: Sendable {
    /// L in the lower triangle; the strict upper triangle holds zeros.
    public let lower: Matrix<Element>

    /// Factors `a` (only its lower triangle is read). Throws `notPositiveDefinite` otherwise.
    public init(_ a: Matrix<Element>) throws {
        guard a.isSquare else {
            throw LinalgError.shapeMismatch(routine: "potrf", detail: "\(a.rows)×\(a.columns) is not square")
        }
        var l = a
        let n = Int32(a.rows)
        if n > 0 {
            let lda = l.ld
            let info = l.elements.withUnsafeMutableBufferPointer { Element.lapackPotrf(n, $0.baseAddress!, lda) }
            try LinalgError.check(info, "potrf") { .notPositiveDefinite(routine: "potrf", order: $0) }
        }
        for j in 0..<a.columns { for i in 0..<j { l[i, j] = .zero } }
        lower = l
    }

    /// Solves A·X = B for X in place (potrs).
    public func solve(inPlace b: inout Matrix<Element>) throws {
        guard b.rows == lower.rows else {
            throw LinalgError.shapeMismatch(routine: "potrs", detail: "A is \(lower.rows)×\(lower.rows), B has \(b.rows) rows")
        }
        if b.count == 0 { return }
        let ldb = b.ld
        let info = lower.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeMutableBufferPointer { pb in
                Element.lapackPotrs(Int32(lower.rows), Int32(b.columns), pa.baseAddress!, lower.ld, pb.baseAddress!, ldb)
            }
        }
        try LinalgError.check(info, "potrs") { .noConvergence(routine: "potrs", info: $0) }
    }

    /// A⁻¹·B (potrs).
    public func solve(_ b: Matrix<Element>) throws -> Matrix<Element> {
        var x = b
        try solve(inPlace: &x)
        return x
    }

    /// A⁻¹, Hermitian, both triangles filled (potri).
    public func inverse() throws -> Matrix<Element> {
        var inv = lower
        let n = Int32(lower.rows)
        if n > 0 {
            let lda = inv.ld
            let info = inv.elements.withUnsafeMutableBufferPointer { Element.lapackPotri(n, $0.baseAddress!, lda) }
            try LinalgError.check(info, "potri") { .singular(routine: "potri", pivot: $0) }
        }
        inv.mirrorLowerToUpper()
        return inv
    }

    /// log det A = 2 Σ log L_ii.
    public var logDeterminant: Element.RealPart {
        lower.diagonal.reduce(0) { $0 + 2 * Element.RealPart.log($1.realPart) }
    }
}

extension Matrix {
    /// Cholesky factorization of this Hermitian positive definite matrix (potrf).
    public func cholesky() throws -> Cholesky<Element> { try Cholesky(self) }

    /// Solves A·X = B for Hermitian positive definite A (posv = potrf + potrs).
    public func solvePositiveDefinite(_ b: Matrix) throws -> Matrix { try Cholesky(self).solve(b) }

    /// A⁻¹ for Hermitian positive definite A (potrf + potri).
    public func inversePositiveDefinite() throws -> Matrix { try Cholesky(self).inverse() }
}

extension Matrix {
    /// posv in place, without allocating: overwrites `self` (Hermitian positive definite, lower
    /// triangle read) by its Cholesky factor L and `b` by A⁻¹·B.
    public mutating func solvePositiveDefiniteInPlace(_ b: inout Matrix) throws {
        try requireSquare("posv")
        guard b.rows == rows else {
            throw LinalgError.shapeMismatch(routine: "posv", detail: "A is \(rows)×\(columns), B has \(b.rows) rows")
        }
        if rows == 0 { return }
        let n = Int32(rows), lda = ld, ldb = b.ld, nrhs = Int32(b.columns)
        let info = elements.withUnsafeMutableBufferPointer { pa -> Int32 in
            let f = Element.lapackPotrf(n, pa.baseAddress!, lda)
            if f != 0 || nrhs == 0 { return f }
            return b.elements.withUnsafeMutableBufferPointer { pb in
                Element.lapackPotrs(n, nrhs, pa.baseAddress!, lda, pb.baseAddress!, ldb)
            }
        }
        try LinalgError.check(info, "posv") { .notPositiveDefinite(routine: "posv", order: $0) }
    }
}
