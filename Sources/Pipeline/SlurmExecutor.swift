import Foundation
import Glibc

/// Runs jobs as Slurm job arrays (`sbatch --array`), `perTask` jobs per array task, over the shared
/// cache directory. Jobs are grouped by their kind's `TaskResources` (one array per group, split
/// under the cluster's `MaxArraySize`); up to `maxArraysInFlight` arrays run at once, so a stage
/// starts as soon as its inputs are done, not when a whole wave is. Each task writes its events to its
/// own file (no file shared for writing across nodes); completion is the cache file itself, so a new
/// driver picks up whatever finished. When an array leaves the queue, the Slurm state of each task
/// that did not finish its jobs (`sacct`, or `scontrol` without accounting) names the failure
/// (TIMEOUT, OUT_OF_MEMORY, PREEMPTED, NODE_FAIL, …); TIMEOUT, PREEMPTED and NODE_FAIL are submitted
/// again up to the kind's `retries` (a resumable stage goes on from its checkpoint). `squeue` is polled
/// with back-off: every second after a change, up to every `maxPollInterval` seconds while nothing happens.
public final class SlurmExecutor: JobExecutor {
    let executable: String
    let layout: CacheLayout
    let perTask: Int
    let extraArguments: [String]
    let resources: [String: TaskResources]
    /// The most tasks of one array (Slurm's `MaxArraySize`: indices 0 … MaxArraySize − 1).
    let maxArraySize: Int
    let maxArraysInFlight = 16
    let maxPollInterval: Double
    private var arrays: [SubmittedArray] = []
    private var counter = 0
    private var lastSqueue = 0.0, pollInterval = 1.0
    /// Submissions so far of each job key (1 after the first).
    private var attempts: [String: Int] = [:]

    private struct SubmittedArray {
        var jobID: String
        var base: String
        var jobs: [Job]
        var resources: TaskResources
        /// Bytes of each task's events file read so far.
        var offsets: [Int: UInt64] = [:]
        var outstanding: Set<String>
        var tasks: Int
        var eventsFile: (Int) -> String { { "\(base).events.\($0)" } }
        var files: [String] { [base + ".jobs", base + ".sh"] + (0..<tasks).map(eventsFile) }
    }

    /// The transient ends a task is submitted again after.
    static let retriedStates: Set<String> = ["TIMEOUT", "PREEMPTED", "NODE_FAIL"]

    public init(executable: String, layout: CacheLayout, perTask: Int, extraArguments: [String] = [],
                resources: [String: TaskResources] = [:], maxArraySize: Int? = nil, maxPollInterval: Double = 30) {
        self.executable = executable
        self.layout = layout
        self.perTask = max(1, perTask)
        self.extraArguments = extraArguments
        self.resources = resources
        self.maxArraySize = max(1, maxArraySize ?? SlurmExecutor.clusterMaxArraySize())
        self.maxPollInterval = max(1, maxPollInterval)
    }

    /// Whether `sbatch` and `squeue` are on PATH.
    public static var available: Bool { findProgram("sbatch") != nil && findProgram("squeue") != nil }

    /// `MaxArraySize` of `scontrol show config` (Slurm's default 1001 when it cannot be read).
    static func clusterMaxArraySize() -> Int {
        let (status, output) = runProgram("scontrol", ["show", "config"])
        guard status == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("MaxArraySize") }),
              let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else { return 1001 }
        return value
    }

    public var freeSlots: Int { arrays.count < maxArraysInFlight ? 1 : 0 }
    public func batchSize(ready: Int) -> Int { ready }
    public var inFlight: Int { arrays.reduce(0) { $0 + $1.outstanding.count } }
    public var describe: String {
        "Slurm job arrays, \(perTask) instance\(perTask == 1 ? "" : "s") per task, at most \(maxArraySize) tasks per array"
    }

    public func submit(_ jobs: [Job]) throws {
        // One array per kind's resources, in the order the jobs came.
        var groups: [(resources: TaskResources, jobs: [Job])] = []
        for job in jobs {
            let r = resources[job.kind] ?? TaskResources()
            if let i = groups.firstIndex(where: { $0.resources == r }) { groups[i].jobs.append(job) } else { groups.append((r, [job])) }
        }
        let perArray = maxArraySize * perTask
        for group in groups {
            for start in stride(from: 0, to: group.jobs.count, by: perArray) {
                try submitArray(Array(group.jobs[start..<min(start + perArray, group.jobs.count)]), resources: group.resources)
            }
        }
    }

    private func submitArray(_ jobs: [Job], resources: TaskResources) throws {
        let root = absolutePath(layout.root), logs = absolutePath(layout.logs)
        try makeDirectory(layout.jobsDirectory)
        try makeDirectory(logs + "/slurm")
        counter += 1
        let base = absolutePath(layout.jobsDirectory) + "/slurm-\(getpid())-\(counter)"
        try writeAtomically(jobs.map { $0.json + "\n" }.joined(), to: base + ".jobs")
        try writeAtomically("""
            #!/bin/sh
            exec '\(executable)' exec-stage --cache '\(root)' --logs '\(logs)' --index "$SLURM_ARRAY_TASK_ID" --per-task \(perTask) --channel-file '\(base).events.'"$SLURM_ARRAY_TASK_ID" '\(base).jobs'

            """, to: base + ".sh")
        chmod(base + ".sh", 0o755)
        let tasks = (jobs.count + perTask - 1) / perTask
        let arguments = ["--parsable", "--array=0-\(tasks - 1)", "--job-name=cellfree", "--output=\(logs)/slurm/%A_%a.log",
                         "--export=ALL,OPENBLAS_NUM_THREADS=\(resources.cpus ?? 1)"] + resources.sbatchArguments + extraArguments + [base + ".sh"]
        let (status, output) = runProgram("sbatch", arguments)
        guard status == 0, let id = output.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }), !id.isEmpty else {
            throw PipelineError.io(path: "sbatch", detail: "submission failed (status \(status)): \(output)")
        }
        for job in jobs { attempts[job.key, default: 0] += 1 }
        let kinds = Set(jobs.map(\.kind)).sorted().joined(separator: ", ")
        print("sbatch \(id): \(tasks) task\(tasks == 1 ? "" : "s") of \(kinds) (\(resources.sbatchArguments.joined(separator: " ")))")
        fflush(nil)
        arrays.append(SubmittedArray(jobID: id, base: base, jobs: jobs, resources: resources, outstanding: Set(jobs.map(\.key)), tasks: tasks))
        pollInterval = 1
    }

    public func poll(timeout: Double) -> [ExecutorEvent] {
        var events: [ExecutorEvent] = []
        usleep(UInt32(timeout * 1_000_000))
        let checkQueue = now() - lastSqueue >= pollInterval
        if checkQueue { lastSqueue = now() }
        var finished: [Int] = [], again: [Job] = []
        for i in arrays.indices {
            readEvents(&arrays[i], into: &events)
            guard checkQueue else { continue }
            let (status, output) = runProgram("squeue", ["-h", "-j", arrays[i].jobID, "-o", "%i"])
            guard status != 0 || output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            readEvents(&arrays[i], into: &events)
            let a = arrays[i]
            let states = a.outstanding.isEmpty ? [:] : SlurmExecutor.taskStates(jobID: a.jobID)
            for (index, job) in a.jobs.enumerated() where a.outstanding.contains(job.key) {
                let task = index / perTask, state = states[task] ?? "UNKNOWN"
                let retries = a.resources.retries ?? 0, attempt = attempts[job.key] ?? 1
                if SlurmExecutor.retriedStates.contains(state), attempt <= retries {
                    events.append(.retrying(key: job.key, reason: "Slurm task \(a.jobID)_\(task) ended \(state)", attempt: attempt + 1, of: retries + 1))
                    again.append(job)
                } else {
                    events.append(.finished(key: job.key, outcome: .failed(failureMessage(state: state, array: a, task: task, attempt: attempt))))
                }
            }
            for f in a.files { unlink(f) }
            removeEmptyTaskLogs(jobID: a.jobID)
            finished.append(i)
        }
        for i in finished.reversed() { arrays.remove(at: i) }
        if !again.isEmpty {
            do { try submit(again) } catch {
                for job in again { events.append(.finished(key: job.key, outcome: .failed("resubmission failed: \(error)"))) }
            }
        }
        // Back-off: poll the queue every second after a change, less often while nothing happens.
        if checkQueue { pollInterval = events.isEmpty ? min(maxPollInterval, pollInterval * 1.5) : 1 }
        return events
    }

    /// Why a task's job did not finish, in the user's terms.
    private func failureMessage(state: String, array a: SubmittedArray, task: Int, attempt: Int) -> String {
        let hint: String = switch state {
        case "TIMEOUT": " (time limit \(a.resources.time ?? "the partition's default"); raise resources.<kind>.time, or retries for a resumable stage)"
        case "OUT_OF_MEMORY": " (memory \(a.resources.memory ?? "the partition's default"); raise resources.<kind>.mem)"
        case "PREEMPTED", "NODE_FAIL": " (transient; resources.<kind>.retries resubmits)"
        default: ""
        }
        let tries = attempt > 1 ? " after \(attempt) attempts" : ""
        return "Slurm task \(a.jobID)_\(task) ended \(state)\(hint)\(tries) without finishing it (see \(layout.logs)/slurm/\(a.jobID)_\(task).log)"
    }

    /// The final Slurm state of each task of array job `jobID` (`sacct`; `scontrol` where accounting
    /// is off, while the controller still remembers the job).
    static func taskStates(jobID: String) -> [Int: String] {
        var states: [Int: String] = [:]
        let (status, output) = runProgram("sacct", ["-n", "-P", "-X", "-j", jobID, "--format=JobID,State"])
        if status == 0 {
            for line in output.split(separator: "\n") {
                let fields = line.split(separator: "|")
                guard fields.count >= 2, let underscore = fields[0].firstIndex(of: "_"),
                      let task = Int(fields[0][fields[0].index(after: underscore)...]) else { continue }
                states[task] = fields[1].split(separator: " ").first.map(String.init)
            }
        }
        if states.isEmpty {
            let (status, output) = runProgram("scontrol", ["-o", "show", "job", jobID])
            guard status == 0 else { return states }
            for line in output.split(separator: "\n") {
                let fields = Dictionary(line.split(separator: " ").compactMap { f -> (String, String)? in
                    guard let eq = f.firstIndex(of: "=") else { return nil }
                    return (String(f[..<eq]), String(f[f.index(after: eq)...]))
                }, uniquingKeysWith: { a, _ in a })
                if let task = fields["ArrayTaskId"].flatMap({ Int($0) }), let state = fields["JobState"] { states[task] = state }
            }
        }
        return states
    }

    /// Task logs (`logs/slurm/<job>_<task>.log`) that stayed empty say nothing: remove them.
    private func removeEmptyTaskLogs(jobID: String) {
        let dir = layout.logs + "/slurm"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(jobID + "_") {
            if let size = try? FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? Int, size == 0 { unlink(dir + "/" + name) }
        }
    }

    private func readEvents(_ array: inout SubmittedArray, into events: inout [ExecutorEvent]) {
        for task in 0..<array.tasks {
            guard let handle = FileHandle(forReadingAtPath: array.eventsFile(task)) else { continue }
            defer { try? handle.close() }
            let offset = array.offsets[task] ?? 0
            try? handle.seek(toOffset: offset)
            guard let data = try? handle.readToEnd(), let lastNewline = data.lastIndex(of: 10) else { continue }
            let complete = data[data.startIndex...lastNewline]
            array.offsets[task] = offset + UInt64(complete.count)
            for line in String(decoding: complete, as: UTF8.self).split(separator: "\n") {
                guard let event = parseChannelLine(line) else { continue }
                if case .finished(let key, let outcome) = event {
                    guard outcome != .busy || array.outstanding.contains(key) else { continue }
                    array.outstanding.remove(key)
                }
                events.append(event)
            }
        }
    }

    public func waitForWorkers() {
        while !arrays.isEmpty { _ = poll(timeout: 0.5) }
    }

    public func cancel() {
        for a in arrays {
            _ = runProgram("scancel", [a.jobID])
            for f in a.files { unlink(f) }
        }
        arrays.removeAll()
    }
}

func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

/// The path of program `name` on PATH, or nil.
public func findProgram(_ name: String) -> String? {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs a program from PATH, returning its exit status and combined output.
func runProgram(_ name: String, _ arguments: [String]) -> (Int32, String) {
    guard let path = findProgram(name) else { return (127, "\(name): not found") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    do { try p.run() } catch { return (126, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
