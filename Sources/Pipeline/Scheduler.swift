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
    public var interrupted = false
    public var seconds = 0.0

    public var succeeded: Bool { failures.isEmpty && skipped.isEmpty && !interrupted }

    public var report: String {
        var lines = ["\(planned) instances: \(cached) cached, \(computed) computed, \(failures.count) failed, \(skipped.count) skipped, in \(formatDuration(seconds))"]
        for c in corrupt { lines.append("  recomputed corrupt file: \(c)") }
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

    public init(plan: Plan, layout: CacheLayout, executor: any JobExecutor, verifyAll: Bool = false) {
        self.plan = plan
        self.layout = layout
        self.executor = executor
        verifier = CacheVerifier(layout: layout)
        verifier.verifyAll = verifyAll
    }

    /// Instances of the `only` stages and everything upstream of them (all instances when empty).
    public func selection(only: [String]) throws -> [Int] {
        guard !only.isEmpty else { return Array(plan.instances.indices) }
        for s in only where !plan.stageOrder.contains(s) {
            throw PipelineError.usage("--only: no stage '\(s)' in \(plan.manifest.file) (stages: \(plan.stageOrder.joined(separator: ", ")))")
        }
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
        var summary = RunSummary()
        let selected = try selection(only: only)
        summary.planned = selected.count

        // Work happens per key: two instances with the same record share one result.
        var instancesOfKey: [String: [Int]] = [:]
        for i in selected { instancesOfKey[plan.instances[i].key, default: []].append(i) }
        var done = Set<String>(), pending = Set<String>()
        for (key, list) in instancesOfKey {
            let inst = plan.instances[list[0]]
            switch verifier.state(kind: inst.kind, key: key) {
            case .valid: done.insert(key)
            case .missing: pending.insert(key)
            case .corrupt(let why):
                let path = layout.file(kind: inst.kind, key: key)
                summary.corrupt.append("\(path) (\(inst.id)): \(why)")
                pending.insert(key)
            }
        }
        summary.cached = selected.filter { done.contains(plan.instances[$0].key) }.count
        let display = ProgressDisplay(total: pending.count, forceTTY: forceTTY)
        for c in summary.corrupt { display.message("corrupt cache file \(c); recomputing") }
        var state = RunState(layout: layout, manifest: plan.manifest.name, profile: plan.profile)
        func inputKeys(_ key: String) -> Set<String> {
            Set(plan.instances[instancesOfKey[key]![0]].inputs.flatMap { $0.instances.map { plan.instances[$0].key } })
        }
        var dependentsOfKey: [String: [String]] = [:]
        for key in pending { for k in inputKeys(key) where pending.contains(k) { dependentsOfKey[k, default: []].append(key) } }
        var retryAt: [String: Double] = [:]
        var running = Set<String>()
        var waitingNoted = Set<String>()
        let order = Dictionary(uniqueKeysWithValues: instancesOfKey.map { ($0.key, $0.value[0]) })

        func fail(_ key: String, _ message: String) {
            pending.remove(key)
            let inst = plan.instances[order[key]!]
            summary.failures.append((inst.id, message, layout.log(kind: inst.kind, key: key)))
            display.finished(key: key, line: "FAILED \(inst.id): \(message)\n       log: \(layout.log(kind: inst.kind, key: key))")
            var stack = dependentsOfKey[key] ?? []
            while let d = stack.popLast() {
                guard pending.remove(d) != nil else { continue }
                summary.skipped.append((plan.instances[order[d]!].id, "input \(inst.id) failed"))
                stack += dependentsOfKey[d] ?? []
            }
        }

        while (!pending.isEmpty || !running.isEmpty) && interruptSignal == 0 {
            let t = now()
            let ready = pending.filter { key in
                !running.contains(key) && (retryAt[key] ?? 0) <= t && inputKeys(key).allSatisfy { done.contains($0) }
            }.sorted { order[$0]! < order[$1]! }
            var next = ready[...]
            while executor.freeSlots > 0, !next.isEmpty {
                let batch = next.prefix(executor.batchSize(ready: next.count))
                next = next.dropFirst(batch.count)
                do {
                    try executor.submit(batch.map { Job(plan.instances[order[$0]!], in: plan) })
                    running.formUnion(batch)
                } catch {
                    for key in batch { fail(key, "\(error)") }
                }
            }
            if running.isEmpty && pending.isEmpty { break }
            if running.isEmpty && executor.freeSlots > 0 {
                usleep(100_000)   // only busy keys remain: wait for their other owner
                continue
            }
            // Also reaps workers that reported everything but have not exited yet (they hold slots).
            for event in executor.poll(timeout: running.isEmpty ? 0.02 : 0.2) {
                switch event {
                case .started(let key):
                    if let i = order[key] { display.started(key: key, id: plan.instances[i].id) }
                case .progress(let key, let d, let total):
                    display.progress(key: key, done: d, total: total)
                case .finished(let key, let outcome):
                    guard running.remove(key) != nil, let i = order[key] else { continue }
                    let inst = plan.instances[i]
                    switch outcome {
                    case .computed(let seconds):
                        pending.remove(key)
                        done.insert(key)
                        summary.computed += instancesOfKey[key]!.count
                        display.completed += 1
                        verifier.recordFresh(kind: inst.kind, key: key)
                        display.finished(key: key, line: "done   \(inst.id) (\(formatDuration(seconds)))")
                    case .cached:
                        pending.remove(key)
                        done.insert(key)
                        summary.cached += instancesOfKey[key]!.count
                        display.completed += 1
                        display.finished(key: key, line: "cached \(inst.id) (made by another process)")
                    case .busy:
                        retryAt[key] = now() + 0.5
                        if waitingNoted.insert(key).inserted {
                            display.finished(key: key, line: "wait   \(inst.id): another process is computing it")
                        }
                    case .failed(let message):
                        display.completed += 1
                        fail(key, message)
                    }
                }
            }
        }
        if interruptSignal != 0 {
            executor.cancel()
            summary.interrupted = true
            for key in running { pending.remove(key) }
        } else {
            executor.waitForWorkers()
        }
        display.close()
        for i in selected where done.contains(plan.instances[i].key) { state.update(plan.instances[i]) }
        try? state.save()
        verifier.save()
        layout.removeStaleFiles()
        summary.seconds = now() - start
        return summary
    }
}
