/// exp over whole buffers: 8-wide SIMD for Float (Cephes' expf reduction and polynomial, ≤ 2 ulp on
/// [−87.3, 88.7]; inputs are clamped to that range), libm for Double (the gradient-check path).
public protocol VectorExp {
    /// x ← exp(x) in place.
    static func exponentiate(_ x: UnsafeMutableBufferPointer<Self>)
}

extension Double: VectorExp {
    public static func exponentiate(_ x: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<x.count { x[i] = Double.exp(x[i]) }
    }
}

extension Float: VectorExp {
    public static func exponentiate(_ x: UnsafeMutableBufferPointer<Float>) {
        let n = x.count, base = x.baseAddress!
        var i = 0
        while i + 8 <= n {
            let raw = UnsafeMutableRawPointer(base + i)
            raw.storeBytes(of: expSIMD8(raw.loadUnaligned(as: SIMD8<Float>.self)), as: SIMD8<Float>.self)
            i += 8
        }
        if i < n {   // tail through one padded vector
            var v = SIMD8<Float>(repeating: 0)
            for j in 0..<(n - i) { v[j] = base[i + j] }
            let e = expSIMD8(v)
            for j in 0..<(n - i) { base[i + j] = e[j] }
        }
    }
}

/// e^x = 2^k·e^r, k = round(x·log2 e) (by the 1.5·2²³ shift, no per-lane calls), r = x − k·ln 2 (ln 2
/// split in two for exactness), e^r by the degree-6 Cephes polynomial.
@inline(__always)
func expSIMD8(_ input: SIMD8<Float>) -> SIMD8<Float> {
    let lo = SIMD8<Float>(repeating: -87.33654), hi = SIMD8<Float>(repeating: 88.72283)
    let x0 = input.replacing(with: hi, where: input .> hi).replacing(with: lo, where: input .< lo)
    let magic = SIMD8<Float>(repeating: 12_582_912)   // 1.5·2²³: adding it rounds to an integer
    let shifted = x0 * 1.44269504088896341 + magic
    let k = shifted - magic
    var r = x0 - k * 0.693359375
    r = r + k * 2.12194440e-4
    var p = SIMD8<Float>(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    // k as an integer from the shifted bits; 2^k built from exponent bits, split in two halves so
    // that k = 128 (x near 88.7) stays finite.
    let ki = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    let half = ki &>> 1
    let a = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
    let b = unsafeBitCast((ki &- half &+ 127) &<< 23, to: SIMD8<Float>.self)
    return y * a * b
}
