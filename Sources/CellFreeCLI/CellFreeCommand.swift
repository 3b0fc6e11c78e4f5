import ArgumentParser

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
        subcommands: [BenchCommand.self, VerifyReferenceCommand.self, VerifyModelCommand.self]
    )
}

/// `cellfree bench …`: speed measurements (never part of the tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed; compare with ../shared/spec/baselines.md.",
        subcommands: [LinalgBenchCommand.self, PhysicsBenchCommand.self, LabelsBenchCommand.self, ModelsBenchCommand.self]
    )
}
