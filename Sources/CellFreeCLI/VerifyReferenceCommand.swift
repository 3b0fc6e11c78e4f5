import ArgumentParser
import Foundation
import ReferenceCheck

/// `cellfree verify-reference FILE.h5…`: recompute a reference-simulator file from its stored inputs.
struct VerifyReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-reference",
        abstract: "Recompute every output of a reference-simulator file (Octave layout) from its stored inputs and compare.",
        discussion: """
            Prints one line per recomputed variable: name, Octave shape, max |ours − reference| over the
            variable's largest |reference| entry. Tolerance 1e-9 (R: 1e-11; indices and iteration counts exact).
            Exit codes: 0 every variable within tolerance, 1 some variable off, 2 unreadable or incomplete file.
            """
    )

    @Argument(help: "Reference files (e.g. Tests/Fixtures/reference-simulator/case01.h5).")
    var files: [String]

    @Flag(help: "Print only failing variables and the summary.")
    var quiet = false

    func run() throws {
        var failed = false
        for path in files {
            let start = Date()
            let report: ReferenceReport
            do {
                report = try verifyReferenceFile(path) { message in
                    if !quiet { FileHandle.standardError.write(Data("  \(message)\n".utf8)) }
                }
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
            print("\(path):")
            for check in report.checks where !quiet || !check.passed { print("  \(check)") }
            let bad = report.checks.filter { !$0.passed }
            let worst = report.checks.map(\.relativeError).max() ?? 0
            print(String(format: "  %d variables, %d off, worst relative error %.3e, %.2f s", report.checks.count, bad.count,
                         worst, Date().timeIntervalSince(start)))
            failed = failed || !report.passed
        }
        if failed { throw ExitCode(1) }
    }
}
