// Kernels over one contiguous row, for the softmax rows. Float reductions are not vectorized by the
// compiler (it keeps the scalar order), so max and sum run on four independent accumulators.

/// max_j x_j.
@inline(__always)
func rowMaximum<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int) -> T {
    var (a, b, c, d) = (-T.infinity, -T.infinity, -T.infinity, -T.infinity)
    var i = 0
    while i + 4 <= n {
        if x[i] > a { a = x[i] }
        if x[i + 1] > b { b = x[i + 1] }
        if x[i + 2] > c { c = x[i + 2] }
        if x[i + 3] > d { d = x[i + 3] }
        i += 4
    }
    while i < n { if x[i] > a { a = x[i] }; i += 1 }
    return max(max(a, b), max(c, d))
}

/// Σ_j x_j.
@inline(__always)
func rowSum<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int) -> T {
    var (a, b, c, d): (T, T, T, T) = (0, 0, 0, 0)
    var i = 0
    while i + 4 <= n {
        a += x[i]; b += x[i + 1]; c += x[i + 2]; d += x[i + 3]
        i += 4
    }
    while i < n { a += x[i]; i += 1 }
    return (a + b) + (c + d)
}

/// x_j ← x_j + s.
@inline(__always)
func rowShift<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, by s: T) {
    for i in 0..<n { x[i] += s }
}

/// x_j ← s·x_j.
@inline(__always)
func rowScale<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, by s: T) {
    for i in 0..<n { x[i] *= s }
}
