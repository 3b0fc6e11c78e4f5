import ArgumentParser
import Foundation
import ModelCheck

/// `cellfree verify-model FILE.h5…`: rerun a golden model file (forward and backward) and compare.
struct VerifyModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-model",
        abstract: "Run a golden model file (layout of golden/models/README.md) forward and backward in Float32 and compare.",
        discussion: """
            Prints one line per output, loss and gradient: max |ours − golden| over the tensor's largest |entry|.
            Tolerances: outputs and loss 1e-5, gradients 1e-3, hard clustering mask identical, parameter count exact.
            Exit codes: 0 everything within tolerance, 1 something off, 2 unreadable or incomplete file.
            """
    )

    @Argument(help: "Model files (e.g. Tests/Fixtures/models/elu_cosformer_small.h5).")
    var files: [String]

    @Flag(help: "Print only failing checks and the summary.")
    var quiet = false

    func run() throws {
        var failed = false
        for path in files {
            let report: ModelReport
            do { report = try verifyModelFile(path) } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
            print("\(path) (\(report.variant)):")
            for check in report.checks where !quiet || !check.passed { print("  \(check)") }
            let worst = { (kinds: Set<TensorCheck.Kind>) in report.checks.filter { kinds.contains($0.kind) }.map(\.error).max() ?? 0 }
            print(String(format: "  %d checks, %d off; worst output %.2e, worst gradient %.2e", report.checks.count,
                         report.checks.filter { !$0.passed }.count, worst([.output, .loss]), worst([.gradient])))
            failed = failed || !report.passed
        }
        if failed { throw ExitCode(1) }
    }
}
