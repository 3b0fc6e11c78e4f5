/// What a Slurm task running instances of one stage kind asks for (`--time`, `--mem`,
/// `--cpus-per-task`, `--partition`) and how often one that ended TIMEOUT, PREEMPTED or NODE_FAIL is
/// submitted again (a resumable stage goes on from its checkpoint). A manifest's `resources:` maps
/// kinds (and `default`, for every kind) to these; a profile's `resources:` overrides field by field:
///
/// ```yaml
/// resources:
///   default: {time: "00:30:00", mem: 2G}
///   train: {time: "04:00:00", mem: 8G, cpus: 2, retries: 2}
/// profiles:
///   paper: {resources: {train: {time: "1-00:00:00"}}}
/// ```
/// Local workers ignore them. Nothing of this enters a cache key.
public struct TaskResources: Sendable, Equatable, Hashable {
    /// Slurm time limit: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM" or "D-HH:MM:SS".
    public var time: String?
    /// Memory per node: an integer with an optional unit K, M, G or T (Slurm's default unit is M).
    public var memory: String?
    public var cpus: Int?
    public var partition: String?
    /// Resubmissions of a task that ended TIMEOUT, PREEMPTED or NODE_FAIL (default 0).
    public var retries: Int?

    public init(time: String? = nil, memory: String? = nil, cpus: Int? = nil, partition: String? = nil, retries: Int? = nil) {
        (self.time, self.memory, self.cpus, self.partition, self.retries) = (time, memory, cpus, partition, retries)
    }

    /// These fields where set, `base`'s elsewhere.
    public func over(_ base: TaskResources) -> TaskResources {
        TaskResources(time: time ?? base.time, memory: memory ?? base.memory, cpus: cpus ?? base.cpus,
                      partition: partition ?? base.partition, retries: retries ?? base.retries)
    }

    /// The `sbatch` options they ask for (one CPU unless set).
    public var sbatchArguments: [String] {
        ["--cpus-per-task=\(cpus ?? 1)"] + [time.map { "--time=\($0)" }, memory.map { "--mem=\($0)" }, partition.map { "--partition=\($0)" }].compactMap { $0 }
    }

    /// Why `time` is not a Slurm time limit, or nil.
    static func timeProblem(_ s: String) -> String? {
        let (days, rest): (Substring?, Substring) = s.contains("-")
            ? (s.split(separator: "-", maxSplits: 1).first, s.split(separator: "-", maxSplits: 1).last ?? "") : (nil, s[...])
        let fields = rest.split(separator: ":", omittingEmptySubsequences: false)
        let numeric = { (x: Substring) in !x.isEmpty && x.allSatisfy(\.isNumber) }
        guard days.map(numeric) ?? true, fields.allSatisfy(numeric), (1...3).contains(fields.count) else {
            return "'\(s)' is not a Slurm time limit (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)"
        }
        return nil
    }

    /// Why `memory` is not a Slurm memory size, or nil.
    static func memoryProblem(_ s: String) -> String? {
        let digits = s.last.map { "KMGT".contains($0.uppercased()) } == true ? s.dropLast() : s[...]
        return !digits.isEmpty && digits.allSatisfy(\.isNumber) ? nil : "'\(s)' is not a memory size (e.g. 800M, 4G)"
    }
}

/// Parses `resources:` (kind → fields); every value is checked where it is written.
func parseResources(_ f: YAMLField) throws -> [String: TaskResources] {
    var out: [String: TaskResources] = [:]
    for e in try f.mapping() {
        var r = TaskResources()
        for x in try e.value.mapping(allowing: ["time", "mem", "cpus", "partition", "retries"]) {
            switch x.key {
            case "time":
                let s = try x.value.scalarText()
                if let problem = TaskResources.timeProblem(s) { throw x.value.error(problem) }
                r.time = s
            case "mem":
                let s = try x.value.scalarText()
                if let problem = TaskResources.memoryProblem(s) { throw x.value.error(problem) }
                r.memory = s
            case "cpus":
                let n = try x.value.int()
                guard n >= 1 else { throw x.value.error("cpus must be at least 1, found \(n)") }
                r.cpus = n
            case "partition": r.partition = try x.value.name()
            default:
                let n = try x.value.int()
                guard (0...100).contains(n) else { throw x.value.error("retries must be between 0 and 100, found \(n)") }
                r.retries = n
            }
        }
        out[e.key] = r
    }
    return out
}

extension YAMLField {
    /// A scalar exactly as written (`30`, `01:00:00`, `4G`), for values that are text whatever they look like.
    func scalarText() throws -> String {
        guard case .scalar(let s) = node else { throw error("expected text such as \"01:00:00\" or 4G, found \(kindName)") }
        return s.string
    }
}
