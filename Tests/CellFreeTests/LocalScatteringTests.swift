import CellFree
import Foundation
import Linalg
import Testing
import TestSupport

@Suite struct LocalScatteringTests {
    /// Probabilists' Gauss–Hermite with n nodes is exact for polynomials of degree ≤ 2n−1:
    /// E[x^{2m}] = (2m−1)!! under N(0,1).
    @Test func gaussHermiteIntegratesNormalMoments() {
        let rule = GaussHermite(order: 16)
        var doubleFactorial = 1.0
        for m in 0...15 {
            if m > 0 { doubleFactorial *= Double(2 * m - 1) }
            let moment = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * Double.pow($1.0, 2 * m) }
            #expect(isClose(moment, doubleFactorial, relative: 1e-12), "E[x^\(2 * m)]")
            let odd = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * Double.pow($1.0, 2 * m + 1) }
            #expect(abs(odd) <= 1e-12 * doubleFactorial)
        }
    }

    /// The reference's `functionRlocalscattering` values (golden rlocalscattering_table.csv: 12 inputs,
    /// N = 1…8, azimuth-only, elevation-only, no spread, spacing ¼…1, ASD 1°…40°). Our adaptive rule
    /// must agree to 1e-11, the tolerance on R (the file itself agrees with a 150-point quadrature to 4e-13).
    @Test func matchesReferenceTable() throws {
        let text = try String(contentsOfFile: Fixtures.reference("rlocalscattering_table.csv"), encoding: .utf8)
        let rows = text.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        var checked = 0
        for row in rows {
            let (N, col) = (Int(row[1]), Int(row[7]))
            let R = localScatteringCorrelation(N: N, azimuth: row[2], elevation: row[3], azimuthASD: row[4],
                                               elevationASD: row[5], antennaSpacing: row[6])
            let expected = Complex(row[8], row[9])
            #expect((R[0, col - 1] - expected).length <= 1e-11, "case \(Int(row[0])) column \(col)")
            // Hermitian Toeplitz: R(m, n) = R(1, n − m + 1).
            for m in 0..<(N - col + 1) { #expect(R[m, m + col - 1] == R[0, col - 1]) }
            checked += 1
        }
        #expect(checked == rows.count && checked > 40)
    }

    /// With no angular spread the integral collapses to exp(j2πΔ(n−m)·sinφ·cosθ).
    @Test func zeroSpreadIsThePlaneWave() {
        let (φ, θ) = (0.7, 0.1)
        let R = localScatteringCorrelation(N: 5, azimuth: φ, elevation: θ, azimuthASD: 0, elevationASD: 0)
        for n in 0..<5 {
            let phase = 2 * Double.pi * 0.5 * Double(n) * Double.sin(φ) * Double.cos(θ)
            #expect((R[0, n] - Complex(Double.cos(phase), Double.sin(phase))).length <= 1e-13)
        }
    }
}
