import Foundation
import Glibc

/// Runs batches of jobs as `cellfree exec-stage` worker processes, at most `workers` at a time.
/// Each worker reports on a pipe (its fd 3); with more than one worker, BLAS is single-threaded.
/// Workers die with the driver (PR_SET_PDEATHSIG), so a killed driver leaves nothing running.
public final class LocalExecutor: JobExecutor {
    public let workers: Int
    let executable: String
    let layout: CacheLayout
    private var running: [Worker] = []
    private var batchCounter = 0

    private struct Worker {
        var pid: pid_t
        var channel: Int32
        var buffer: [UInt8]
        var outstanding: Set<String>
        var jobFile: String
        var log: String
    }

    /// At most this many workers per core (issue 19 item 16): `-j 1000` on 2 cores once started 280
    /// processes that only contended for the cores and the memory.
    public static let workersPerCore = 4

    /// `requested` workers, capped at `workersPerCore` × `cores`.
    public static func cappedWorkers(_ requested: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        min(requested, workersPerCore * max(cores, 1))
    }

    public init(workers: Int, executable: String, layout: CacheLayout) {
        self.workers = max(1, workers)
        self.executable = executable
        self.layout = layout
    }

    public var freeSlots: Int { workers - running.count }
    public var inFlight: Int { running.reduce(0) { $0 + $1.outstanding.count } }
    public var describe: String { "\(workers) local worker\(workers == 1 ? "" : "s")" }

    /// Small jobs are grouped (up to 32 per process) so process start-up does not dominate big sweeps,
    /// while keeping about four batches per worker for balance.
    public func batchSize(ready: Int) -> Int { max(1, min(32, ready / (4 * workers))) }

    public func submit(_ jobs: [Job]) throws {
        try makeDirectory(layout.jobsDirectory)
        try makeDirectory(layout.logs + "/workers")
        batchCounter += 1
        let tag = "\(getpid())-\(batchCounter)"
        let jobFile = layout.jobsDirectory + "/\(tag).jobs"
        try writeAtomically(jobs.map { $0.json + "\n" }.joined(), to: jobFile)
        let log = layout.logs + "/workers/\(tag).log"
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw PipelineError.io(path: "pipe", detail: errnoText()) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 3)
        var environment = ProcessInfo.processInfo.environment
        environment["CELLFREE_CHANNEL_FD"] = "3"
        environment["CELLFREE_DRIVER_PID"] = "\(getpid())"
        if workers > 1 { environment["OPENBLAS_NUM_THREADS"] = "1" }
        let arguments = [executable, "exec-stage", "--cache", layout.root, "--logs", layout.logs, jobFile]
        // Workers start with no blocked signals and default INT/TERM handling, whatever ours are.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), defaults = sigset_t()
        sigemptyset(&noSignals)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let status = withCStrings(arguments) { argv in
            withCStrings(environment.map { "\($0.key)=\($0.value)" }) { envp in
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            unlink(jobFile)
            throw PipelineError.io(path: executable, detail: "cannot start a worker: \(String(cString: strerror(status)))")
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        running.append(Worker(pid: pid, channel: fds[0], buffer: [], outstanding: Set(jobs.map(\.key)), jobFile: jobFile, log: log))
    }

    public func poll(timeout: Double) -> [ExecutorEvent] {
        var events: [ExecutorEvent] = []
        guard !running.isEmpty else { return events }
        var pfds = running.map { pollfd(fd: $0.channel, events: Int16(POLLIN), revents: 0) }
        _ = Glibc.poll(&pfds, nfds_t(pfds.count), Int32(timeout * 1000))
        var finished: [Int] = []
        for i in running.indices {
            drain(&running[i], into: &events)
            var status: Int32 = 0
            if waitpid(running[i].pid, &status, WNOHANG) == running[i].pid {
                drain(&running[i], into: &events)
                let exit = describeExit(status)
                for key in running[i].outstanding.sorted() {
                    events.append(.finished(key: key, outcome: .failed("worker \(exit) (see \(running[i].log))")))
                }
                close(running[i].channel)
                unlink(running[i].jobFile)
                // An empty log goes, unless a failure message above points to it (issue 19 item 11).
                if running[i].outstanding.isEmpty,
                   let size = try? FileManager.default.attributesOfItem(atPath: running[i].log)[.size] as? Int, size == 0 {
                    unlink(running[i].log)
                }
                finished.append(i)
            }
        }
        for i in finished.reversed() { running.remove(at: i) }
        return events
    }

    private func drain(_ worker: inout Worker, into events: inout [ExecutorEvent]) {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(worker.channel, &chunk, chunk.count)
            guard n > 0 else { break }
            worker.buffer += chunk[0..<n]
        }
        while let newline = worker.buffer.firstIndex(of: 10) {
            let line = String(decoding: worker.buffer[..<newline], as: UTF8.self)
            worker.buffer.removeSubrange(...newline)
            guard let event = parseChannelLine(Substring(line)) else { continue }
            if case .finished(let key, _) = event { worker.outstanding.remove(key) }
            events.append(event)
        }
    }

    public func waitForWorkers() {
        while !running.isEmpty { _ = poll(timeout: 0.05) }
    }

    public func cancel() {
        for w in running { kill(w.pid, SIGTERM) }
        for w in running {
            var status: Int32 = 0
            waitpid(w.pid, &status, 0)
            close(w.channel)
            unlink(w.jobFile)
        }
        running.removeAll()
    }
}

func describeExit(_ status: Int32) -> String {
    let signal = status & 0x7f
    if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
    return "killed by signal \(signal)"
}

/// Calls `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
