import Foundation
import H5

/// A stage instance's resolved parameters with typed access; a missing or ill-typed parameter is a
/// stage error naming it (the manifest check makes this rare).
public struct StageParameters: Sendable {
    public let values: [String: ParamValue]
    let id: String

    public init(_ values: [String: ParamValue], id: String) {
        self.values = values
        self.id = id
    }

    /// The parameter `name` converted by `extract`, or a stage error naming it and the type expected.
    private func typed<R>(_ name: String, _ expected: String, _ extract: (ParamValue) -> R?) throws -> R {
        guard let v = values[name] else { throw PipelineError.stage(id: id, detail: "parameter '\(name)' is not set") }
        guard let r = extract(v) else { throw PipelineError.stage(id: id, detail: "parameter '\(name)' must be \(expected), found \(v.typeName)") }
        return r
    }

    /// All elements converted, or nil if any fails.
    private static func list<R>(_ v: ParamValue, _ element: (ParamValue) -> R?) -> [R]? {
        guard let items = v.list else { return nil }
        let out = items.compactMap(element)
        return out.count == items.count ? out : nil
    }

    public func int(_ name: String) throws -> Int { try typed(name, "an integer") { $0.integer } }
    public func double(_ name: String) throws -> Double { try typed(name, "a number") { $0.number } }
    public func bool(_ name: String) throws -> Bool { try typed(name, "a boolean") { $0.bool } }
    public func string(_ name: String) throws -> String { try typed(name, "a string") { $0.string } }
    public func ints(_ name: String) throws -> [Int] { try typed(name, "a list of integers") { Self.list($0) { $0.integer } } }
    public func doubles(_ name: String) throws -> [Double] { try typed(name, "a list of numbers") { Self.list($0) { $0.number } } }
    public func strings(_ name: String) throws -> [String] { try typed(name, "a list of strings") { Self.list($0) { $0.string } } }
}

/// One upstream result a stage reads.
public struct StageInput: Sendable {
    /// The upstream instance's parameters (e.g. to label a figure's curves).
    public var params: [String: ParamValue]
    public var kind: String
    public var key: String
    public var path: String

    public func open() throws -> H5File { try H5File.open(path) }
}

/// A stage's resumable state, `<key>.partial.h5`: saved atomically, loaded on the next attempt,
/// removed once the final result is published.
public struct StageCheckpoint: Sendable {
    public let path: String

    /// The last saved checkpoint, or nil. An unreadable one (killed mid-rename cannot happen, but a
    /// disk error can) is discarded with a note in the log, and the stage starts over.
    public func load(log: (String) -> Void) -> H5File? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try H5File.open(path)
        } catch {
            log("discarding unreadable checkpoint \(path): \(error)")
            unlink(path)
            return nil
        }
    }

    /// Writes a new checkpoint through a temporary file, fsync and rename.
    public func save(_ write: (H5File) throws -> Void) throws {
        let temporary = path + ".tmp-\(getpid())"
        do {
            let file = try H5File.create(temporary)
            try write(file)
            try file.close()
            try publish(temporary, as: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    func remove() { unlink(path) }
}

/// What a running stage sees: its parameters, inputs, output file, checkpoint, RNG seed and a way to
/// report progress and log.
public final class StageContext {
    public let id: String
    public let kind: String
    public let key: String
    public let params: StageParameters
    /// Input name → upstream results, in plan order.
    public let inputs: [String: [StageInput]]
    /// The result file being written (a temporary; the runner adds provenance, checksums and publishes it).
    public let output: H5File
    public let checkpoint: StageCheckpoint
    private let reporter: (Int, Int) -> Void

    init(id: String, kind: String, key: String, params: StageParameters, inputs: [String: [StageInput]],
         output: H5File, checkpoint: StageCheckpoint, reporter: @escaping (Int, Int) -> Void) {
        self.id = id
        self.kind = kind
        self.key = key
        self.params = params
        self.inputs = inputs
        self.output = output
        self.checkpoint = checkpoint
        self.reporter = reporter
    }

    /// The instance's random seed: SHA-256 of (seed, kind, replica), so replicas and kinds draw
    /// independent streams and a sample's numbers never depend on which worker ran it.
    public var streamSeed: UInt64 {
        let seed = params.values["seed"]?.integer ?? 0, replica = params.values["replica"]?.integer ?? 0
        let digest = sha256Hex("seed=\(seed);kind=\(kind);replica=\(replica)")
        return UInt64(digest.prefix(16), radix: 16)!
    }

    /// Reports `done` of `total` units of work (drives the bar, rate and ETA of `run`).
    public func progress(_ done: Int, of total: Int) { reporter(done, total) }

    /// A line in the instance's log file.
    public func log(_ message: String) {
        print(message)
        fflush(nil)
    }

    /// The single input named `name`, or a stage error.
    public func input(_ name: String) throws -> StageInput {
        guard let list = inputs[name], list.count == 1 else {
            throw PipelineError.stage(id: id, detail: "expects exactly one '\(name)' input, found \(inputs[name]?.count ?? 0)")
        }
        return list[0]
    }
}
