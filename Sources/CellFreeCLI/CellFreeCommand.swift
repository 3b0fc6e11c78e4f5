import ArgumentParser
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
                      InspectCommand.self, ExecStageCommand.self,
                      BenchCommand.self, VerifyReferenceCommand.self, VerifyModelCommand.self]
    )

    /// Keeps freed tensor buffers in the heap instead of returning them to the kernel: the engine
    /// allocates and frees the same 0.1–10 MB activations every step, and glibc's defaults would mmap
    /// and page-fault them afresh each time (about 10 % of a training step).
    static func main() {
        // glibc's mallopt (not in Swift's Glibc module): M_TRIM_THRESHOLD = −1, M_MMAP_THRESHOLD = −3
        // (at most 32 MB on 64-bit).
        if let symbol = dlsym(nil, "mallopt") {
            let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
            _ = mallopt(-3, 32 << 20)
            _ = mallopt(-1, 1 << 30)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// `cellfree bench …`: speed measurements (never part of the tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed; compare with ../shared/spec/baselines.md.",
        subcommands: [LinalgBenchCommand.self, PhysicsBenchCommand.self, LabelsBenchCommand.self, ModelsBenchCommand.self,
                      PipelineBenchCommand.self]
    )
}
