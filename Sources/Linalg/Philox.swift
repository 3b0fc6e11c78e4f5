// Philox-4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11):
// a keyed bijection of a 128-bit counter. Output block i of key k is a pure function of (k, i),
// so any draw can be recomputed without replaying the ones before it.

/// The Philox-4x32 block function with 10 rounds.
public enum Philox4x32 {
    static let m0: UInt32 = 0xD251_1F53, m1: UInt32 = 0xCD9E_8D57   // round multipliers
    static let w0: UInt32 = 0x9E37_79B9, w1: UInt32 = 0xBB67_AE85   // Weyl key increments

    /// Encrypts `counter` under `key`: the 4 output words of one block.
    @inline(__always)
    public static func block(counter c: SIMD4<UInt32>, key k: SIMD2<UInt32>) -> SIMD4<UInt32> {
        // Scalar words: SIMD4 element access costs a bounds check per use in this hot loop.
        var x0 = c.x, x1 = c.y, x2 = c.z, x3 = c.w, k0 = k.x, k1 = k.y
        for round in 0..<10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }
            let p0 = UInt64(m0) &* UInt64(x0), p1 = UInt64(m1) &* UInt64(x2)
            (x0, x1, x2, x3) = (UInt32(truncatingIfNeeded: p1 >> 32) ^ x1 ^ k0, UInt32(truncatingIfNeeded: p1),
                                UInt32(truncatingIfNeeded: p0 >> 32) ^ x3 ^ k1, UInt32(truncatingIfNeeded: p0))
        }
        return SIMD4(x0, x1, x2, x3)
    }

    /// Blocks n, n+1, n+2, n+3 of one stream at once, lane j holding block n + j: word w of every block
    /// in `words.w` (.0 … .3). The same words as four `block` calls, in vector registers.
    @inline(__always)
    public static func blocks4(first n: UInt64, index: UInt64, key k: SIMD2<UInt32>)
        -> (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>) {
        let counters = SIMD4<UInt64>(repeating: n) &+ SIMD4<UInt64>(0, 1, 2, 3)
        var x0 = SIMD4<UInt32>(truncatingIfNeeded: counters), x1 = SIMD4<UInt32>(truncatingIfNeeded: counters &>> 32)
        var x2 = SIMD4<UInt32>(repeating: UInt32(truncatingIfNeeded: index))
        var x3 = SIMD4<UInt32>(repeating: UInt32(truncatingIfNeeded: index >> 32))
        var k0 = k.x, k1 = k.y
        let a = SIMD4<UInt64>(repeating: UInt64(m0)), b = SIMD4<UInt64>(repeating: UInt64(m1))
        for round in 0..<10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }
            let p0 = a &* SIMD4<UInt64>(truncatingIfNeeded: x0), p1 = b &* SIMD4<UInt64>(truncatingIfNeeded: x2)
            let y0 = SIMD4<UInt32>(truncatingIfNeeded: p1 &>> 32) ^ x1 ^ SIMD4(repeating: k0)
            let y2 = SIMD4<UInt32>(truncatingIfNeeded: p0 &>> 32) ^ x3 ^ SIMD4(repeating: k1)
            (x0, x1, x2, x3) = (y0, SIMD4<UInt32>(truncatingIfNeeded: p1), y2, SIMD4<UInt32>(truncatingIfNeeded: p0))
        }
        return (x0, x1, x2, x3)
    }
}
