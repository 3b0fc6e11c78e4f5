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
