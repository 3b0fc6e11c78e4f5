import Foundation
import Glibc

/// What a run did.
public struct RunSummary: Sendable {
    public var planned = 0
    /// Already in the cache before the run.
    public var cached = 0
    public var computed = 0
    /// Found corrupt in the cache (and recomputed unless they failed).
    public var corrupt: [String] = []
    public var failures: [(id: String, message: String, log: String)] = []
    /// Not run because an input failed.
    public var skipped: [(id: String, because: String)] = []
    /// Resubmitted after a transient end (Slurm TIMEOUT, PREEMPTED, NODE_FAIL), with its reason.
    public var retried: [(id: String, reason: String)] = []
    public var interrupted = false
    public var seconds = 0.0

    public var succeeded: Bool { failures.isEmpty && skipped.isEmpty && !interrupted }

    public var report: String {
        var lines = ["\(planned) instances: \(cached) cached, \(computed) computed, \(failures.count) failed, \(skipped.count) skipped, in \(formatDuration(seconds))"]
        for c in corrupt { lines.append("  recomputed corrupt file: \(c)") }
        for r in retried { lines.append("  retried \(r.id): \(r.reason)") }
        for f in failures { lines.append("  FAILED \(f.id): \(f.message)\n         log: \(f.log)") }
        for s in skipped.prefix(20) { lines.append("  skipped \(s.id): \(s.because)") }
        if skipped.count > 20 { lines.append("  … and \(skipped.count - 20) more skipped") }
        if interrupted { lines.append("interrupted: finished results are kept; run the same command again to continue") }
        return lines.joined(separator: "\n")
    }
}

nonisolated(unsafe) private var interruptSignal: Int32 = 0

/// Drives a plan to completion: cache check, topological dispatch of ready keys to an executor,
/// failure isolation (dependents skipped, independent work continues), busy-key retries, progress,
/// Ctrl-C, and the run-state record `why` reads.
public final class Scheduler {
    public let plan: Plan
    public let layout: CacheLayout
    public let executor: any JobExecutor
    public let verifier: CacheVerifier
    public var forceTTY: Bool?
    /// Stages whose instances are computed again even when cached (`run --force`).
    public var force: Set<String> = []

    /// `isolatingExecutable`: the program whose `verify-cache` checks cache files in a child process
    /// (`CacheVerifier.isolatingExecutable`).
    public init(plan: Plan, layout: CacheLayout, executor: any JobExecutor, verifyAll: Bool = false, isolatingExecutable: String? = nil) {
        self.plan = plan
        self.layout = layout
        self.executor = executor
        verifier = CacheVerifier(layout: layout)
        verifier.verifyAll = verifyAll
        verifier.isolatingExecutable = isolatingExecutable
    }

    /// Instances of the `only` stages and everything upstream of them (all instances when empty).
    public func selection(only: [String]) throws -> [Int] {
        for (option, stages) in [("--only", only), ("--force", Array(force))] {
            for s in stages where !plan.stageOrder.contains(s) {
                throw PipelineError.usage("\(option): no stage '\(s)' in \(plan.manifest.file) (stages: \(plan.stageOrder.joined(separator: ", ")))")
            }
        }
        guard !only.isEmpty else { return Array(plan.instances.indices) }
        var chosen = Set(plan.instances.indices.filter { only.contains(plan.instances[$0].stage) })
        var stack = Array(chosen)
        while let i = stack.popLast() {
            for input in plan.instances[i].inputs { for j in input.instances where chosen.insert(j).inserted { stack.append(j) } }
        }
        return chosen.sorted()
    }

    public func run(only: [String] = []) throws -> RunSummary {
        let start = now()
        interruptSignal = 0
        // A parent may have started us with these signals blocked (Foundation's Process does).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        let previousINT = signal(SIGINT) { interruptSignal = $0 }
        let previousTERM = signal(SIGTERM) { interruptSignal = $0 }
        defer {
            signal(SIGINT, previousINT)
            signal(SIGTERM, previousTERM)
        }
        layout.removeStaleFiles()
        let loop = RunLoop(self, selected: try selection(only: only))
        while loop.hasWork && interruptSignal == 0 {
            loop.dispatchReady()
            if loop.idle { break }
            if loop.onlyBusyKeysRemain {
                usleep(100_000)   // only busy keys remain: wait for their other owner
                continue
            }
            // Also reaps workers that reported everything but have not exited yet (they hold slots).
            for event in executor.poll(timeout: loop.nothingRunning ? 0.02 : 0.2) { loop.handle(event) }
        }
        var summary = loop.finish(interrupted: interruptSignal != 0)
        summary.seconds = now() - start
        return summary
    }
}
