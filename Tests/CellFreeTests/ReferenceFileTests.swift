import CellFree
import Foundation
import H5
import ReferenceCheck
import Testing

/// `cellfree verify-reference` on the golden reference-simulator cases: every stored output is
/// recomputed from the stored inputs (positions, shadow_z, Hwhite, Np) within 1e-9 relative (R 1e-11).
@Suite struct ReferenceFileTests {
    static let cases = ["case01", "case02", "case04", "case05"]

    @Test(arguments: cases)
    func verifiesFixture(_ name: String) throws {
        let report = try verifyReferenceFile(Fixtures.reference(name + ".h5"))
        // The fixtures hold every golden variable except H and Hhat (size); 118 outputs are recomputed.
        #expect(report.checks.count == 118, "\(name): \(report.checks.count) variables checked")
        for check in report.checks where !check.passed { Issue.record("\(name): \(check)") }
        #expect(report.passed)
    }

    @Test(.enabled(if: Fixtures.hasSharedGolden, "needs ../shared/golden (our machines; not in a clone)"), arguments: cases)
    func verifiesFullGoldenFile(_ name: String) throws {
        let report = try verifyReferenceFile(Fixtures.sharedGolden.appendingPathComponent(name + ".h5").path)
        #expect(report.checks.count == 120)
        for check in report.checks where !check.passed { Issue.record("\(name): \(check)") }
        #expect(report.passed)
    }

    @Test func reportsATamperedOutput() throws {
        // case02 with UL_SE_P_MMSE replaced by the MMSE SE: that one variable must fail, nothing else.
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let source = Fixtures.reference("case02.h5"), target = scratch.path("tampered.h5")
        let names = try OctaveFile(source).variableNames()
        for name in names where name != "UL_SE_P_MMSE" { try h5copy(source, "/" + name, to: target) }
        try h5copy(source, "/UL_SE_MMSE", to: target, as: "/UL_SE_P_MMSE")
        let report = try verifyReferenceFile(target)
        #expect(report.checks.filter { !$0.passed }.map(\.name) == ["UL_SE_P_MMSE"])
        // The two SEs differ by 6e-5 relative in this small i.i.d. case: far above the 1e-9 tolerance.
        #expect(report.checks.first { $0.name == "UL_SE_P_MMSE" }!.relativeError > 1e-5)
    }

    @Test func namesWhatAnIncompleteFileLacks() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let source = Fixtures.reference("case02.h5"), target = scratch.path("incomplete.h5")
        for name in ["L", "N", "K", "tau_p", "APpositions", "UEpositions", "shadow_z", "iid", "UL_SE_MMSE"] {
            try h5copy(source, "/" + name, to: target)
        }
        do {
            _ = try verifyReferenceFile(target)
            Issue.record("an incomplete file was accepted")
        } catch let error as ReferenceFileError {
            guard case let .incomplete(_, missing, _) = error else { Issue.record("\(error)"); return }
            #expect(missing == ["nbrOfRealizations", "Hwhite", "Np", "p", "tau_c", "rho_tot"])
            #expect("\(error)".contains("Hwhite"))
        }
    }

    @Test func rejectsAMissingFile() {
        #expect(throws: ReferenceFileError.self) { try verifyReferenceFile("/nonexistent/case99.h5") }
    }
}
