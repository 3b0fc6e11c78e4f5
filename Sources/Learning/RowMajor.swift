import Linalg

/// C = alpha·op(A)·op(B) + beta·C for row-major matrices: C is m×n, op(A) m×k, op(B) k×n, leading
/// dimensions are row strides. (Column-major BLAS on the transposes: Cᵀ = op(B)ᵀ·op(A)ᵀ.)
@inline(__always)
func gemm<T: TensorScalar>(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
                           _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                           _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    T.blasGemm(transB ? .transpose : .none, transA ? .transpose : .none, Int32(n), Int32(m), Int32(k), alpha,
               b, Int32(ldb), a, Int32(lda), beta, c, Int32(ldc))
}
