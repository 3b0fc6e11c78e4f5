@_exported import ComplexModule
@_exported import RealModule

/// An element type the BLAS/LAPACK wrappers accept: `Float`, `Double`, `Complex<Float>`,
/// `Complex<Double>`. Each conformance routes the generic calls to its `s`, `d`, `c` or `z` routine.
///
/// The `blas…`/`lapack…` requirements are the raw column-major calls on contiguous buffers; use the
/// `Matrix` API or the `BLAS`/`LAPACK` namespaces rather than calling them directly.
public protocol LinalgScalar: Sendable, Hashable, AdditiveArithmetic, CustomStringConvertible {
    /// The real type underneath (`Float` or `Double`).
    associatedtype RealPart: Real & BinaryFloatingPoint & Sendable & LinalgScalar

    static var one: Self { get }
    /// True for the complex types; `conjugate` is the identity otherwise.
    static var isComplex: Bool { get }
    init(real: RealPart)
    var realPart: RealPart { get }
    var imaginaryPart: RealPart { get }
    var conjugate: Self { get }
    /// |x|² without overflow checks.
    var magnitudeSquared: RealPart { get }
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self
    /// A standard normal draw: N(0, 1) for reals, CN(0, 1) (each part N(0, ½)) for complex types.
    static func standardNormal(using rng: inout RandomStream) -> Self

    // MARK: BLAS level 2/3 (column-major)
    static func blasGemm(_ transA: Transpose, _ transB: Transpose, _ m: Int32, _ n: Int32, _ k: Int32,
                         _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int32,
                         _ b: UnsafePointer<Self>, _ ldb: Int32,
                         _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)
    static func blasGemv(_ trans: Transpose, _ m: Int32, _ n: Int32, _ alpha: Self,
                         _ a: UnsafePointer<Self>, _ lda: Int32, _ x: UnsafePointer<Self>, _ incx: Int32,
                         _ beta: Self, _ y: UnsafeMutablePointer<Self>, _ incy: Int32)
    /// Hermitian (symmetric for reals) rank-k update of the lower triangle:
    /// C = alpha·op(A)·op(A)ᴴ + beta·C, op = identity (`.none`) or conjugate transpose (`.adjoint`).
    static func blasHerk(_ trans: Transpose, _ n: Int32, _ k: Int32, _ alpha: RealPart,
                         _ a: UnsafePointer<Self>, _ lda: Int32,
                         _ beta: RealPart, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)

    // MARK: LAPACK (column-major, lower triangle for the Hermitian routines); return `info`.
    static func lapackPotrf(_ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32) -> Int32
    static func lapackPotrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Self>, _ lda: Int32,
                            _ b: UnsafeMutablePointer<Self>, _ ldb: Int32) -> Int32
    static func lapackPotri(_ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32) -> Int32
    static func lapackGetrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                            _ ipiv: UnsafeMutablePointer<Int32>) -> Int32
    static func lapackGetrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Self>, _ lda: Int32,
                            _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Self>, _ ldb: Int32) -> Int32
    static func lapackGetri(_ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                            _ ipiv: UnsafePointer<Int32>) -> Int32
    /// Hermitian eigendecomposition (divide and conquer); eigenvalues ascending into `w`,
    /// eigenvectors over `a` when `vectors` is true.
    static func lapackHeevd(_ vectors: Bool, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                            _ w: UnsafeMutablePointer<RealPart>) -> Int32
    /// General eigenvalues (and right eigenvectors when `vr` is non-nil), in LAPACK's own packing:
    /// reals give `wr`/`wi` and real `vr` columns for conjugate pairs; complex types give `w` in
    /// (wr, wi) pairs and complex `vr`. `a` is destroyed.
    static func lapackGeev(_ n: Int32, _ a: UnsafeMutablePointer<Self>, _ lda: Int32,
                           _ values: UnsafeMutablePointer<Complex<RealPart>>,
                           _ vr: UnsafeMutablePointer<Self>?, _ ldvr: Int32) -> Int32
}

/// How a matrix argument enters a product: as is, transposed, or conjugate-transposed (ᴴ).
public enum Transpose: Sendable {
    case none, transpose, adjoint
}

extension LinalgScalar {
    public static var one: Self { Self(real: 1) }
    /// |x| (Euclidean; swift-numerics' `Complex.magnitude` is the ∞-norm, hence another name).
    public var modulus: RealPart { magnitudeSquared.squareRoot() }
}

extension Float {
    public static var isComplex: Bool { false }
    public init(real: Float) { self = real }
    public var realPart: Float { self }
    public var imaginaryPart: Float { 0 }
    public var conjugate: Float { self }
    public var magnitudeSquared: Float { self * self }
}

extension Double {
    public static var isComplex: Bool { false }
    public init(real: Double) { self = real }
    public var realPart: Double { self }
    public var imaginaryPart: Double { 0 }
    public var conjugate: Double { self }
    public var magnitudeSquared: Double { self * self }
}

extension Complex where RealType: LinalgScalar & BinaryFloatingPoint {
    public static var isComplex: Bool { true }
    public init(real: RealType) { self.init(real, 0) }
    public var realPart: RealType { real }
    public var imaginaryPart: RealType { imaginary }
    /// |z|² = re² + im² (swift-numerics' `lengthSquared`).
    public var magnitudeSquared: RealType { lengthSquared }
}
