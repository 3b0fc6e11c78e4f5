// The principal square root of a Hermitian positive semidefinite matrix (MATLAB's sqrtm on such input).

extension Matrix {
    /// The principal square root A^{1/2} = V·diag(√λ)·Vᴴ of a Hermitian positive semidefinite A, itself
    /// Hermitian PSD, computed as W·Wᴴ with W = V·diag(λ^{1/4}) (heevd + herk).
    ///
    /// Eigenvalues in [−tol, 0), tol = 64·n·ε·max|λ|, are rounding noise of a singular matrix and are
    /// taken as 0; a more negative one throws `notPositiveSemidefinite`.
    public func hermitianSquareRoot() throws -> Matrix {
        let eig = try hermitianEigen()
        let n = rows
        guard n > 0 else { return self }
        let largest = eig.values.reduce(0) { Swift.max($0, Swift.abs($1)) }
        let tol = 64 * Element.RealPart(n) * Element.RealPart.ulpOfOne * largest
        if let smallest = eig.values.first, smallest < -tol {
            throw LinalgError.notPositiveSemidefinite(routine: "sqrtm", smallestEigenvalue: Double(smallest),
                                                      tolerance: Double(tol))
        }
        var w = eig.vectors
        for j in 0..<n {
            let s = Element(real: Element.RealPart.sqrt(Element.RealPart.sqrt(Swift.max(eig.values[j], 0))))
            for i in 0..<n { w[i, j] = w[i, j] * s }
        }
        return Matrix.gram(w)
    }
}
