import DurableFile
import Foundation
import H5

/// A stage instance's resolved parameters (kind defaults filled in), as the key hashes them. Stages read
/// them typed, through `StageContext.parameters(_:)`.
public struct StageParameters: Sendable {
    public let values: [String: ParamValue]
    let id: String

    public init(_ values: [String: ParamValue], id: String) {
        self.values = values
        self.id = id
    }
}

/// One upstream result a stage reads.
public struct StageInput: Sendable {
    /// The upstream instance's parameters (e.g. to label a figure's curves).
    public var params: [String: ParamValue]
    public var kind: String
    public var key: String
    public var path: String

    public init(params: [String: ParamValue], kind: String, key: String, path: String) {
        self.params = params; self.kind = kind; self.key = key; self.path = path
    }

    public func open() throws -> H5File { try H5File.open(path) }

    /// The upstream instance's parameters as its kind's typed set.
    public func parameters<P: StageParameterSet>(_ type: P.Type) throws -> P { try P.decode(params, id: "\(kind) \(key)") }
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
        let temporary = DurableFile.temporary(for: path)
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

    /// This instance's parameters as the kind's typed set (`context.parameters(LayoutsParameters.self)`).
    public func parameters<P: StageParameterSet>(_ type: P.Type) throws -> P { try P.decode(params.values, id: id) }

    /// The instance's random seed: SHA-256 of (seed, kind, replica), so replicas and kinds draw
    /// independent streams and a sample's numbers never depend on which worker ran it.
    public var streamSeed: UInt64 {
        // A kind without the groups draws nothing random; 0 keeps such a stream well defined.
        let seed = (try? SeedParameter.decode(params.values, id: id))?.seed ?? 0
        let replica = (try? SeedAndReplica.decode(params.values, id: id))?.replica ?? 0
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
