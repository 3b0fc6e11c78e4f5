import ComplexModule

/// The principal square root of a small n×n Hermitian positive semidefinite matrix (column-major,
/// both triangles read) into `out`, times `scale`: the same A^{1/2} = V·diag(√λ)·Vᴴ as
/// `Matrix.hermitianSquareRoot`, with the eigendecomposition by cyclic complex Jacobi rotations
/// instead of heevd. For the per-(AP, UE) N×N matrices of the channel draws (N ≤ 8 or so), where a
/// LAPACK call costs ten times the arithmetic. Jacobi is accurate to rounding for every eigenvalue
/// (Demmel–Veselić), so the result equals heevd's to about 1e-15 relative.
/// The same clamp as `hermitianSquareRoot`: eigenvalues in [−tol, 0), tol = 64·n·ε·max|λ|, become 0.
public func hermitianSquareRoot(_ a: UnsafePointer<Complex<Double>>, order n: Int, scale: Double,
                                into out: UnsafeMutablePointer<Complex<Double>>) throws {
    let work = UnsafeMutablePointer<Complex<Double>>.allocate(capacity: 2 * n * n)
    defer { work.deallocate() }
    let m = work, v = work + n * n   // m → diag(λ); v → eigenvectors
    m.update(from: a, count: n * n)
    for i in 0..<(n * n) { v[i] = .zero }
    for i in 0..<n { v[i + n * i] = .one }
    var total = 0.0
    for i in 0..<(n * n) { total += m[i].lengthSquared }
    let negligible = total * 1e-34   // |a_pq|² below this leaves the eigenvalues unchanged to rounding
    for _ in 0..<30 {
        var off = 0.0
        for q in 0..<n { for p in 0..<q { off += m[p + n * q].lengthSquared } }
        if off <= negligible { break }
        for q in 1..<max(1, n) {
            for p in 0..<q {
                let beta = m[p + n * q], size = beta.length
                guard size * size > negligible else { continue }
                // B = [[α, β], [β̄, γ]]: the phase D = diag(1, e^{−iφ}) makes it real, a real rotation
                // [[c, s], [−s, c]] diagonalizes that (Numerical Recipes' Jacobi step); U = D·rotation.
                let alpha = m[p + n * p].real, gamma = m[q + n * q].real
                let tau = (gamma - alpha) / (2 * size)
                let t = (tau >= 0 ? 1.0 : -1.0) / (Swift.abs(tau) + (1 + tau * tau).squareRoot())
                let c = 1 / (1 + t * t).squareRoot(), s = t * c
                let phase = Complex(beta.real / size, -beta.imaginary / size)   // e^{−iφ}
                let u11 = Complex(c), u12 = Complex(s), u21 = Complex(-s) * phase, u22 = Complex(c) * phase
                for r in 0..<n {   // columns p, q of M and V: ·U
                    let x = m[r + n * p], y = m[r + n * q]
                    m[r + n * p] = x * u11 + y * u21
                    m[r + n * q] = x * u12 + y * u22
                    let xv = v[r + n * p], yv = v[r + n * q]
                    v[r + n * p] = xv * u11 + yv * u21
                    v[r + n * q] = xv * u12 + yv * u22
                }
                for r in 0..<n {   // rows p, q of M: Uᴴ·
                    let x = m[p + n * r], y = m[q + n * r]
                    m[p + n * r] = u11.conjugate * x + u21.conjugate * y
                    m[q + n * r] = u12.conjugate * x + u22.conjugate * y
                }
                m[p + n * q] = .zero
                m[q + n * p] = .zero
                m[p + n * p] = Complex(m[p + n * p].real)
                m[q + n * q] = Complex(m[q + n * q].real)
            }
        }
    }
    var largest = 0.0, smallest = Double.infinity
    for j in 0..<n {
        largest = Swift.max(largest, Swift.abs(m[j + n * j].real))
        smallest = Swift.min(smallest, m[j + n * j].real)
    }
    let tol = 64 * Double(n) * .ulpOfOne * largest
    if n > 0, smallest < -tol {
        throw LinalgError.notPositiveSemidefinite(routine: "sqrtm (Jacobi)", smallestEigenvalue: smallest, tolerance: tol)
    }
    // W = V·diag(λ^{1/4}) in place of V; out = scale·W·Wᴴ.
    for j in 0..<n {
        let w = Complex(Swift.max(m[j + n * j].real, 0).squareRoot().squareRoot())
        for i in 0..<n { v[i + n * j] = w * v[i + n * j] }
    }
    for j in 0..<n {
        for i in 0..<n {
            var acc = Complex<Double>.zero
            for t in 0..<n { acc += v[i + n * t] * v[j + n * t].conjugate }
            out[i + n * j] = Complex(scale) * acc
        }
    }
}
