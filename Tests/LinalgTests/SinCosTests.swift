import Testing
import Linalg
import Foundation

@Suite("Vector sin/cos")
struct SinCosTests {
    /// Against libm over [−10⁵, 10⁵] and at multiples of π/4 (quadrant edges): sin and cos lie in
    /// [−1, 1], so 2 ulp of 1 (4.4e-16) bounds the absolute error.
    @Test func matchesLibmToAboutOneUlp() {
        var rng = RandomStream(seed: 5, name: "sincos")
        var xs: [Double] = [0, -0.0, 1e-300, 1e5, -1e5]
        for k in -20...20 {
            let quarter = Double(k) * Double.pi / 4
            xs += [quarter, quarter + 1e-9, quarter - 1e-9]
        }
        xs += (0..<4000).map { _ in rng.uniform(in: -20..<20) }
        xs += (0..<2000).map { _ in rng.uniform(in: -1e5..<1e5) }
        while xs.count % 4 != 0 { xs.append(0.5) }
        var worst = 0.0
        for start in stride(from: 0, to: xs.count, by: 4) {
            let x = SIMD4(xs[start..<(start + 4)])
            let (s, c) = sinCos(x)
            for j in 0..<4 {
                worst = max(worst, abs(s[j] - Foundation.sin(x[j])), abs(c[j] - Foundation.cos(x[j])))
            }
        }
        #expect(worst <= 4.5e-16, "worst absolute error \(worst)")
        // Exact values where they are exact.
        #expect(sinCos(SIMD4(repeating: 0)).cos == SIMD4(repeating: 1))
        #expect(sinCos(SIMD4(repeating: 0)).sin == SIMD4(repeating: 0))
    }
}
