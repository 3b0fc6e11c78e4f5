import Foundation

/// One `Scheduler.run` in progress, per key (two instances with the same record share one result):
/// what is done, pending, running or waiting to retry; dispatching ready keys to the executor; handling
/// its events; a failure's dependents skipped while independent work continues.
final class RunLoop {
    private let scheduler: Scheduler
    private var plan: Plan { scheduler.plan }
    private var executor: any JobExecutor { scheduler.executor }
    private let selected: [Int]
    private var summary = RunSummary()
    private let display: ProgressDisplay
    private var instancesOfKey: [String: [Int]] = [:]
    /// Each key's first instance (plan order breaks dispatch ties).
    private var order: [String: Int] = [:]
    /// The longest chain of pending keys that starts at each pending key (1: nothing pending depends on it).
    private var chain: [String: Int] = [:]
    private var dependentsOfKey: [String: [String]] = [:]
    private var done = Set<String>(), pending = Set<String>(), running = Set<String>()
    private var retryAt: [String: Double] = [:]
    private var waitingNoted = Set<String>()

    /// Checks the cache for every selected key: valid ones are done, missing and corrupt ones pending.
    init(_ scheduler: Scheduler, selected: [Int]) {
        self.scheduler = scheduler
        self.selected = selected
        let plan = scheduler.plan
        summary.planned = selected.count
        for i in selected { instancesOfKey[plan.instances[i].key, default: []].append(i) }
        for (key, list) in instancesOfKey {
            let inst = plan.instances[list[0]]
            order[key] = list[0]
            let forced = list.contains { scheduler.force.contains(plan.instances[$0].stage) }
            switch scheduler.verifier.state(kind: inst.kind, key: key) {
            case .valid where forced: pending.insert(key)
            case .valid: done.insert(key)
            case .missing: pending.insert(key)
            case .corrupt(let why):
                summary.corrupt.append("\(scheduler.layout.file(kind: inst.kind, key: key)) (\(inst.id)): \(why)")
                pending.insert(key)
            }
        }
        let cachedKeys = done
        summary.cached = selected.filter { cachedKeys.contains(plan.instances[$0].key) }.count
        display = ProgressDisplay(total: pending.count, forceTTY: scheduler.forceTTY)
        for c in summary.corrupt { display.message("corrupt cache file \(c); recomputing") }
        for key in pending {
            for k in inputKeys(key) where pending.contains(k) { dependentsOfKey[k, default: []].append(key) }
        }
        for key in pending { _ = chainLength(key) }
    }

    /// Memoised longest chain of pending dependents from `key`, itself included.
    private func chainLength(_ key: String) -> Int {
        if let known = chain[key] { return known }
        let length = 1 + ((dependentsOfKey[key] ?? []).map { chainLength($0) }.max() ?? 0)
        chain[key] = length
        return length
    }

    var hasWork: Bool { !pending.isEmpty || !running.isEmpty }
    var idle: Bool { running.isEmpty && pending.isEmpty }
    var nothingRunning: Bool { running.isEmpty }
    /// Nothing runs, a slot is free, yet keys are pending: they are busy elsewhere or waiting to retry.
    var onlyBusyKeysRemain: Bool { running.isEmpty && executor.freeSlots > 0 }

    private func inputKeys(_ key: String) -> Set<String> {
        Set(plan.instances[instancesOfKey[key]![0]].inputs.flatMap { $0.instances.map { plan.instances[$0].key } })
    }

    /// Submits the pending keys whose inputs are done while the executor has free slots, in its batch
    /// sizes: the longest chain of pending dependents first (a chain that ends the run should not start
    /// last on one core while the other idles), then plan order.
    func dispatchReady() {
        let t = now()
        let ready = pending.filter { key in
            !running.contains(key) && (retryAt[key] ?? 0) <= t && inputKeys(key).allSatisfy { done.contains($0) }
        }.sorted { (chain[$1]!, order[$0]!) < (chain[$0]!, order[$1]!) }
        var next = ready[...]
        while executor.freeSlots > 0, !next.isEmpty {
            let batch = next.prefix(executor.batchSize(ready: next.count))
            next = next.dropFirst(batch.count)
            do {
                try executor.submit(batch.map { key in
                    var job = Job(plan.instances[order[key]!], in: plan)
                    job.recompute = instancesOfKey[key]!.contains { scheduler.force.contains(plan.instances[$0].stage) }
                    return job
                })
                running.formUnion(batch)
            } catch {
                for key in batch { fail(key, "\(error)") }
            }
        }
    }

    /// One executor event: progress, or a key finished (computed, cached by another process, busy, failed).
    func handle(_ event: ExecutorEvent) {
        switch event {
        case .started(let key):
            if let i = order[key] { display.started(key: key, id: plan.instances[i].id) }
        case .progress(let key, let d, let total):
            display.progress(key: key, done: d, total: total)
        case .retrying(let key, let reason, let attempt, let attempts):
            guard let i = order[key] else { return }
            summary.retried.append((plan.instances[i].id, reason))
            display.finished(key: key, line: "retry  \(plan.instances[i].id): \(reason); attempt \(attempt) of \(attempts)")
        case .finished(let key, let outcome):
            guard running.remove(key) != nil, let i = order[key] else { return }
            let inst = plan.instances[i]
            switch outcome {
            case .computed(let seconds):
                complete(key)
                summary.computed += instancesOfKey[key]!.count
                scheduler.verifier.recordFresh(kind: inst.kind, key: key)
                display.finished(key: key, line: "done   \(inst.id) (\(formatDuration(seconds)))")
            case .cached:
                complete(key)
                summary.cached += instancesOfKey[key]!.count
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

    private func complete(_ key: String) {
        pending.remove(key)
        done.insert(key)
        display.completed += 1
    }

    /// Records the failure of `key` and skips everything downstream of it.
    private func fail(_ key: String, _ message: String) {
        pending.remove(key)
        let inst = plan.instances[order[key]!], log = scheduler.layout.log(kind: inst.kind, key: key)
        summary.failures.append((inst.id, message, log))
        display.finished(key: key, line: "FAILED \(inst.id): \(message)\n       log: \(log)")
        var stack = dependentsOfKey[key] ?? []
        while let d = stack.popLast() {
            guard pending.remove(d) != nil else { continue }
            summary.skipped.append((plan.instances[order[d]!].id, "input \(inst.id) failed"))
            stack += dependentsOfKey[d] ?? []
        }
    }

    /// Stops (cancelling running work when interrupted) and records what is done for `why`.
    func finish(interrupted: Bool) -> RunSummary {
        if interrupted {
            executor.cancel()
            summary.interrupted = true
            for key in running { pending.remove(key) }
        } else {
            executor.waitForWorkers()
        }
        display.close()
        var state = RunState(layout: scheduler.layout, manifest: plan.manifest.name, profile: plan.profile)
        for i in selected where done.contains(plan.instances[i].key) { state.update(plan.instances[i]) }
        try? state.save()
        scheduler.verifier.save()
        scheduler.layout.removeStaleFiles()
        return summary
    }
}
