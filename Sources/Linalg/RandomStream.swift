import Foundation

/// A reproducible stream of random numbers: Philox-4x32-10 blocks under a 64-bit key, counter =
/// (block index: 64 bits, stream index: 64 bits).
///
/// Streams are derived, never global (the architecture notes, design §3): `RandomStream(seed:name:index:)` gives the
/// stream of one (manifest seed, stage name, sample index), and `derived(_:index:)` splits a stream
/// into named sub-streams (e.g. "shadowing", "channels"). A sample's numbers therefore never depend on
/// how many workers ran or in which order.
///
/// Key derivation (fixed forever, results depend on it): FNV-1a-64 of the name's UTF-8 bytes, mixed
/// into the parent key and the parent's stream index by SplitMix64's finalizer:
/// key' = mix(mix(mix(key) ^ index) ^ fnv(name)). The root key of a seed is mix(seed).
public struct RandomStream: Sendable, Equatable {
    /// The Philox key of this stream.
    public let key: UInt64
    /// The stream index (upper 64 bits of the counter).
    public let index: UInt64
    /// The next block to generate (lower 64 bits of the counter).
    public private(set) var blockCounter: UInt64 = 0
    private var buffer: SIMD4<UInt32> = .zero
    private var used = 4                 // words of `buffer` already consumed
    private var spareNormal: Double?     // second value of the last Box–Muller pair

    /// A stream from a raw key and stream index (mainly for tests and known-answer checks).
    public init(key: UInt64, index: UInt64) {
        self.key = key
        self.index = index
    }

    /// The stream of (seed, name, index), e.g. (manifest seed, "layouts", sample 17).
    public init(seed: UInt64, name: String, index: UInt64 = 0) {
        self = RandomStream(key: RandomStream.mix(seed), index: 0).derived(name, index: index)
    }

    /// An independent named sub-stream. Does not advance `self`.
    public func derived(_ name: String, index: UInt64 = 0) -> RandomStream {
        let k = Self.mix(Self.mix(Self.mix(key) ^ self.index) ^ Self.fnv1a64(name))
        return RandomStream(key: k, index: index)
    }

    // MARK: Raw words

    /// Philox block `n` of this stream.
    @inline(__always)
    public func block(_ n: UInt64) -> SIMD4<UInt32> {
        Philox4x32.block(counter: SIMD4(UInt32(truncatingIfNeeded: n), UInt32(truncatingIfNeeded: n >> 32),
                                        UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32)),
                         key: SIMD2(UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32)))
    }

    @inline(__always)
    private mutating func nextBlock() -> SIMD4<UInt32> {
        let b = block(blockCounter)
        blockCounter &+= 1
        return b
    }

    public mutating func nextUInt32() -> UInt32 {
        if used == 4 { buffer = nextBlock(); used = 0 }
        defer { used += 1 }
        return buffer[used]
    }

    /// Fills `out` with the next raw words, exactly as repeated `nextUInt32()` would; whole Philox blocks
    /// are counter-addressed, so `threads` > 1 generates them in parallel with the same result.
    public mutating func fillWords(_ out: UnsafeMutableBufferPointer<UInt32>, threads: Int = 1) {
        var i = 0
        while i < out.count && used < 4 { out[i] = nextUInt32(); i += 1 }   // the buffered block first
        let blocks = (out.count - i) / 4, first = blockCounter, start = i
        if blocks > 0 {
            let stream = self, target = UncheckedSendable(value: out.baseAddress! + start)
            parallelChunks(blocks, threads: threads, minimumPerThread: 4096) { range in
                for b in range {
                    let words = stream.block(first &+ UInt64(b))
                    for w in 0..<4 { target.value[4 * b + w] = words[w] }
                }
            }
            blockCounter = first &+ UInt64(blocks)
            i += 4 * blocks
        }
        while i < out.count { out[i] = nextUInt32(); i += 1 }
    }

    public mutating func nextUInt64() -> UInt64 {
        UInt64(nextUInt32()) | (UInt64(nextUInt32()) << 32)
    }

    // MARK: Uniform

    /// Uniform on [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Self.unitInterval(nextUInt64()) }

    /// Uniform on [a, b).
    public mutating func uniform(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }

    /// Uniform Float on [0, 1) with 24 random bits.
    public mutating func uniformFloat() -> Float { Float(nextUInt32() >> 8) * 0x1p-24 }

    /// An integer uniform on 0..<n (Lemire's unbiased multiply-shift rejection).
    public mutating func uniformInt(below n: Int) -> Int {
        precondition(n > 0, "uniformInt: bound \(n) must be positive")
        let bound = UInt64(n)
        var m = nextUInt64().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = nextUInt64().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Fills `out` with uniforms on [0, 1), two per Philox block.
    public mutating func fillUniform(_ out: UnsafeMutableBufferPointer<Double>) {
        flushBuffered()
        var i = 0
        while i < out.count {
            let b = nextBlock()
            out[i] = Self.unitInterval(UInt64(b[0]) | UInt64(b[1]) << 32)
            if i + 1 < out.count { out[i + 1] = Self.unitInterval(UInt64(b[2]) | UInt64(b[3]) << 32) }
            i += 2
        }
    }

    // MARK: Normal (Box–Muller on whole blocks)

    /// A standard normal N(0, 1) draw.
    public mutating func normal() -> Double {
        if let z = spareNormal { spareNormal = nil; return z }
        flushBuffered()
        let (z0, z1) = Self.boxMuller(nextBlock())
        spareNormal = z1
        return z0
    }

    /// Fills `out` with N(0, 1) draws, one Box–Muller pair per Philox block. Equal to calling
    /// `normal()` `out.count` times.
    public mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Double>) {
        var i = 0
        if i < out.count, let z = spareNormal { out[i] = z; spareNormal = nil; i += 1 }
        if i < out.count { flushBuffered() }
        // Four blocks at a time, in vector lanes: the same words, radii and angles as `boxMuller`'s (the
        // logarithm lane by lane, as there; u1, u2 exact integers times 2⁻⁵³).
        let key = SIMD2(UInt32(truncatingIfNeeded: self.key), UInt32(truncatingIfNeeded: self.key >> 32))
        let base = out.baseAddress!
        while i + 7 < out.count {
            let (w0, w1, w2, w3) = Philox4x32.blocks4(first: blockCounter, index: index, key: key)
            blockCounter &+= 4
            let r1 = (SIMD4<UInt64>(truncatingIfNeeded: w0) | SIMD4<UInt64>(truncatingIfNeeded: w1) &<< 32) &>> 11
            let r2 = (SIMD4<UInt64>(truncatingIfNeeded: w2) | SIMD4<UInt64>(truncatingIfNeeded: w3) &<< 32) &>> 11
            let u1 = (Self.exactDouble(r1) + 1) * 0x1p-53, u2 = Self.exactDouble(r2) * 0x1p-53
            let logs = SIMD4(Foundation.log(u1[0]), Foundation.log(u1[1]), Foundation.log(u1[2]), Foundation.log(u1[3]))
            let r = (-2 * logs).squareRoot()
            let (s, c) = sinCos(2 * Double.pi * u2)
            let z0 = r * c, z1 = r * s
            let o = base + i
            o[0] = z0[0]; o[1] = z1[0]; o[2] = z0[1]; o[3] = z1[1]; o[4] = z0[2]; o[5] = z1[2]; o[6] = z0[3]; o[7] = z1[3]
            i += 8
        }
        while i + 1 < out.count {
            let (z0, z1) = Self.boxMuller(nextBlock())
            out[i] = z0; out[i + 1] = z1
            i += 2
        }
        if i < out.count { out[i] = normal() }
    }

    /// `count` standard normal draws.
    public mutating func normals(_ count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buf, n in
            fillNormal(buf)
            n = count
        }
    }

    /// Fills `out` with N(0, 1) draws rounded to Float (same sequence as `fillNormal` for Doubles).
    public mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Float>) {
        for (i, z) in normals(out.count).enumerated() { out[i] = Float(z) }
    }

    /// A circularly-symmetric complex normal CN(0, σ²): real and imaginary parts N(0, σ²/2) from one
    /// fresh block (a pending half of a `normal()` pair is dropped).
    public mutating func complexNormal(variance: Double = 1) -> Complex<Double> {
        let s = (variance / 2).squareRoot()
        spareNormal = nil
        flushBuffered()
        let (z0, z1) = Self.boxMuller(nextBlock())
        return Complex(s * z0, s * z1)
    }

    /// Fills `out` with CN(0, σ²) draws; equal to calling `complexNormal(variance:)` repeatedly.
    public mutating func fillComplexNormal(_ out: UnsafeMutableBufferPointer<Complex<Double>>, variance: Double = 1) {
        for i in 0..<out.count { out[i] = complexNormal(variance: variance) }
    }

    // MARK: Helpers

    /// Drops a partly used block so the next bulk draw starts on a block boundary.
    private mutating func flushBuffered() { used = 4 }

    /// Double(x) for x < 2⁵³, lane by lane and exact: the high and low 32-bit halves through the
    /// 2⁵²-exponent trick, then one exact sum.
    @inline(__always) static func exactDouble(_ x: SIMD4<UInt64>) -> SIMD4<Double> {
        let magic = SIMD4<UInt64>(repeating: 0x4330_0000_0000_0000), two52 = SIMD4<Double>(repeating: 0x1p52)
        let low = unsafeBitCast(magic | (x & 0xFFFF_FFFF), to: SIMD4<Double>.self) - two52
        let high = unsafeBitCast(magic | (x &>> 32), to: SIMD4<Double>.self) - two52
        return high * 0x1p32 + low
    }

    /// u ∈ [0, 1) from the top 53 bits.
    @inline(__always) static func unitInterval(_ x: UInt64) -> Double { Double(x >> 11) * 0x1p-53 }

    /// Two independent N(0, 1) from one block: radius from words 0–1, angle 2π·u2 from words 2–3.
    @inline(__always)
    static func boxMuller(_ b: SIMD4<UInt32>) -> (Double, Double) {
        let (s, c) = sinCos(SIMD4(repeating: 2 * Double.pi * angleUniform(b)))
        let r = radius(b)
        return (r * c[0], r * s[0])
    }

    /// sqrt(−2·ln u1) with u1 ∈ (0, 1] from words 0–1.
    @inline(__always) static func radius(_ b: SIMD4<UInt32>) -> Double {
        let u1 = (Double((UInt64(b.x) | UInt64(b.y) << 32) >> 11) + 1) * 0x1p-53
        return (-2 * Foundation.log(u1)).squareRoot()
    }

    /// u2 ∈ [0, 1) from words 2–3.
    @inline(__always) static func angleUniform(_ b: SIMD4<UInt32>) -> Double { unitInterval(UInt64(b.z) | UInt64(b.w) << 32) }

    /// SplitMix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes (stable across platforms and Swift versions,
    /// unlike `Hasher`).
    public static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in s.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
