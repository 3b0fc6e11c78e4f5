import DurableFile
import Foundation
import H5
import Learning

/// Model weights and AdamW state at an epoch boundary, as stored in an HDF5 checkpoint:
/// `params/<name>` (float32, the parameter's shape), `adam/m/<name>` and `adam/v/<name>`, and the
/// attributes `epoch`, `adam_step`, `adam_hyper` (lr, β₁, β₂, eps, weight decay), `param_order` (JSON)
/// and free-form `metadata` (JSON object of strings).
public struct Checkpoint: Equatable {
    public var parameters: ParameterSet<Float>
    public var optimizer: AdamW<Float>
    /// Epochs completed.
    public var epoch: Int
    public var metadata: [String: String]
    /// The best weights so far by the fit's own criterion (`best/params/<name>`), if it keeps them.
    public var best: ParameterSet<Float>?

    public init(parameters: ParameterSet<Float>, optimizer: AdamW<Float>, epoch: Int, metadata: [String: String] = [:],
                best: ParameterSet<Float>? = nil) {
        self.parameters = parameters; self.optimizer = optimizer; self.epoch = epoch; self.metadata = metadata; self.best = best
    }
}

public enum CheckpointError: Error, CustomStringConvertible {
    case unreadable(file: String, detail: String)
    case invalid(file: String, item: String, detail: String)
    case writeFailed(file: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(file, detail): "\(file): cannot read checkpoint: \(detail)"
        case let .writeFailed(file, detail): "\(file): cannot write checkpoint: \(detail)"
        case let .invalid(file, item, detail): "\(file): \(item): \(detail)"
        }
    }
}

extension Checkpoint {
    /// Writes the checkpoint into `group` (a fresh file or a stage checkpoint's).
    public func write(to group: H5Group) throws {
        let p = parameters, adam = optimizer
        try ModelArchive.writeParameters(p, to: group)
        for name in p.names {
            let t = p[name]!
            if let m = adam.m[name], let v = adam.v[name] {
                try group.write("adam/m/" + name, m, shape: t.shape)
                try group.write("adam/v/" + name, v, shape: t.shape)
            }
        }
        try group.setAttribute("epoch", scalar: Int64(epoch))
        try group.setAttribute("adam_step", scalar: Int64(adam.step))
        try group.setAttribute("adam_hyper", [adam.learningRate, adam.beta1, adam.beta2, adam.eps, adam.weightDecay])
        try group.setAttribute("metadata", String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self))
        if let best { try ModelArchive.writeParameters(best, to: try group.createGroup("best")) }
    }

    /// Reads a checkpoint written by `write(to:)`; errors name `file` and the item.
    public static func read(from group: H5Group, file path: String) throws -> Checkpoint {
        func attempt<R>(_ item: String, _ body: () throws -> R) throws -> R {
            do { return try body() } catch { throw CheckpointError.invalid(file: path, item: item, detail: "\(error)") }
        }
        let parameters = try ModelArchive.readParameters(from: group, file: path)
        var optimizer = AdamW<Float>()
        let hyper = try attempt("attribute adam_hyper") { try group.attribute("adam_hyper", as: Float.self) }
        guard hyper.count == 5 else { throw CheckpointError.invalid(file: path, item: "attribute adam_hyper", detail: "expected 5 values") }
        (optimizer.learningRate, optimizer.beta1, optimizer.beta2, optimizer.eps, optimizer.weightDecay) = (hyper[0], hyper[1], hyper[2], hyper[3], hyper[4])
        optimizer.step = Int(try attempt("attribute adam_step") { try group.attribute("adam_step", as: Int64.self).first ?? 0 })
        for name in parameters.names {
            let shape = parameters[name]!.shape
            if group.contains("adam/m/" + name) {
                optimizer.m[name] = try attempt("dataset adam/m/\(name)") { try group.read("adam/m/" + name, as: Float.self, shape: shape).values }
                optimizer.v[name] = try attempt("dataset adam/v/\(name)") { try group.read("adam/v/" + name, as: Float.self, shape: shape).values }
            }
        }
        let epoch = Int(try attempt("attribute epoch") { try group.attribute("epoch", as: Int64.self).first ?? 0 })
        let metadata = try attempt("attribute metadata") {
            try JSONDecoder().decode([String: String].self, from: Data(try group.stringAttribute("metadata").utf8))
        }
        let best = group.contains("best") ? try ModelArchive.readParameters(from: try group.group("best"), file: path) : nil
        return Checkpoint(parameters: parameters, optimizer: optimizer, epoch: epoch, metadata: metadata, best: best)
    }
}

/// Writes `checkpoint` to the file `path` durably (`DurableFile.publish`): a crash leaves either the old
/// file or the new one, never half. (Stages checkpoint through `StageCheckpoint.save` instead.)
public func saveCheckpoint(_ checkpoint: Checkpoint, to path: String) throws {
    let temporary = DurableFile.temporary(for: path)
    do {
        let file = try H5File.create(temporary)
        try checkpoint.write(to: file)
        try file.close()
        do { try DurableFile.publish(temporary, as: path) } catch let e as DurableFileError {
            throw CheckpointError.writeFailed(file: path, detail: e.detail)
        }
    } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        throw error
    }
}

/// Reads the checkpoint file `saveCheckpoint` wrote.
public func loadCheckpoint(from path: String) throws -> Checkpoint {
    let file: H5File
    do { file = try H5File.open(path) } catch { throw CheckpointError.unreadable(file: path, detail: "\(error)") }
    defer { try? file.close() }
    return try Checkpoint.read(from: file, file: path)
}
