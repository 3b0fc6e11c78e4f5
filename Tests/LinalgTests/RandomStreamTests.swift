import Testing
import TestSupport
import Linalg
import Foundation

@Suite("Philox-4x32-10 random streams")
struct RandomStreamTests {
    /// Random123's kat_vectors for philox4x32 with 10 rounds: counter[4], key[2] → output[4].
    @Test func philoxMatchesPublishedKnownAnswers() {
        let cases: [(SIMD4<UInt32>, SIMD2<UInt32>, SIMD4<UInt32>)] = [
            (SIMD4(0, 0, 0, 0), SIMD2(0, 0), SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
            (SIMD4(repeating: 0xffff_ffff), SIMD2(repeating: 0xffff_ffff),
             SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)),
            (SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), SIMD2(0xa409_3822, 0x299f_31d0),
             SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)),
        ]
        for (counter, key, expected) in cases {
            #expect(Philox4x32.block(counter: counter, key: key) == expected)
        }
    }

    /// Stream derivation is part of every result: these values were computed by an independent Python
    /// implementation of the documented key schedule (SplitMix64 mixing, FNV-1a-64 names, Box–Muller).
    @Test func streamDerivationIsFrozen() {
        var s = RandomStream(seed: 42, name: "layouts", index: 7)
        #expect(s.key == 0x8340_532c_4647_a913 && s.index == 7)
        #expect(s.block(0) == SIMD4(0xdbd7_e203, 0xf678_ad50, 0x6e2e_5d37, 0x1ddd_3115))
        #expect(s.block(1) == SIMD4(0x729a_7a9c, 0x8e9a_e503, 0x205e_5f41, 0x2259_344c))
        var u = s
        #expect(u.uniform() == 0.9627788851174439)
        #expect(isClose(s.normal(), 0.20469808961994193, absolute: 1e-15))
        #expect(isClose(s.normal(), 0.1842870048128638, absolute: 1e-15))
        let d = RandomStream(seed: 42, name: "layouts", index: 7).derived("shadowing", index: 3)
        #expect(d.key == 0xfd85_6f0f_18ac_8bef && d.block(0) == SIMD4(0x122d_66f5, 0x672c_c716, 0x37ab_68a3, 0x6c17_1360))
    }

    @Test func streamsAreReproducibleAndDistinct() {
        var a = RandomStream(seed: 9, name: "channels", index: 3)
        var b = RandomStream(seed: 9, name: "channels", index: 3)
        #expect((0..<100).map { _ in a.nextUInt32() } == (0..<100).map { _ in b.nextUInt32() })
        let firstWords = [RandomStream(seed: 9, name: "channels", index: 4), RandomStream(seed: 9, name: "channel", index: 3),
                          RandomStream(seed: 10, name: "channels", index: 3), RandomStream(seed: 9, name: "channels", index: 3)]
            .map { $0.block(0) }
        #expect(Set(firstWords.map { "\($0)" }).count == 4)
        // A derived stream does not depend on how much of the parent was consumed.
        var parent = RandomStream(seed: 9, name: "setup")
        let before = parent.derived("pilots")
        _ = parent.normals(17)
        #expect(parent.derived("pilots") == before)
        // Derived streams of different parent indices differ.
        #expect(RandomStream(seed: 9, name: "setup", index: 0).derived("x").key != RandomStream(seed: 9, name: "setup", index: 1).derived("x").key)
    }

    @Test func bulkFillsEqualSingleDraws() {
        var single = RandomStream(seed: 5, name: "fill")
        var bulk = single
        let one = (0..<11).map { _ in single.normal() }
        var many = bulk.normals(3)
        many += bulk.normals(8)
        #expect(one == many)
        var c1 = RandomStream(seed: 5, name: "complex"), c2 = c1
        let z1 = (0..<5).map { _ in c1.complexNormal(variance: 2) }
        var z2 = [Complex<Double>](repeating: .zero, count: 5)
        z2.withUnsafeMutableBufferPointer { c2.fillComplexNormal($0, variance: 2) }
        #expect(z1 == z2)
        var u1 = RandomStream(seed: 5, name: "uniform"), u2 = u1
        var filled = [Double](repeating: 0, count: 7)
        filled.withUnsafeMutableBufferPointer { u1.fillUniform($0) }
        #expect(filled == (0..<7).map { _ in u2.uniform() })
    }

    /// Sample moments of 10⁶ draws against the distribution's, within about 5 standard errors.
    @Test func normalDrawMomentsMatch() {
        var rng = RandomStream(seed: 2024, name: "moments")
        let n = 1_000_000
        let z = rng.normals(n)
        let mean = z.reduce(0, +) / Double(n)
        let m2 = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let m3 = z.reduce(0) { $0 + pow($1 - mean, 3) } / Double(n)
        let m4 = z.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n)
        #expect(abs(mean) < 5 / Double(n).squareRoot())                  // se = 1/√n
        #expect(isClose(m2, 1, absolute: 5 * (2 / Double(n)).squareRoot()))          // se ≈ √(2/n)
        #expect(abs(m3) < 5 * (15 / Double(n)).squareRoot())             // se of E z³ = √(15/n)
        #expect(isClose(m4, 3, absolute: 5 * (96 / Double(n)).squareRoot()))         // se of E z⁴ = √(96/n)
        // P(|z| > 1.96) = 0.05
        let tail = Double(z.filter { abs($0) > 1.959963984540054 }.count) / Double(n)
        #expect(isClose(tail, 0.05, absolute: 5 * (0.05 * 0.95 / Double(n)).squareRoot()))
    }

    @Test func complexNormalIsCircularWithRequestedVariance() {
        var rng = RandomStream(seed: 7, name: "cn")
        let n = 400_000, variance = 2.5
        var z = [Complex<Double>](repeating: .zero, count: n)
        z.withUnsafeMutableBufferPointer { rng.fillComplexNormal($0, variance: variance) }
        let power = z.reduce(0) { $0 + $1.lengthSquared } / Double(n)
        let pseudo = z.reduce(Complex<Double>.zero) { $0 + $1 * $1 } / Complex(Double(n), 0)
        let realPower = z.reduce(0) { $0 + $1.real * $1.real } / Double(n)
        #expect(isClose(power, variance, absolute: 5 * variance / Double(n).squareRoot()))        // |z|² ~ Exp: se = σ²/√n
        #expect(pseudo.length < 5 * variance / Double(n).squareRoot())              // E z² = 0
        #expect(isClose(realPower, variance / 2, absolute: 5 * variance / (2 * Double(n)).squareRoot()))
    }

    @Test func uniformDrawsHaveUniformMomentsAndUnbiasedIntegers() {
        var rng = RandomStream(seed: 3, name: "uniform")
        let n = 500_000
        let u = (0..<n).map { _ in rng.uniform() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = u.reduce(0, +) / Double(n)
        let variance = u.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(isClose(mean, 0.5, absolute: 5 * (1.0 / 12 / Double(n)).squareRoot()))
        #expect(isClose(variance, 1.0 / 12, absolute: 5 * (1.0 / 180 / Double(n)).squareRoot()))   // var of (u−½)² is 1/180
        var counts = [0, 0, 0]
        for _ in 0..<300_000 { counts[rng.uniformInt(below: 3)] += 1 }
        let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - 100_000, 2) / 100_000 }
        #expect(chi2 < 13.8)   // χ²(2) 0.999 quantile
    }
}

/// `fillWords` equals repeated `nextUInt32()` from any position in a block, with 1 or 2 threads.
@Test func fillWordsMatchesSequentialDraws() {
    for (skip, count) in [(0, 0), (1, 7), (3, 64), (2, 70_001)] {
        for threads in [1, 2] {
            var a = RandomStream(seed: 12, name: "words"), b = a
            for _ in 0..<skip { _ = a.nextUInt32(); _ = b.nextUInt32() }
            let expected = (0..<count).map { _ in a.nextUInt32() }
            var words = [UInt32](repeating: 0, count: count)
            words.withUnsafeMutableBufferPointer { b.fillWords($0, threads: threads) }
            #expect(words == expected && a.nextUInt32() == b.nextUInt32(), "skip \(skip), count \(count), \(threads) threads")
        }
    }
}
