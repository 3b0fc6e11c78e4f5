import Foundation
import Glibc

/// Runs each ready wave of jobs as one Slurm job array (`sbatch --array`), `perTask` jobs per array
/// task, over the shared cache directory. Tasks append their events to a file the driver tails;
/// completion is the cache file itself, so a new driver picks up whatever finished. Polls `squeue`.
public final class SlurmExecutor: JobExecutor {
    let executable: String
    let layout: CacheLayout
    let perTask: Int
    let extraArguments: [String]
    private var arrays: [SubmittedArray] = []
    private var counter = 0
    private var lastSqueue = 0.0

    private struct SubmittedArray {
        var jobID: String
        var eventsFile: String
        var jobFile: String
        var script: String
        var offset: UInt64
        var outstanding: Set<String>
        var logPattern: String
    }

    public init(executable: String, layout: CacheLayout, perTask: Int, extraArguments: [String] = []) {
        self.executable = executable
        self.layout = layout
        self.perTask = max(1, perTask)
        self.extraArguments = extraArguments
    }

    /// Whether `sbatch` and `squeue` are on PATH.
    public static var available: Bool { findProgram("sbatch") != nil && findProgram("squeue") != nil }

    public var freeSlots: Int { arrays.isEmpty ? 1 : 0 }
    public func batchSize(ready: Int) -> Int { ready }
    public var inFlight: Int { arrays.reduce(0) { $0 + $1.outstanding.count } }
    public var describe: String { "Slurm job arrays, \(perTask) instance\(perTask == 1 ? "" : "s") per task" }

    public func submit(_ jobs: [Job]) throws {
        let root = absolutePath(layout.root), logs = absolutePath(layout.logs)
        try makeDirectory(layout.jobsDirectory)
        try makeDirectory(logs + "/slurm")
        counter += 1
        let base = absolutePath(layout.jobsDirectory) + "/slurm-\(getpid())-\(counter)"
        let jobFile = base + ".jobs", eventsFile = base + ".events", script = base + ".sh"
        try writeAtomically(jobs.map { $0.json + "\n" }.joined(), to: jobFile)
        guard FileManager.default.createFile(atPath: eventsFile, contents: nil) else {
            throw PipelineError.io(path: eventsFile, detail: "cannot create the events file")
        }
        try writeAtomically("""
            #!/bin/sh
            exec '\(executable)' exec-stage --cache '\(root)' --logs '\(logs)' --index "$SLURM_ARRAY_TASK_ID" --per-task \(perTask) --channel-file '\(eventsFile)' '\(jobFile)'

            """, to: script)
        chmod(script, 0o755)
        let tasks = (jobs.count + perTask - 1) / perTask
        let logPattern = logs + "/slurm/%A_%a.log"
        let arguments = ["--parsable", "--array=0-\(tasks - 1)", "--job-name=cellfree", "--output=\(logPattern)",
                         "--cpus-per-task=1", "--export=ALL,OPENBLAS_NUM_THREADS=1"] + extraArguments + [script]
        let (status, output) = runProgram("sbatch", arguments)
        guard status == 0, let id = output.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }), !id.isEmpty else {
            throw PipelineError.io(path: "sbatch", detail: "submission failed (status \(status)): \(output)")
        }
        arrays.append(SubmittedArray(jobID: id, eventsFile: eventsFile, jobFile: jobFile, script: script, offset: 0,
                                     outstanding: Set(jobs.map(\.key)), logPattern: logs + "/slurm/\(id)_*.log"))
    }

    public func poll(timeout: Double) -> [ExecutorEvent] {
        var events: [ExecutorEvent] = []
        usleep(UInt32(timeout * 1_000_000))
        let checkQueue = now() - lastSqueue >= 1
        if checkQueue { lastSqueue = now() }
        var finished: [Int] = []
        for i in arrays.indices {
            readEvents(&arrays[i], into: &events)
            guard checkQueue else { continue }
            let (status, output) = runProgram("squeue", ["-h", "-j", arrays[i].jobID, "-o", "%i"])
            let alive = status == 0 && !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            if !alive {
                readEvents(&arrays[i], into: &events)
                for key in arrays[i].outstanding.sorted() {
                    events.append(.finished(key: key, outcome: .failed("Slurm task of job \(arrays[i].jobID) ended without finishing it (see \(arrays[i].logPattern))")))
                }
                for f in [arrays[i].jobFile, arrays[i].eventsFile, arrays[i].script] { unlink(f) }
                removeEmptyTaskLogs(jobID: arrays[i].jobID)
                finished.append(i)
            }
        }
        for i in finished.reversed() { arrays.remove(at: i) }
        return events
    }

    /// Task logs (`logs/slurm/<job>_<task>.log`) that stayed empty say nothing: remove them.
    private func removeEmptyTaskLogs(jobID: String) {
        let dir = layout.logs + "/slurm"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(jobID + "_") {
            if let size = try? FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? Int, size == 0 { unlink(dir + "/" + name) }
        }
    }

    private func readEvents(_ array: inout SubmittedArray, into events: inout [ExecutorEvent]) {
        guard let handle = FileHandle(forReadingAtPath: array.eventsFile) else { return }
        defer { try? handle.close() }
        try? handle.seek(toOffset: array.offset)
        guard let data = try? handle.readToEnd(), let lastNewline = data.lastIndex(of: 10) else { return }
        let complete = data[data.startIndex...lastNewline]
        array.offset += UInt64(complete.count)
        for line in String(decoding: complete, as: UTF8.self).split(separator: "\n") {
            guard let event = parseChannelLine(line) else { continue }
            if case .finished(let key, let outcome) = event {
                guard outcome != .busy || array.outstanding.contains(key) else { continue }
                array.outstanding.remove(key)
            }
            events.append(event)
        }
    }

    public func waitForWorkers() {
        while !arrays.isEmpty { _ = poll(timeout: 0.5) }
    }

    public func cancel() {
        for a in arrays {
            _ = runProgram("scancel", [a.jobID])
            for f in [a.jobFile, a.eventsFile, a.script] { unlink(f) }
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
