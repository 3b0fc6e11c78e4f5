import CLapack

// The four conformances of `LinalgScalar`: the only place that names s/d/c/z routines.
// Everything is column-major; Hermitian routines use the lower triangle.

@inline(__always) func cblas(_ t: Transpose, complex: Bool) -> CBLAS_TRANSPOSE {
    switch t {
    case .none: return CblasNoTrans
    case .transpose: return CblasTrans
    case .adjoint: return complex ? CblasConjTrans : CblasTrans
    }
}

let lapackColumnMajor = Int32(LAPACK_COL_MAJOR)
let lowerTriangle = CChar(UInt8(ascii: "L"))
let noTranspose = CChar(UInt8(ascii: "N"))
@inline(__always) func job(_ on: Bool) -> CChar { CChar(UInt8(ascii: on ? "V" : "N")) }

/// Packs LAPACK's real-type eigenvalue output (wr, wi) into complex values.
func packRealEigen<T: Real>(_ n: Int, wr: [T], wi: [T], into values: UnsafeMutablePointer<Complex<T>>) {
    for j in 0..<n { values[j] = Complex(wr[j], wi[j]) }
}

extension Float: LinalgScalar {
    public typealias RealPart = Float
    public static func standardNormal(using rng: inout RandomStream) -> Float { Float(rng.normal()) }
    public static func blasGemm(_ transA: Transpose, _ transB: Transpose, _ m: Int32, _ n: Int32, _ k: Int32,
                                _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int32,
                                _ b: UnsafePointer<Float>, _ ldb: Int32,
                                _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32) {
        cblas_sgemm(CblasColMajor, cblas(transA, complex: false), cblas(transB, complex: false),
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    public static func blasGemv(_ trans: Transpose, _ m: Int32, _ n: Int32, _ alpha: Float,
                                _ a: UnsafePointer<Float>, _ lda: Int32, _ x: UnsafePointer<Float>, _ incx: Int32,
                                _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ incy: Int32) {
        cblas_sgemv(CblasColMajor, cblas(trans, complex: false), m, n, alpha, a, lda, x, incx, beta, y, incy)
    }
    public static func blasHerk(_ trans: Transpose, _ n: Int32, _ k: Int32, _ alpha: Float,
                                _ a: UnsafePointer<Float>, _ lda: Int32,
                                _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32) {
        cblas_ssyrk(CblasColMajor, CblasLower, cblas(trans, complex: false), n, k, alpha, a, lda, beta, c, ldc)
    }
    public static func lapackPotrf(_ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32) -> Int32 {
        LAPACKE_spotrf(lapackColumnMajor, lowerTriangle, n, a, lda)
    }
    public static func lapackPotrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Float>, _ lda: Int32,
                                   _ b: UnsafeMutablePointer<Float>, _ ldb: Int32) -> Int32 {
        LAPACKE_spotrs(lapackColumnMajor, lowerTriangle, n, nrhs, a, lda, b, ldb)
    }
    public static func lapackPotri(_ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32) -> Int32 {
        LAPACKE_spotri(lapackColumnMajor, lowerTriangle, n, a, lda)
    }
    public static func lapackGetrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                                   _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgetrf(lapackColumnMajor, m, n, a, lda, ipiv)
    }
    public static func lapackGetrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Float>, _ lda: Int32,
                                   _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Float>, _ ldb: Int32) -> Int32 {
        LAPACKE_sgetrs(lapackColumnMajor, noTranspose, n, nrhs, a, lda, ipiv, b, ldb)
    }
    public static func lapackGetri(_ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                                   _ ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_sgetri(lapackColumnMajor, n, a, lda, ipiv)
    }
    public static func lapackHeevd(_ vectors: Bool, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                                   _ w: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_ssyevd(lapackColumnMajor, job(vectors), lowerTriangle, n, a, lda, w)
    }
    public static func lapackGeev(_ n: Int32, _ a: UnsafeMutablePointer<Float>, _ lda: Int32,
                                  _ values: UnsafeMutablePointer<Complex<Float>>,
                                  _ vr: UnsafeMutablePointer<Float>?, _ ldvr: Int32) -> Int32 {
        var wr = [Float](repeating: 0, count: Int(n)), wi = wr
        let info = LAPACKE_sgeev(lapackColumnMajor, noTranspose, job(vr != nil), n, a, lda, &wr, &wi,
                                 nil, 1, vr, ldvr)
        packRealEigen(Int(n), wr: wr, wi: wi, into: values)
        return info
    }
}

extension Double: LinalgScalar {
    public typealias RealPart = Double
    public static func standardNormal(using rng: inout RandomStream) -> Double { rng.normal() }
    public static func blasGemm(_ transA: Transpose, _ transB: Transpose, _ m: Int32, _ n: Int32, _ k: Int32,
                                _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int32,
                                _ b: UnsafePointer<Double>, _ ldb: Int32,
                                _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int32) {
        cblas_dgemm(CblasColMajor, cblas(transA, complex: false), cblas(transB, complex: false),
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    public static func blasGemv(_ trans: Transpose, _ m: Int32, _ n: Int32, _ alpha: Double,
                                _ a: UnsafePointer<Double>, _ lda: Int32, _ x: UnsafePointer<Double>, _ incx: Int32,
                                _ beta: Double, _ y: UnsafeMutablePointer<Double>, _ incy: Int32) {
        cblas_dgemv(CblasColMajor, cblas(trans, complex: false), m, n, alpha, a, lda, x, incx, beta, y, incy)
    }
    public static func blasHerk(_ trans: Transpose, _ n: Int32, _ k: Int32, _ alpha: Double,
                                _ a: UnsafePointer<Double>, _ lda: Int32,
                                _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int32) {
        cblas_dsyrk(CblasColMajor, CblasLower, cblas(trans, complex: false), n, k, alpha, a, lda, beta, c, ldc)
    }
    public static func lapackPotrf(_ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32) -> Int32 {
        LAPACKE_dpotrf(lapackColumnMajor, lowerTriangle, n, a, lda)
    }
    public static func lapackPotrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Double>, _ lda: Int32,
                                   _ b: UnsafeMutablePointer<Double>, _ ldb: Int32) -> Int32 {
        LAPACKE_dpotrs(lapackColumnMajor, lowerTriangle, n, nrhs, a, lda, b, ldb)
    }
    public static func lapackPotri(_ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32) -> Int32 {
        LAPACKE_dpotri(lapackColumnMajor, lowerTriangle, n, a, lda)
    }
    public static func lapackGetrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                                   _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgetrf(lapackColumnMajor, m, n, a, lda, ipiv)
    }
    public static func lapackGetrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Double>, _ lda: Int32,
                                   _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Double>, _ ldb: Int32) -> Int32 {
        LAPACKE_dgetrs(lapackColumnMajor, noTranspose, n, nrhs, a, lda, ipiv, b, ldb)
    }
    public static func lapackGetri(_ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                                   _ ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_dgetri(lapackColumnMajor, n, a, lda, ipiv)
    }
    public static func lapackHeevd(_ vectors: Bool, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                                   _ w: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dsyevd(lapackColumnMajor, job(vectors), lowerTriangle, n, a, lda, w)
    }
    public static func lapackGeev(_ n: Int32, _ a: UnsafeMutablePointer<Double>, _ lda: Int32,
                                  _ values: UnsafeMutablePointer<Complex<Double>>,
                                  _ vr: UnsafeMutablePointer<Double>?, _ ldvr: Int32) -> Int32 {
        var wr = [Double](repeating: 0, count: Int(n)), wi = wr
        let info = LAPACKE_dgeev(lapackColumnMajor, noTranspose, job(vr != nil), n, a, lda, &wr, &wi,
                                 nil, 1, vr, ldvr)
        packRealEigen(Int(n), wr: wr, wi: wi, into: values)
        return info
    }
}

// Complex pointers cross into LAPACKE as its layout-identical custom structs (shim.h).
@inline(__always) func lapacke(_ p: UnsafeMutablePointer<Complex<Float>>) -> UnsafeMutablePointer<clapack_complex_float> {
    UnsafeMutablePointer(OpaquePointer(p))
}
@inline(__always) func lapacke(_ p: UnsafePointer<Complex<Float>>) -> UnsafePointer<clapack_complex_float> {
    UnsafePointer(OpaquePointer(p))
}
@inline(__always) func lapacke(_ p: UnsafeMutablePointer<Complex<Double>>) -> UnsafeMutablePointer<clapack_complex_double> {
    UnsafeMutablePointer(OpaquePointer(p))
}
@inline(__always) func lapacke(_ p: UnsafePointer<Complex<Double>>) -> UnsafePointer<clapack_complex_double> {
    UnsafePointer(OpaquePointer(p))
}

extension Complex: LinalgScalar where RealType: LinalgScalar & BinaryFloatingPoint {
    public typealias RealPart = RealType

    public static func standardNormal(using rng: inout RandomStream) -> Complex {
        let z = rng.complexNormal()
        return Complex(RealType(z.real), RealType(z.imaginary))
    }

    // Dispatch on the real type: Complex<Float> → c routines, Complex<Double> → z routines.
    @inline(__always) static var single: Bool { RealType.self == Float.self }

    public static func blasGemm(_ transA: Transpose, _ transB: Transpose, _ m: Int32, _ n: Int32, _ k: Int32,
                                _ alpha: Complex, _ a: UnsafePointer<Complex>, _ lda: Int32,
                                _ b: UnsafePointer<Complex>, _ ldb: Int32,
                                _ beta: Complex, _ c: UnsafeMutablePointer<Complex>, _ ldc: Int32) {
        withUnsafePointer(to: alpha) { pa in
            withUnsafePointer(to: beta) { pb in
                let ta = cblas(transA, complex: true), tb = cblas(transB, complex: true)
                if single {
                    cblas_cgemm(CblasColMajor, ta, tb, m, n, k, pa, a, lda, b, ldb, pb, c, ldc)
                } else {
                    cblas_zgemm(CblasColMajor, ta, tb, m, n, k, pa, a, lda, b, ldb, pb, c, ldc)
                }
            }
        }
    }
    public static func blasGemv(_ trans: Transpose, _ m: Int32, _ n: Int32, _ alpha: Complex,
                                _ a: UnsafePointer<Complex>, _ lda: Int32, _ x: UnsafePointer<Complex>, _ incx: Int32,
                                _ beta: Complex, _ y: UnsafeMutablePointer<Complex>, _ incy: Int32) {
        withUnsafePointer(to: alpha) { pa in
            withUnsafePointer(to: beta) { pb in
                let t = cblas(trans, complex: true)
                if single {
                    cblas_cgemv(CblasColMajor, t, m, n, pa, a, lda, x, incx, pb, y, incy)
                } else {
                    cblas_zgemv(CblasColMajor, t, m, n, pa, a, lda, x, incx, pb, y, incy)
                }
            }
        }
    }
    public static func blasHerk(_ trans: Transpose, _ n: Int32, _ k: Int32, _ alpha: RealType,
                                _ a: UnsafePointer<Complex>, _ lda: Int32,
                                _ beta: RealType, _ c: UnsafeMutablePointer<Complex>, _ ldc: Int32) {
        precondition(trans != .transpose, "herk: op(A) must be A or Aᴴ")
        let t = cblas(trans, complex: true)
        if single {
            cblas_cherk(CblasColMajor, CblasLower, t, n, k, Float(alpha), a, lda, Float(beta), c, ldc)
        } else {
            cblas_zherk(CblasColMajor, CblasLower, t, n, k, Double(alpha), a, lda, Double(beta), c, ldc)
        }
    }

    // LAPACK: the pointer casts are between layout-identical types; `single` picks the routine.
    private static func f(_ p: UnsafeMutablePointer<Complex>) -> UnsafeMutablePointer<Complex<Float>> {
        UnsafeMutablePointer(OpaquePointer(p))
    }
    private static func d(_ p: UnsafeMutablePointer<Complex>) -> UnsafeMutablePointer<Complex<Double>> {
        UnsafeMutablePointer(OpaquePointer(p))
    }
    private static func f(_ p: UnsafePointer<Complex>) -> UnsafePointer<Complex<Float>> { UnsafePointer(OpaquePointer(p)) }
    private static func d(_ p: UnsafePointer<Complex>) -> UnsafePointer<Complex<Double>> { UnsafePointer(OpaquePointer(p)) }

    public static func lapackPotrf(_ n: Int32, _ a: UnsafeMutablePointer<Complex>, _ lda: Int32) -> Int32 {
        single ? LAPACKE_cpotrf(lapackColumnMajor, lowerTriangle, n, lapacke(f(a)), lda)
               : LAPACKE_zpotrf(lapackColumnMajor, lowerTriangle, n, lapacke(d(a)), lda)
    }
    public static func lapackPotrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Complex>, _ lda: Int32,
                                   _ b: UnsafeMutablePointer<Complex>, _ ldb: Int32) -> Int32 {
        single ? LAPACKE_cpotrs(lapackColumnMajor, lowerTriangle, n, nrhs, lapacke(f(a)), lda, lapacke(f(b)), ldb)
               : LAPACKE_zpotrs(lapackColumnMajor, lowerTriangle, n, nrhs, lapacke(d(a)), lda, lapacke(d(b)), ldb)
    }
    public static func lapackPotri(_ n: Int32, _ a: UnsafeMutablePointer<Complex>, _ lda: Int32) -> Int32 {
        single ? LAPACKE_cpotri(lapackColumnMajor, lowerTriangle, n, lapacke(f(a)), lda)
               : LAPACKE_zpotri(lapackColumnMajor, lowerTriangle, n, lapacke(d(a)), lda)
    }
    public static func lapackGetrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Complex>, _ lda: Int32,
                                   _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        single ? LAPACKE_cgetrf(lapackColumnMajor, m, n, lapacke(f(a)), lda, ipiv)
               : LAPACKE_zgetrf(lapackColumnMajor, m, n, lapacke(d(a)), lda, ipiv)
    }
    public static func lapackGetrs(_ n: Int32, _ nrhs: Int32, _ a: UnsafePointer<Complex>, _ lda: Int32,
                                   _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Complex>, _ ldb: Int32) -> Int32 {
        single ? LAPACKE_cgetrs(lapackColumnMajor, noTranspose, n, nrhs, lapacke(f(a)), lda, ipiv, lapacke(f(b)), ldb)
               : LAPACKE_zgetrs(lapackColumnMajor, noTranspose, n, nrhs, lapacke(d(a)), lda, ipiv, lapacke(d(b)), ldb)
    }
    public static func lapackGetri(_ n: Int32, _ a: UnsafeMutablePointer<Complex>, _ lda: Int32,
                                   _ ipiv: UnsafePointer<Int32>) -> Int32 {
        single ? LAPACKE_cgetri(lapackColumnMajor, n, lapacke(f(a)), lda, ipiv)
               : LAPACKE_zgetri(lapackColumnMajor, n, lapacke(d(a)), lda, ipiv)
    }
    public static func lapackHeevd(_ vectors: Bool, _ n: Int32, _ a: UnsafeMutablePointer<Complex>, _ lda: Int32,
                                   _ w: UnsafeMutablePointer<RealType>) -> Int32 {
        if single {
            return LAPACKE_cheevd(lapackColumnMajor, job(vectors), lowerTriangle, n, lapacke(f(a)), lda,
                                  UnsafeMutablePointer<Float>(OpaquePointer(w)))
        }
        return LAPACKE_zheevd(lapackColumnMajor, job(vectors), lowerTriangle, n, lapacke(d(a)), lda,
                              UnsafeMutablePointer<Double>(OpaquePointer(w)))
    }
    public static func lapackGeev(_ n: Int32, _ a: UnsafeMutablePointer<Complex>, _ lda: Int32,
                                  _ values: UnsafeMutablePointer<Complex<RealType>>,
                                  _ vr: UnsafeMutablePointer<Complex>?, _ ldvr: Int32) -> Int32 {
        let jobvr = job(vr != nil)
        if single {
            return LAPACKE_cgeev(lapackColumnMajor, noTranspose, jobvr, n, lapacke(f(a)), lda,
                                 lapacke(f(values)), nil, 1, vr.map { lapacke(f($0)) }, ldvr)
        }
        return LAPACKE_zgeev(lapackColumnMajor, noTranspose, jobvr, n, lapacke(d(a)), lda,
                             lapacke(d(values)), nil, 1, vr.map { lapacke(d($0)) }, ldvr)
    }
}
