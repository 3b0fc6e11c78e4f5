import Testing
import TestSupport
import Linalg

@Suite("Eigenproblems and the Hermitian square root")
struct EigenTests {
    func hermitian<T: LinalgScalar>(_: T.Type, _ n: Int, _ rng: inout RandomStream) -> Matrix<T> {
        let g = Matrix<T>.randomNormal(rows: n, columns: n, using: &rng)
        return Matrix<T>(rows: n, columns: n) { i, j in (g[i, j] + g[j, i].conjugate) / T(real: 2) }
    }

    func checkHermitianEigen<T: LinalgScalar>(_: T.Type) throws {
        var rng = RandomStream(seed: 10, name: "heevd-\(T.self)")
        for n in [1, 6, 32] {
            let a = hermitian(T.self, n, &rng)
            let eig = try a.hermitianEigen()
            #expect(relativeError(eig.reconstruct(), a) <= 1e-12 * precisionScale(T.self), "V·Λ·Vᴴ = A, \(T.self) n=\(n)")
            #expect(relativeError(Matrix.gram(eig.vectors, .adjoint), .identity(n)) <= 1e-12 * precisionScale(T.self), "VᴴV = I")
            #expect(zip(eig.values, eig.values.dropFirst()).allSatisfy { $0 <= $1 }, "ascending")
            let trace = eig.values.reduce(0, +)
            #expect(abs(Double(trace - a.trace.realPart)) <= 1e-11 * precisionScale(T.self) * Double(n))
        }
    }

    @Test func eigendecompositionReconstructsA() throws {
        try checkHermitianEigen(Double.self)
        try checkHermitianEigen(Complex<Double>.self)
        try checkHermitianEigen(Float.self)
        try checkHermitianEigen(Complex<Float>.self)
    }

    @Test func knownHermitianEigenvalues() throws {
        // [[2, 1−i], [1+i, 3]] has eigenvalues 1 and 4.
        let a = Matrix<Complex<Double>>([[Complex(2, 0), Complex(1, -1)], [Complex(1, 1), Complex(3, 0)]])
        let w = try a.hermitianEigenvalues()
        #expect(isClose(w[0], 1, absolute: 1e-15) && isClose(w[1], 4, absolute: 1e-14))
    }

    func checkSquareRoot<T: LinalgScalar>(_: T.Type) throws {
        var rng = RandomStream(seed: 11, name: "sqrtm-\(T.self)")
        for n in [1, 4, 16] {
            // Full rank and rank-deficient (rank n/2) positive semidefinite matrices.
            for rank in Set([n, max(1, n / 2)]) {
                let g = Matrix<T>.randomNormal(rows: n, columns: rank, using: &rng)
                let a = Matrix.gram(g)
                let s = try a.hermitianSquareRoot()
                #expect(relativeError(s * s, a) <= 1e-10 * precisionScale(T.self), "sqrtm(A)² = A, \(T.self) n=\(n) rank=\(rank)")
                #expect(s == s.adjoint, "sqrtm(A) is Hermitian")
                #expect(try s.hermitianEigenvalues().allSatisfy { Double($0) >= -1e-12 * precisionScale(T.self) * Double(s.maxAbs) })
            }
        }
    }

    @Test func squareRootSquaresBackToA() throws {
        try checkSquareRoot(Double.self)
        try checkSquareRoot(Complex<Double>.self)
        try checkSquareRoot(Float.self)
        try checkSquareRoot(Complex<Float>.self)
        // Closed form: sqrtm([[2, 1−i], [1+i, 3]]) = V·diag(1, 2)·Vᴴ = (A + 2I)/3, since A² − 5A + 4I = 0.
        let a = Matrix<Complex<Double>>([[Complex(2, 0), Complex(1, -1)], [Complex(1, 1), Complex(3, 0)]])
        let expected = Complex(1.0 / 3, 0) * (a + Matrix.diagonal([Complex(2, 0), Complex(2, 0)]))
        let root = try a.hermitianSquareRoot()
        #expect(relativeError(root, expected) <= 1e-14)
        #expect(throws: LinalgError.self) { try Matrix<Double>.diagonal([1, -1]).hermitianSquareRoot() }
    }

    /// The Jacobi square root of the channel draws equals heevd's (full rank and rank-deficient, with
    /// wide eigenvalue spreads as local scattering makes them), to rounding.
    @Test func jacobiSquareRootEqualsHeevds() throws {
        var rng = RandomStream(seed: 41, name: "jacobi-sqrtm")
        for n in 1...6 {
            for rank in Set([n, max(1, n / 2), 1]) {
                for spread in [1.0, 1e-6] {
                    var g = Matrix<Complex<Double>>.randomNormal(rows: n, columns: rank, using: &rng)
                    for j in 1..<max(1, rank) { for i in 0..<n { g[i, j] = Complex(spread) * g[i, j] } }
                    let a = Matrix.gram(g), expected = try a.hermitianSquareRoot()
                    var root = Matrix<Complex<Double>>(rows: n, columns: n)
                    try a.elements.withUnsafeBufferPointer { ab in
                        try root.elements.withUnsafeMutableBufferPointer { rb in
                            try hermitianSquareRoot(ab.baseAddress!, order: n, scale: 0.5, into: rb.baseAddress!)
                        }
                    }
                    // A singular A's root is determined only to √ε (rounding-level eigenvalues ±ε·‖A‖ have roots
                    // ~√ε·‖A‖^{1/2}, in either method); a well-conditioned one's to rounding.
                    let tolerance = rank == n && spread == 1 ? 1e-12 : 1e-7
                    #expect(relativeError(root, Complex(0.5) * expected) <= tolerance, "n=\(n) rank=\(rank) spread=\(spread)")
                    let twice = Complex(2.0) * root
                    #expect(relativeError(twice * twice, a) <= 1e-12, "(2·root)² = A, n=\(n) rank=\(rank)")
                    #expect(root == root.adjoint)
                }
            }
        }
        let indefinite = [Complex<Double>(1), .zero, .zero, Complex(-1)]
        var out = [Complex<Double>](repeating: .zero, count: 4)
        #expect(throws: LinalgError.self) { try hermitianSquareRoot(indefinite, order: 2, scale: 1, into: &out) }
    }

    @Test func generalEigenvaluesAndSpectralRadius() throws {
        // Companion matrix of (x−1)(x−2)(x−3) = x³ − 6x² + 11x − 6: eigenvalues 1, 2, 3.
        let companion = Matrix<Double>([[6, -11, 6], [1, 0, 0], [0, 1, 0]])
        let values = try companion.eigenvalues().map(\.real).sorted()
        for (v, e) in zip(values, [1.0, 2, 3]) { #expect(isClose(v, e, absolute: 1e-12)) }
        #expect(isClose(try companion.spectralRadius(), 3, absolute: 1e-12))
        // A scaled rotation has the conjugate pair 2e^{±iπ/3}.
        let c = 2 * Double.cos(.pi / 3), s = 2 * Double.sin(.pi / 3)
        let rotation = Matrix<Double>([[c, -s], [s, c]])
        #expect(isClose(try rotation.spectralRadius(), 2, absolute: 1e-14))
        // A non-negative matrix with constant row sums r has Perron root r.
        var rng = RandomStream(seed: 12, name: "perron")
        var m = Matrix<Double>(rows: 8, columns: 8) { _, _ in rng.uniform() }
        for i in 0..<8 {
            let sum = (0..<8).reduce(0) { $0 + m[i, $1] }
            for j in 0..<8 { m[i, j] *= 5 / sum }
        }
        #expect(isClose(try m.spectralRadius(), 5, absolute: 1e-12))
    }

    func checkEigenvectors<T: LinalgScalar>(_: T.Type) throws {
        var rng = RandomStream(seed: 13, name: "geev-\(T.self)")
        let n = 7
        let a = Matrix<T>.randomNormal(rows: n, columns: n, using: &rng)
        let (values, vectors) = try a.eigen()
        let ac = a.map { Complex<T.RealPart>($0.realPart, $0.imaginaryPart) }
        let av = ac * vectors
        let vl = vectors * Matrix.diagonal(values)
        #expect(relativeError(av, vl) <= 1e-12 * precisionScale(T.self), "A·V = V·Λ, \(T.self)")
    }

    @Test func generalEigenvectorsSatisfyAVEqualsVLambda() throws {
        try checkEigenvectors(Double.self)
        try checkEigenvectors(Complex<Double>.self)
        try checkEigenvectors(Float.self)
    }
}
