import Linalg

// swift-numerics' `Complex.real`/`.imaginary` return NaN for non-finite values, a check per access that
// dominates tight loops. Complex<Double> is laid out as (real, imaginary), so hot loops read and write
// interleaved Doubles through these views instead.
extension UnsafePointer where Pointee == Complex<Double> {
    @inline(__always) var interleaved: UnsafePointer<Double> { UnsafeRawPointer(self).assumingMemoryBound(to: Double.self) }
}

extension UnsafeMutablePointer where Pointee == Complex<Double> {
    @inline(__always) var interleaved: UnsafeMutablePointer<Double> { UnsafeMutableRawPointer(self).assumingMemoryBound(to: Double.self) }
}

/// y = A·x for a column-major N×N complex A; all three as interleaved (re, im) Doubles.
@inline(__always)
func complexMatVec(_ A: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ N: Int) {
    for r in 0..<(2 * N) { y[r] = 0 }
    for c in 0..<N {
        let xr = x[2 * c], xi = x[2 * c + 1], column = A + 2 * N * c
        for r in 0..<N {
            let ar = column[2 * r], ai = column[2 * r + 1]
            y[2 * r] += ar * xr - ai * xi
            y[2 * r + 1] += ar * xi + ai * xr
        }
    }
}

/// C = A·B for column-major N×N complex matrices, as interleaved (re, im) Doubles.
@inline(__always)
func complexMatMul(_ A: UnsafePointer<Double>, _ B: UnsafePointer<Double>, _ C: UnsafeMutablePointer<Double>, _ N: Int) {
    for c in 0..<N { complexMatVec(A, B + 2 * N * c, C + 2 * N * c, N) }
}
