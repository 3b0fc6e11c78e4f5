import Foundation
import Testing
import TestSupport
import H5

/// Reads of the reference simulator's Octave files, checked against the quantities the golden CSV
/// derives from them (reference-physics.md §3–§5 and (7.35)).
@Suite("Octave-layout reference files")
struct OctaveReferenceTests {
    /// Checks that `gainOverNoisedB`, `R`, `D` and `pilotIndex` of `h5` agree with `csv`:
    /// - masterAP(k) = argmax_l gainOverNoisedB(l, k) (first index on ties), 1-based;
    /// - R(n, n, l, k) = 10^(gainOverNoisedB(l, k)/10) for every antenna n (R̃ has a unit diagonal);
    /// - ULPC_p_fractional (7.35): p_k = p·(Σ_{l∈M_k} β_kl)^υ / max_{i∈P_k} (Σ_{l∈M_i} β_il)^υ, υ = ½,
    ///   and ULPC_p_fractional2 with υ = −½; P_k = {i : M_i ∩ M_k ≠ ∅} (5.15), the UEs sharing a serving AP.
    func checkSetupAgainstVectors(h5 path: String, csv csvPath: String) throws {
        let file = try OctaveFile(path)
        let (L, N, K) = (Int(try file.scalar("L")), Int(try file.scalar("N")), Int(try file.scalar("K")))
        let gain = try file.real("gainOverNoisedB")
        try gain.requireShape([L, K], file: path)
        #expect(gain.type == "matrix")
        let R = try file.complex("R")
        try R.requireShape([N, N, L, K], file: path)
        let D = try file.real("D")
        let pilot = try file.real("pilotIndex")
        try pilot.requireShape([K, 1], file: path)
        let csv = try CSVTable(path: csvPath)
        #expect(csv.rows.count == K)

        let master = csv.column("masterAP")!
        let csvPilot = csv.column("pilotIndex")!
        for k in 0..<K {
            let best = (0..<L).max { gain[$0, k] < gain[$1, k] || (gain[$0, k] == gain[$1, k] && $0 > $1) }!
            #expect(Double(best + 1) == master[k], "UE \(k + 1): master AP")
            #expect(pilot[k, 0] == csvPilot[k], "UE \(k + 1): pilot")
        }
        var worst = 0.0
        for k in 0..<K { for l in 0..<L {
            let beta = Foundation.pow(10, gain[l, k] / 10)
            for n in 0..<N {
                worst = max(worst, abs(R[n, n, l, k].real - beta) / beta, abs(R[n, n, l, k].imaginary) / beta)
            }
        } }
        #expect(worst <= 1e-12, "R diagonal vs gainOverNoisedB: \(worst)")

        let p = try file.scalar("p")
        let servedGain = (0..<K).map { k in (0..<L).reduce(0.0) { $0 + (D[$1, k] == 1 ? Foundation.pow(10, gain[$1, k] / 10) : 0) } }
        for (column, upsilon) in [("ULPC_p_fractional", 0.5), ("ULPC_p_fractional2", -0.5)] {
            guard let expected = csv.column(column) else { Issue.record("\(csvPath): no column \(column)"); continue }
            for k in 0..<K {
                let partial = (0..<K).filter { i in (0..<L).contains { D[$0, i] == 1 && D[$0, k] == 1 } }
                let pk = p * Foundation.pow(servedGain[k], upsilon) / partial.map { Foundation.pow(servedGain[$0], upsilon) }.max()!
                #expect(isClose(pk, expected[k], relative: 1e-12), "\(column) UE \(k + 1): \(pk) vs \(expected[k])")
            }
        }
    }

    @Test func case01FixtureMatchesItsVectors() throws {
        let dir = Fixtures.referenceSimulator
        let path = dir.appendingPathComponent("case01_setup.h5").path
        try checkSetupAgainstVectors(h5: path, csv: dir.appendingPathComponent("case01_vectors.csv").path)
        let file = try OctaveFile(path)
        let R = try file.complex("R")
        #expect(R.shape == [4, 4, 16, 12] && R.type == "complex matrix")
        #expect(try file.string("case_name") == "case01" && file.type(of: "case_name") == "sq_string")
        #expect(try file.scalar("L") == 16 && file.type(of: "L") == "scalar")
        #expect(try file.variableNames().contains("gainOverNoisedB"))
        // R(1, 2, l, k) of a Hermitian Toeplitz matrix is the conjugate of R(2, 1, l, k).
        #expect(R[0, 1, 3, 5] == R[1, 0, 3, 5].conjugate && R[0, 1, 3, 5].imaginary != 0)
        let positions = try file.complex("UEpositions")
        #expect(positions.shape == [12, 1] && positions.values.allSatisfy { (0..<1000).contains($0.real) && (0..<1000).contains($0.imaginary) })
    }

    @Test func octaveErrorsNameTheVariable() throws {
        let path = Fixtures.referenceSimulator.appendingPathComponent("case01_setup.h5").path
        let file = try OctaveFile(path)
        #expect(throws: H5Error.missing(file: path, object: "/Hwhite")) { try file.complex("Hwhite") }
        #expect(throws: H5Error.typeMismatch(file: path, object: "/R/value", expected: "real float64",
                                             found: "compound {real: float64, imag: float64}")) { try file.real("R") }
        #expect(throws: H5Error.shapeMismatch(file: path, object: "/R/value", expected: "Octave shape [4, 4, 12, 16]",
                                              found: [4, 4, 16, 12])) { try file.complex("R").requireShape([4, 4, 12, 16], file: path) }
    }

    /// On our machines the full golden files are next to the clone: check every case there too.
    @Test(.enabled(if: Fixtures.hasSharedGolden), arguments: ["case01", "case02", "case04", "case05"])
    func sharedGoldenCasesMatchTheirVectors(_ name: String) throws {
        let dir = Fixtures.sharedGolden
        try checkSetupAgainstVectors(h5: dir.appendingPathComponent("\(name).h5").path,
                                     csv: dir.appendingPathComponent("\(name)_vectors.csv").path)
    }
}
