import ArgumentParser
import Foundation
import Glibc

/// `cellfree`: the CellFreeLab command line.
@main
struct CellFreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellfree",
        abstract: "User-centric cell-free massive MIMO: simulator, models and experiment pipeline.",
        discussion: """
            Exit codes: 0 success, 1 a check or stage failed, 2 usage error or unreadable input.
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, PlanCommand.self, WhyCommand.self, StatusCommand.self, DagCommand.self, GCCommand.self,
                      InspectCommand.self, KindsCommand.self, PathCommand.self, ShowCommand.self, ExportCommand.self, ExecStageCommand.self, VerifyCacheCommand.self,
                      BenchCommand.self, VerifyReferenceCommand.self, VerifyModelCommand.self]
    )

    /// Keeps freed tensor buffers in the heap instead of returning them to the kernel: the engine
    /// allocates and frees the same 0.1–10 MB activations every step, and glibc's defaults would mmap
    /// and page-fault them afresh each time (about 10 % of a training step).
    static func main() {
        // glibc's mallopt (not in Swift's Glibc module): M_TRIM_THRESHOLD = −1, M_MMAP_MAX = −4.
        // Every block comes from the heap and freed memory stays there for the next drop: the channel
        // tensors of a drop (up to 130 MB each at L = 100, K = 100) would otherwise be mmapped afresh
        // and zeroed page by page by the kernel every time (a third of `bench physics` at K = 100).
        if let symbol = dlsym(nil, "mallopt") {
            let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
            _ = mallopt(-4, 0)
            _ = mallopt(-1, Int32.max)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // ArgumentParser exits 64 (EX_USAGE) on a usage error; ours is 2, as `--help` and the README say.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// `cellfree bench …`: speed measurements (never part of the tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed; compare with docs/baselines.md.",
        subcommands: [LinalgBenchCommand.self, PhysicsBenchCommand.self, LabelsBenchCommand.self, ModelsBenchCommand.self,
                      PipelineBenchCommand.self]
    )
}
