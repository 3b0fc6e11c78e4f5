import ArgumentParser
import Experiments
import Foundation
import Glibc
import Pipeline

/// `cellfree run MANIFEST`: computes every instance not already in the cache.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a manifest: compute what is not cached, in parallel, resumably.",
        discussion: "Exit codes: 0 all done, 1 a stage failed or was skipped, 2 manifest or usage error, 130 interrupted."
    )

    @OptionGroup var options: ManifestOptions

    // `.unconditional`: `-j -1` reaches the range check below instead of reading as a missing value.
    @Option(name: .short, parsing: .unconditional, help: "Worker processes (local) running at once (at least 1).")
    var j = 1

    @Option(parsing: .upToNextOption, help: "Run only these stages (and what they need).")
    var only: [String] = []

    /// Where instances run.
    enum Executor: String, CaseIterable, ExpressibleByArgument { case local, slurm }

    @Option(help: "Where instances run: local (worker processes) or slurm (job arrays).")
    var executor = Executor.local

    @Option(help: "Slurm: stage instances per array task.")
    var perTask = 1

    @Option(help: "Slurm: extra sbatch arguments, space-separated (e.g. \"--partition=debug --time=10\").")
    var sbatchArgs = ""

    @Flag(help: "Re-read and checksum every cached file instead of trusting unchanged ones.")
    var verify = false

    @Option(name: [.customShort("R"), .long], parsing: .upToNextOption, help: "Compute these stages again even when cached (the old results stay until the new ones replace them).")
    var force: [String] = []

    @Flag(name: [.customShort("n"), .long], help: "Dry run: print what would run and why (as `cellfree plan`), compute nothing.")
    var dryRun = false

    func run() throws {
        let plan = try options.loadPlan()
        if dryRun {
            printPlan(plan, layout: options.layout, all: false)
            return
        }
        guard j >= 1 else { throw fail("-j must be at least 1") }
        let workers = LocalExecutor.cappedWorkers(j)
        if workers < j && executor == .local {
            FileHandle.standardError.write(Data("cellfree: -j \(j) capped at \(workers) workers (\(LocalExecutor.workersPerCore) per core on \(ProcessInfo.processInfo.activeProcessorCount) cores)\n".utf8))
        }
        let layout = options.layout
        let exe = currentExecutable()
        let jobExecutor: any JobExecutor
        switch executor {
        case .local: jobExecutor = LocalExecutor(workers: workers, executable: exe, layout: layout)
        case .slurm:
            guard SlurmExecutor.available else { throw fail("--executor slurm: sbatch and squeue are not on PATH") }
            jobExecutor = SlurmExecutor(executable: exe, layout: layout, perTask: perTask,
                                        extraArguments: sbatchArgs.split(separator: " ").map(String.init), resources: plan.resources)
        }
        let scheduler = Scheduler(plan: plan, layout: layout, executor: jobExecutor, verifyAll: verify, isolatingExecutable: exe)
        scheduler.force = Set(force)
        print("\(plan.manifest.name)\(plan.profile.map { " (profile \($0))" } ?? ""): \(plan.instances.count) instances, \(jobExecutor.describe)")
        let summary: RunSummary
        do {
            summary = try scheduler.run(only: only)
        } catch let e as PipelineError {
            throw fail("\(e)")
        }
        print(summary.report)
        do {
            for line in try exportResults(plan, layout: layout, outputs: options.outputs) { print(line) }
        } catch {
            throw fail("exporting figures, tables and report: \(error)", code: 1)
        }
        if summary.interrupted { throw ExitCode(130) }
        if !summary.succeeded { throw ExitCode(1) }
    }
}

/// This program's own path, for worker processes.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}
