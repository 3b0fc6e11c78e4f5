// Eigenvalue problems: Hermitian (heevd/syevd) and general (geev), spectral radius.

/// A = V·diag(λ)·Vᴴ for Hermitian A, eigenvalues ascending.
public struct HermitianEigen<Element: LinalgScalar>: Sendable {
    public let values: [Element.RealPart]
    /// Orthonormal eigenvectors as columns, in the order of `values`.
    public let vectors: Matrix<Element>

    /// V·diag(f(λ))·Vᴴ: a function of the matrix through its eigenvalues.
    public func reconstruct(_ f: (Element.RealPart) -> Element.RealPart = { $0 }) -> Matrix<Element> {
        var scaled = vectors
        let n = vectors.rows
        for j in 0..<values.count {
            let s = Element(real: f(values[j]))
            for i in 0..<n { scaled[i, j] = scaled[i, j] * s }
        }
        return Matrix.product(scaled, .none, vectors, .adjoint)
    }
}

extension Matrix {
    func requireSquare(_ routine: String) throws {
        guard isSquare else {
            throw LinalgError.shapeMismatch(routine: routine, detail: "\(rows)×\(columns) is not square")
        }
    }

    private func heevd(vectors: Bool) throws -> (values: [Element.RealPart], vectors: Matrix) {
        try requireSquare("heevd")
        var a = self
        var w = [Element.RealPart](repeating: 0, count: rows)
        if rows > 0 {
            let lda = a.ld
            let info = a.elements.withUnsafeMutableBufferPointer { pa in
                w.withUnsafeMutableBufferPointer { Element.lapackHeevd(vectors, Int32(rows), pa.baseAddress!, lda, $0.baseAddress!) }
            }
            try LinalgError.check(info, "heevd") { .noConvergence(routine: "heevd", info: $0) }
        }
        return (w, a)
    }

    /// Eigendecomposition of this Hermitian matrix (heevd; only the lower triangle is read).
    public func hermitianEigen() throws -> HermitianEigen<Element> {
        let (w, v) = try heevd(vectors: true)
        return HermitianEigen(values: w, vectors: v)
    }

    /// Eigenvalues of this Hermitian matrix, ascending (heevd without vectors).
    public func hermitianEigenvalues() throws -> [Element.RealPart] { try heevd(vectors: false).values }

    private func geev(vectors: Bool) throws -> (values: [Complex<Element.RealPart>], vr: Matrix?) {
        try requireSquare("geev")
        var a = self
        var values = [Complex<Element.RealPart>](repeating: .zero, count: rows)
        var vr: Matrix? = vectors ? Matrix(rows: rows, columns: rows) : nil
        if rows == 0 { return (values, vr) }
        let lda = a.ld
        let info: Int32 = a.elements.withUnsafeMutableBufferPointer { pa in
            values.withUnsafeMutableBufferPointer { pw in
                if vr != nil {
                    return vr!.elements.withUnsafeMutableBufferPointer { pv in
                        Element.lapackGeev(Int32(rows), pa.baseAddress!, lda, pw.baseAddress!, pv.baseAddress!, lda)
                    }
                }
                return Element.lapackGeev(Int32(rows), pa.baseAddress!, lda, pw.baseAddress!, nil, 1)
            }
        }
        try LinalgError.check(info, "geev") { .noConvergence(routine: "geev", info: $0) }
        return (values, vr)
    }

    /// Eigenvalues of a general square matrix (geev), in LAPACK's order.
    public func eigenvalues() throws -> [Complex<Element.RealPart>] { try geev(vectors: false).values }

    /// Eigenvalues and right eigenvectors (columns, unit 2-norm) of a general square matrix (geev).
    /// For real matrices LAPACK's packed conjugate pairs are expanded into complex columns.
    public func eigen() throws -> (values: [Complex<Element.RealPart>], vectors: Matrix<Complex<Element.RealPart>>) {
        let (values, vr) = try geev(vectors: true)
        let v = vr!
        let n = rows
        var out = Matrix<Complex<Element.RealPart>>(rows: n, columns: n)
        var j = 0
        while j < n {
            if !Element.isComplex && values[j].imaginary != 0 && j + 1 < n {
                // Columns j, j+1 hold re and im of the eigenvector of λ_j; λ_{j+1} = conj(λ_j).
                for i in 0..<n {
                    let re = v[i, j].realPart, im = v[i, j + 1].realPart
                    out[i, j] = Complex(re, im)
                    out[i, j + 1] = Complex(re, -im)
                }
                j += 2
            } else {
                for i in 0..<n { out[i, j] = Complex(v[i, j].realPart, v[i, j].imaginaryPart) }
                j += 1
            }
        }
        return (values, out)
    }

    /// ρ(A) = max |λ_i| (geev). For non-negative matrices this is the Perron root.
    public func spectralRadius() throws -> Element.RealPart {
        try eigenvalues().reduce(0) { Swift.max($0, $1.length) }
    }

    /// Σ a_ii.
    public var trace: Element {
        precondition(isSquare, "trace: \(rows)×\(columns) is not square")
        return diagonal.reduce(.zero, +)
    }
}
