import Linalg

/// max |a_ij − b_ij| / max(1, max |b_ij|): the error measure of these tests.
func relativeError<T: LinalgScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Double {
    precondition(a.rows == b.rows && a.columns == b.columns)
    return Double((a - b).maxAbs) / Swift.max(1, Double(b.maxAbs))
}

/// A Hermitian positive definite test matrix G·Gᴴ + n·I, well conditioned.
func positiveDefinite<T: LinalgScalar>(_: T.Type, _ n: Int, _ rng: inout RandomStream) -> Matrix<T> {
    let g = Matrix<T>.randomNormal(rows: n, columns: n, using: &rng)
    return Matrix.gram(g) + Matrix.diagonal([T](repeating: T(real: T.RealPart(n)), count: n))
}

/// op(A) by loops, for checking BLAS.
func naiveOp<T: LinalgScalar>(_ a: Matrix<T>, _ op: Transpose) -> Matrix<T> {
    switch op {
    case .none: return a
    case .transpose: return Matrix(rows: a.columns, columns: a.rows) { i, j in a[j, i] }
    case .adjoint: return Matrix(rows: a.columns, columns: a.rows) { i, j in a[j, i].conjugate }
    }
}

func naiveProduct<T: LinalgScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Matrix<T> {
    Matrix(rows: a.rows, columns: b.columns) { i, j in
        (0..<a.columns).reduce(T.zero) { $0 + a[i, $1] * b[$1, j] }
    }
}

/// Scales a Double tolerance to T's precision: 1 for Double-based types, ε_Float/ε_Double ≈ 5.4e8 for Float.
func precisionScale<T: LinalgScalar>(_: T.Type) -> Double { Double(T.RealPart.ulpOfOne) / Double.ulpOfOne }
