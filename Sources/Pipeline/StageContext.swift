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

    private func value(_ name: String) throws -> ParamValue {
        guard let v = values[name] else { throw PipelineError.stage(id: id, detail: "parameter '\(name)' is not set") }
        return v
    }

    private func fail(_ name: String, _ expected: String, _ v: ParamValue) -> PipelineError {
        .stage(id: id, detail: "parameter '\(name)' must be \(expected), found \(v.typeName)")
    }

    public func int(_ name: String) throws -> Int {
        let v = try value(name)
        guard let i = v.integer else { throw fail(name, "an integer", v) }
        return i
    }

    public func double(_ name: String) throws -> Double {
        let v = try value(name)
        guard let d = v.number else { throw fail(name, "a number", v) }
        return d
    }

    public func bool(_ name: String) throws -> Bool {
        let v = try value(name)
        guard let b = v.bool else { throw fail(name, "a boolean", v) }
        return b
    }

    public func string(_ name: String) throws -> String {
        let v = try value(name)
        guard let s = v.string else { throw fail(name, "a string", v) }
        return s
    }

    public func ints(_ name: String) throws -> [Int] {
        let v = try value(name)
        guard let l = v.list, let out = Optional(l.compactMap(\.integer)), out.count == l.count else { throw fail(name, "a list of integers", v) }
        return out
    }

    public func doubles(_ name: String) throws -> [Double] {
        let v = try value(name)
        guard let l = v.list, let out = Optional(l.compactMap(\.number)), out.count == l.count else { throw fail(name, "a list of numbers", v) }
        return out
    }

    public func strings(_ name: String) throws -> [String] {
        let v = try value(name)
        guard let l = v.list, let out = Optional(l.compactMap(\.string)), out.count == l.count else { throw fail(name, "a list of strings", v) }
        return out
    }
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
