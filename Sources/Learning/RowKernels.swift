// 8-wide kernels over one contiguous row, for the softmax rows (Swift does not vectorize float
// reductions on its own: it keeps the scalar order).

/// max_j x_j.
@inline(__always)
func rowMaximum<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int) -> T {
    var best = SIMD8<T>(repeating: -T.infinity)
    var i = 0
    while i + 8 <= n {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<T>.self)
        best = best.replacing(with: v, where: v .> best)
        i += 8
    }
    var top = best.max()
    while i < n { if x[i] > top { top = x[i] }; i += 1 }
    return top
}

/// x_j ← x_j + a, returning nothing.
@inline(__always)
func rowShift<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, by a: T) {
    var i = 0
    while i + 8 <= n {
        let raw = UnsafeMutableRawPointer(x + i)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<T>.self) + a, as: SIMD8<T>.self)
        i += 8
    }
    while i < n { x[i] += a; i += 1 }
}

/// Σ_j x_j.
@inline(__always)
func rowSum<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int) -> T {
    var acc = SIMD8<T>(repeating: 0)
    var i = 0
    while i + 8 <= n { acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<T>.self); i += 8 }
    var total = acc.sum()
    while i < n { total += x[i]; i += 1 }
    return total
}

/// x_j ← s·x_j.
@inline(__always)
func rowScale<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, by s: T) {
    var i = 0
    while i + 8 <= n {
        let raw = UnsafeMutableRawPointer(x + i)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<T>.self) * s, as: SIMD8<T>.self)
        i += 8
    }
    while i < n { x[i] *= s; i += 1 }
}
