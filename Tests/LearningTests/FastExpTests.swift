import Learning
import Testing
import TestSupport

/// The 8-wide Float exp against Double exp: within 2 ulp (2.4e-7 relative) over the clamp range,
/// on 200,001 points including a tail that is not a multiple of 8.
struct FastExpTests {
    @Test func floatExpIsWithinTwoUlp() {
        var x = (0...200_000).map { Float(-87.3 + 175.9 * Double($0) / 200_000) }
        let exact = x.map { Double.exp(Double($0)) }
        x.withUnsafeMutableBufferPointer { Float.exponentiate($0) }
        let worst = zip(x, exact).map { abs(Double($0) - $1) / $1 }.max()!
        #expect(worst <= 2.4e-7, "worst relative error \(worst)")
        var edges: [Float] = [0, -0, 1, -1, 88.7, -87.3, 1e-8, -1e-8, 0.5]
        edges.withUnsafeMutableBufferPointer { Float.exponentiate($0) }
        #expect(edges[0] == 1 && edges[1] == 1 && isClose(edges[2], 2.7182817, absolute: 3e-7))
    }
}
