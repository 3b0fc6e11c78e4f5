import ArgumentParser
import Foundation
import Glibc
import Pipeline

/// `cellfree exec-stage JOBFILE`: the worker side of `run` (one process per batch or Slurm task).
struct ExecStageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-stage",
        abstract: "Compute stage instances listed in a job file (used by `run`; not for direct use).",
        shouldDisplay: false
    )

    @Option(help: "Cache directory.")
    var cache: String

    @Option(help: "Logs directory.")
    var logs: String

    @Argument(help: "Job file: one JSON job per line.")
    var jobFile: String

    @Option(help: "Slurm array task: run jobs [index·perTask, (index+1)·perTask) of the file (default: all).")
    var index: Int?

    @Option(help: "Jobs per array task.")
    var perTask = 1

    @Option(help: "Append progress lines to this file instead of the CELLFREE_CHANNEL_FD descriptor.")
    var channelFile: String?

    func run() throws {
        dieWithDriver()
        guard let text = try? String(contentsOfFile: jobFile, encoding: .utf8) else { throw fail("cannot read job file \(jobFile)") }
        var jobs = try text.split(separator: "\n").map { try Job(json: String($0)) }
        if let index {
            let lo = min(jobs.count, index * perTask), hi = min(jobs.count, lo + perTask)
            jobs = Array(jobs[lo..<hi])
        }
        var channel: Int32?
        if let channelFile {
            let fd = open(channelFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 { channel = fd }
        } else if let fd = ProcessInfo.processInfo.environment["CELLFREE_CHANNEL_FD"].flatMap({ Int32($0) }) {
            channel = fd
        }
        let runner = StageRunner(registry: stageRegistry, layout: CacheLayout(root: cache, logs: logs), codeVersion: codeVersion, channel: channel)
        var failed = 0
        for job in jobs {
            if case .failed(let message) = runner.run(job) {
                failed += 1
                FileHandle.standardError.write(Data("\(job.id): \(message)\n".utf8))
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// Asks the kernel to kill this worker when the driver dies (prctl PR_SET_PDEATHSIG; prctl is
    /// variadic, so it is called through dlsym), and exits if the driver is already gone.
    private func dieWithDriver() {
        guard let driver = ProcessInfo.processInfo.environment["CELLFREE_DRIVER_PID"].flatMap({ pid_t($0) }) else { return }
        if let symbol = dlsym(nil, "prctl") {
            let prctl = unsafeBitCast(symbol, to: (@convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32).self)
            _ = prctl(1 /* PR_SET_PDEATHSIG */, UInt(SIGKILL), 0, 0, 0)
        }
        if getppid() != driver { Glibc.exit(1) }
    }
}
