/// What executors report back to the scheduler, keyed by the job's key.
public enum ExecutorEvent: Sendable {
    case started(key: String)
    case progress(key: String, done: Int, total: Int)
    case finished(key: String, outcome: JobOutcome)
    /// A job's task ended in a transient way (Slurm TIMEOUT, PREEMPTED, NODE_FAIL) and runs again.
    case retrying(key: String, reason: String, attempt: Int, of: Int)
}

/// Runs jobs somewhere (worker processes here, Slurm tasks elsewhere) and reports their events.
public protocol JobExecutor: AnyObject {
    /// How many more batches it accepts now.
    var freeSlots: Int { get }
    /// How many of `ready` jobs to put into one batch.
    func batchSize(ready: Int) -> Int
    func submit(_ jobs: [Job]) throws
    /// Events that arrived, waiting at most `timeout` seconds for the first.
    func poll(timeout: Double) -> [ExecutorEvent]
    /// Jobs submitted and not yet finished.
    var inFlight: Int { get }
    /// Waits until every worker it started has exited (their jobs have all reported).
    func waitForWorkers()
    /// Stops everything in flight (Ctrl-C); their jobs are reported failed by later polls or dropped.
    func cancel()
    /// Log files of a batch-level failure, if any (worker crashed before its job logs opened).
    var describe: String { get }
}

/// Parses one channel line from a worker: `start K`, `progress K d t`, `done K s`, `cached K`,
/// `busy K`, `failed K message`.
func parseChannelLine(_ line: Substring) -> ExecutorEvent? {
    let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
    guard parts.count >= 2 else { return nil }
    let key = String(parts[1])
    switch parts[0] {
    case "start": return .started(key: key)
    case "progress":
        let nums = parts.count > 2 ? parts[2].split(separator: " ").compactMap { Int($0) } : []
        return nums.count == 2 ? .progress(key: key, done: nums[0], total: nums[1]) : nil
    case "done": return .finished(key: key, outcome: .computed(seconds: parts.count > 2 ? Double(parts[2]) ?? 0 : 0))
    case "cached": return .finished(key: key, outcome: .cached)
    case "busy": return .finished(key: key, outcome: .busy)
    case "failed": return .finished(key: key, outcome: .failed(parts.count > 2 ? String(parts[2]) : "failed"))
    default: return nil
    }
}
