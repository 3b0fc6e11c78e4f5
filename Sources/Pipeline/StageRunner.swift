import Foundation
import Glibc
import H5

/// How one job ended in a worker.
public enum JobOutcome: Sendable, Equatable {
    case computed(seconds: Double)
    /// Its result was already in the cache (another driver or an earlier Slurm task made it).
    case cached
    /// Another live process holds its key lock.
    case busy
    case failed(String)
}

/// Computes jobs inside a worker process (`cellfree exec-stage`): takes the key lock, runs the stage
/// into a temporary file with its log as stdout/stderr, adds provenance and the content checksum,
/// and publishes the result atomically. Messages to the driver go to `channel` (one line each).
public struct StageRunner {
    public var registry: StageRegistry
    public var layout: CacheLayout
    public var codeVersion: String
    /// A file descriptor the driver reads progress from, if any.
    public var channel: Int32?

    public init(registry: StageRegistry, layout: CacheLayout, codeVersion: String, channel: Int32?) {
        self.registry = registry
        self.layout = layout
        self.codeVersion = codeVersion
        self.channel = channel
    }

    func send(_ line: String) {
        guard let fd = channel else { return }
        let text = line.replacingOccurrences(of: "\n", with: " ") + "\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    public func run(_ job: Job) -> JobOutcome {
        let outcome = runLocked(job)
        switch outcome {
        case .computed(let s): send("done \(job.key) \(s)")
        case .cached: send("cached \(job.key)")
        case .busy: send("busy \(job.key)")
        case .failed(let m): send("failed \(job.key) \(m)")
        }
        return outcome
    }

    private func runLocked(_ job: Job) -> JobOutcome {
        let dir = layout.root + "/" + job.kind
        do {
            try makeDirectory(dir)
            try makeDirectory(layout.logs + "/" + job.kind)
        } catch {
            return .failed("\(error)")
        }
        let lock: FileLock
        do {
            guard let l = try FileLock.tryAcquire(layout.lock(kind: job.kind, key: job.key)) else { return .busy }
            lock = l
        } catch {
            return .failed("\(error)")
        }
        defer { lock.release() }
        if !job.recompute, CacheVerifier.verify(path: layout.file(kind: job.kind, key: job.key), key: job.key) == .valid {
            // Made by a process killed before it removed its checkpoint.
            unlink(layout.partial(kind: job.kind, key: job.key))
            return .cached
        }
        send("start \(job.key)")
        let logPath = layout.log(kind: job.kind, key: job.key)
        let redirect = OutputRedirection(to: logPath)
        defer { redirect?.restore() }
        print("[\(isoNow())] \(job.id) (kind \(job.kind) v\(job.version), key \(job.key))")
        print("params: \(ParamValue.map(job.params.map { ($0.key, $0.value) }).canonicalJSON)")
        let start = Date()
        do {
            try compute(job)
        } catch {
            print("FAILED: \(error)")
            fflush(nil)
            return .failed("\(error)")
        }
        let seconds = Date().timeIntervalSince(start)
        print("[\(isoNow())] done in \(String(format: "%.3f", seconds)) s")
        fflush(nil)
        return .computed(seconds: seconds)
    }

    private func compute(_ job: Job) throws {
        guard let kind = registry[job.kind] else { throw PipelineError.stage(id: job.id, detail: "this cellfree has no stage kind '\(job.kind)'") }
        guard kind.version == job.version else {
            throw PipelineError.stage(id: job.id, detail: "kind '\(job.kind)' is at version \(kind.version) here but the plan has \(job.version): rebuild, then rerun")
        }
        var inputs: [String: [StageInput]] = [:]
        for (name, list) in job.inputs {
            inputs[name] = try list.map { item in
                let path = layout.file(kind: item.kind, key: item.key)
                guard FileManager.default.fileExists(atPath: path) else {
                    throw PipelineError.stage(id: job.id, detail: "input '\(name)' is missing: \(path)")
                }
                return StageInput(params: item.params, kind: item.kind, key: item.key, path: path)
            }
        }
        let final = layout.file(kind: job.kind, key: job.key)
        let temporary = layout.temporary(kind: job.kind, key: job.key)
        do {
            let output = try H5File.create(temporary)
            let checkpoint = StageCheckpoint(path: layout.partial(kind: job.kind, key: job.key))
            let context = StageContext(id: job.id, kind: job.kind, key: job.key, params: StageParameters(job.params, id: job.id),
                                       inputs: inputs, output: output, checkpoint: checkpoint,
                                       reporter: { done, total in send("progress \(job.key) \(done) \(total)") })
            try kind.run(context)
            let record = KeyRecord(kind: job.kind, version: job.version, params: job.params,
                                   inputs: job.inputs.mapValues { $0.map(\.key) })
            try output.setAttribute(ProvenanceAttribute.computedBy, job.id)
            try output.setAttribute(ProvenanceAttribute.kind, job.kind)
            try output.setAttribute(ProvenanceAttribute.key, job.key)
            try output.setAttribute(ProvenanceAttribute.params, record.paramsJSON)
            try output.setAttribute(ProvenanceAttribute.inputs, record.inputsJSON)
            try output.setAttribute(ProvenanceAttribute.codeVersion, "\(codeVersion); \(job.kind) v\(job.version)")
            try output.setAttribute(ProvenanceAttribute.created, isoNow())
            try output.setAttribute(ProvenanceAttribute.checksum, try contentChecksum(of: output))
            try output.close()
            try publish(temporary, as: final)
            checkpoint.remove()
        } catch {
            unlink(temporary)
            throw error
        }
    }
}

/// Sends this process's stdout and stderr to a log file until `restore()`.
final class OutputRedirection {
    private let savedOut: Int32, savedErr: Int32

    init?(to path: String) {
        fflush(nil)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        savedOut = dup(1)
        savedErr = dup(2)
        dup2(fd, 1)
        dup2(fd, 2)
        close(fd)
    }

    func restore() {
        fflush(nil)
        dup2(savedOut, 1)
        dup2(savedErr, 2)
        close(savedOut)
        close(savedErr)
    }
}

func isoNow() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date())
}
