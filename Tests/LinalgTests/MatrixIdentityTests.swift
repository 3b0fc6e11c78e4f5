import Testing
import TestSupport
import Linalg

// Linear-algebra identities on random matrices, for the four element types. Double-based types must
// hold to ≤ 1e-10 (the bound; observed errors are ~1e-14); Float-based ones to ~1e-3.

@Suite("Linalg identities")
struct MatrixIdentityTests {
    static let sizes = [1, 7, 33]

    func checkInverse<T: LinalgScalar>(_: T.Type) throws {
        var rng = RandomStream(seed: 1, name: "inverse-\(T.self)")
        for n in Self.sizes {
            let a = Matrix<T>.randomNormal(rows: n, columns: n, using: &rng)
                + Matrix.diagonal([T](repeating: T(real: 3), count: n))
            let inv = try a.inverse()
            #expect(relativeError(a * inv, .identity(n)) <= 1e-10 * precisionScale(T.self), "A·A⁻¹ = I, \(T.self) n=\(n)")
            #expect(relativeError(inv * a, .identity(n)) <= 1e-10 * precisionScale(T.self), "A⁻¹·A = I, \(T.self) n=\(n)")
            let b = Matrix<T>.randomNormal(rows: n, columns: 3, using: &rng)
            #expect(relativeError(a * (try a.solve(b)), b) <= 1e-10 * precisionScale(T.self), "gesv residual")
        }
    }

    @Test func inverseTimesMatrixIsIdentity() throws {
        try checkInverse(Double.self)
        try checkInverse(Complex<Double>.self)
        try checkInverse(Float.self)
        try checkInverse(Complex<Float>.self)
    }

    func checkCholesky<T: LinalgScalar>(_: T.Type) throws {
        var rng = RandomStream(seed: 2, name: "cholesky-\(T.self)")
        for n in Self.sizes {
            let a = positiveDefinite(T.self, n, &rng)
            let b = Matrix<T>.randomNormal(rows: n, columns: 4, using: &rng)
            let x = try a.solvePositiveDefinite(b)
            #expect(relativeError(a * x, b) <= 1e-12 * precisionScale(T.self), "posv residual \(T.self) n=\(n)")
            // The in-place posv gives the same solution and leaves L in A's lower triangle.
            var factor = a, y = b
            try factor.solvePositiveDefiniteInPlace(&y)
            #expect(relativeError(y, x) <= 1e-12 * precisionScale(T.self))
            let chol = try a.cholesky()
            #expect(relativeError(Matrix.product(chol.lower, .none, chol.lower, .adjoint), a) <= 1e-12 * precisionScale(T.self), "L·Lᴴ = A")
            #expect(relativeError(a * (try a.inversePositiveDefinite()), .identity(n)) <= 1e-10 * precisionScale(T.self), "potri")
        }
    }

    @Test func choleskySolveHasSmallResidual() throws {
        try checkCholesky(Double.self)
        try checkCholesky(Complex<Double>.self)
        try checkCholesky(Float.self)
        try checkCholesky(Complex<Float>.self)
    }

    @Test func choleskyLogDeterminantMatchesEigenvalues() throws {
        var rng = RandomStream(seed: 3, name: "logdet")
        let a = positiveDefinite(Complex<Double>.self, 9, &rng)
        let fromEigen = try a.hermitianEigenvalues().reduce(0) { $0 + Double.log($1) }
        #expect(isClose(try a.cholesky().logDeterminant, fromEigen, relative: 1e-11))
    }

    func checkProducts<T: LinalgScalar>(_: T.Type) {
        var rng = RandomStream(seed: 4, name: "gemm-\(T.self)")
        let ops: [Transpose] = [.none, .transpose, .adjoint]
        let (m, n, k) = (5, 4, 3)
        for opA in ops {
            for opB in ops {
                let a = Matrix<T>.randomNormal(rows: opA == .none ? m : k, columns: opA == .none ? k : m, using: &rng)
                let b = Matrix<T>.randomNormal(rows: opB == .none ? k : n, columns: opB == .none ? n : k, using: &rng)
                let c0 = Matrix<T>.randomNormal(rows: m, columns: n, using: &rng)
                var c = c0
                let alpha = T(real: 2), beta = T(real: -0.5)
                c.multiplyAdd(a, opA, b, opB, alpha: alpha, beta: beta)
                let expected = alpha * naiveProduct(naiveOp(a, opA), naiveOp(b, opB)) + beta * c0
                #expect(relativeError(c, expected) <= 1e-14 * precisionScale(T.self), "gemm \(opA) \(opB) \(T.self)")
            }
            let a = Matrix<T>.randomNormal(rows: 6, columns: 4, using: &rng)
            let x = Matrix<T>.randomNormal(rows: opA == .none ? 4 : 6, columns: 1, using: &rng)
            let y = a.multiply(x.elements, opA)
            let expected = naiveProduct(naiveOp(a, opA), x)
            #expect(relativeError(Matrix(rows: y.count, columns: 1, columnMajor: y), expected) <= 1e-14 * precisionScale(T.self), "gemv \(opA)")
        }
        let a = Matrix<T>.randomNormal(rows: 5, columns: 3, using: &rng)
        #expect(relativeError(Matrix.gram(a), naiveProduct(a, naiveOp(a, .adjoint))) <= 1e-14 * precisionScale(T.self), "herk A·Aᴴ")
        #expect(relativeError(Matrix.gram(a, .adjoint), naiveProduct(naiveOp(a, .adjoint), a)) <= 1e-14 * precisionScale(T.self), "herk Aᴴ·A")
    }

    @Test func productsMatchNaiveLoops() {
        checkProducts(Double.self)
        checkProducts(Complex<Double>.self)
        checkProducts(Float.self)
        checkProducts(Complex<Float>.self)
    }

    @Test func emptyAndDegenerateShapesAreHandled() throws {
        let a = Matrix<Double>(rows: 3, columns: 0), b = Matrix<Double>(rows: 0, columns: 2)
        #expect(a * b == Matrix(rows: 3, columns: 2))
        #expect(try Matrix<Double>(rows: 0, columns: 0).inverse().count == 0)
        #expect(Matrix.gram(Matrix<Complex<Double>>(rows: 2, columns: 0)) == Matrix(rows: 2, columns: 2))
    }

    @Test func blocksStackAndSplitBack() {
        var rng = RandomStream(seed: 5, name: "blocks")
        let a = Matrix<Complex<Double>>.randomNormal(rows: 4, columns: 3, using: &rng)
        let b = Matrix<Complex<Double>>.randomNormal(rows: 2, columns: 3, using: &rng)
        let v = Matrix.vstack([a, b])
        #expect(v.block(rows: 0..<4, columns: 0..<3) == a && v.block(rows: 4..<6, columns: 0..<3) == b)
        let h = Matrix.hstack([a.adjoint, b.adjoint])
        #expect(h == v.adjoint)
        let d = Matrix.blockDiagonal([a, b])
        #expect(d.rows == 6 && d.columns == 6 && d.block(rows: 4..<6, columns: 3..<6) == b)
        #expect(d.block(rows: 0..<4, columns: 3..<6) == Matrix(rows: 4, columns: 3))
        #expect(v.select(rows: [5, 0], columns: [2]) == Matrix([[b[1, 2]], [a[0, 2]]]))
        var s = Matrix<Complex<Double>>(rows: 6, columns: 3)
        s.setBlock(b, row: 4, column: 0)
        #expect(s.block(rows: 4..<6, columns: 0..<3) == b)
    }

    @Test func lapackFailuresBecomeSwiftErrors() throws {
        // diag(1, −1) is not positive definite: the leading minor of order 2 fails.
        #expect(throws: LinalgError.notPositiveDefinite(routine: "potrf", order: 2)) {
            try Matrix<Double>.diagonal([1, -1]).cholesky()
        }
        #expect(throws: LinalgError.singular(routine: "getri", pivot: 2)) {
            try Matrix<Double>([[1, 2], [2, 4]]).inverse()
        }
        // LAPACKE checks inputs for NaN and reports the argument (4 = A in posv's LAPACKE signature).
        var nanMatrix = Matrix<Complex<Double>>.identity(3)
        nanMatrix[1, 1] = Complex(.nan, 0)
        #expect(throws: LinalgError.illegalArgument(routine: "potrf", index: 4)) { try nanMatrix.cholesky() }
        #expect(throws: LinalgError.self) { try Matrix<Double>(rows: 2, columns: 3).inverse() }
        #expect(throws: LinalgError.self) { try Matrix<Double>.identity(2).solve(Matrix(rows: 3, columns: 1)) }
        let error = LinalgError.notPositiveDefinite(routine: "potrf", order: 2)
        #expect(error.description == "potrf: matrix is not positive definite (leading minor of order 2)")
    }
}
