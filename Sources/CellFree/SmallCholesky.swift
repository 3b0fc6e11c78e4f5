import Linalg

/// In place, the lower Cholesky factor G of the n×n Hermitian positive definite `a` (column-major, lower
/// triangle read; the strict upper triangle is left as it was). For the small systems of the labels,
/// where a BLAS/LAPACK call costs more than the arithmetic. Throws naming `what` on a pivot ≤ 0 or NaN.
func choleskyInPlace(_ a: UnsafeMutablePointer<Complex<Double>>, order n: Int, what: @autoclosure () -> String) throws {
    for j in 0..<n {
        var d = a[j + n * j].real
        for t in 0..<j { d -= a[j + n * t].lengthSquared }
        guard d > 0, d.isFinite else {
            throw CellFreeError.numerical(what: what(), detail: "matrix not positive definite or not finite (pivot \(j): \(d))")
        }
        let g = d.squareRoot(), inverse = Complex(1 / g)
        a[j + n * j] = Complex(g)
        for i in (j + 1)..<max(j + 1, n) {
            var acc = a[i + n * j]
            for t in 0..<j { acc -= a[i + n * t] * a[j + n * t].conjugate }
            a[i + n * j] = inverse * acc
        }
    }
}
