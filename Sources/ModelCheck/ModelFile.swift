import Foundation
import H5
import Learning
import ModelStore

/// Errors reading a golden model file (exit code 2 of `verify-model`).
public enum ModelFileError: Error, CustomStringConvertible {
    case unreadable(file: String, detail: String)
    case invalid(file: String, item: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(file, detail): "\(file): cannot read as a model file: \(detail)"
        case let .invalid(file, item, detail): "\(file): \(item): \(detail)"
        }
    }
}

/// A golden model file (layout of golden/models/README.md): config, parameters, inputs, targets,
/// and the reference outputs, loss and gradients.
struct ModelFile {
    let path: String
    let file: H5File
    let config: [String: Any]
    let variant: String
    let parameterNames: [String]

    init(_ path: String) throws {
        self.path = path
        let file: H5File
        do {
            file = try H5File.open(path)
        } catch {
            throw ModelFileError.unreadable(file: path, detail: "\(error)")
        }
        self.file = file
        let json = { (attribute: String) throws -> Any in
            let text: String
            do { text = try file.stringAttribute(attribute) } catch {
                throw ModelFileError.invalid(file: path, item: "attribute \(attribute)", detail: "missing or not a string (\(error))")
            }
            guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
                throw ModelFileError.invalid(file: path, item: "attribute \(attribute)", detail: "not valid JSON")
            }
            return value
        }
        guard let config = try json("config") as? [String: Any], let variant = config["variant"] as? String else {
            throw ModelFileError.invalid(file: path, item: "attribute config", detail: "needs a JSON object with a \"variant\"")
        }
        guard let names = try json("param_order") as? [String] else {
            throw ModelFileError.invalid(file: path, item: "attribute param_order", detail: "needs a JSON list of names")
        }
        self.config = config; self.variant = variant; parameterNames = names
    }

    /// The model the `config` attribute describes (the same reader as our model archives').
    func modelConfig() throws -> ModelConfig {
        do { return try ModelConfig(json: config) } catch let e as ModelConfigError {
            throw ModelFileError.invalid(file: path, item: "config.\(e.key)", detail: e.detail)
        }
    }

    func integer(_ key: String) throws -> Int {
        guard let v = config[key] as? NSNumber else {
            throw ModelFileError.invalid(file: path, item: "config.\(key)", detail: "missing or not a number")
        }
        return v.intValue
    }

    func number(_ key: String) throws -> Double {
        guard let v = config[key] as? NSNumber else {
            throw ModelFileError.invalid(file: path, item: "config.\(key)", detail: "missing or not a number")
        }
        return v.doubleValue
    }

    /// A float32 dataset (0-d for scalars) as a tensor.
    func tensor(_ name: String) throws -> Tensor<Float> {
        do {
            let a = try file.read(name, as: Float.self)
            return Tensor(shape: a.shape, values: a.values)
        } catch {
            throw ModelFileError.invalid(file: path, item: "dataset \(name)", detail: "\(error)")
        }
    }

    func contains(_ name: String) -> Bool { file.contains(name) }

    func parameters() throws -> ParameterSet<Float> {
        do { return try ModelArchive.readParameters(from: file, file: path) } catch let CheckpointError.invalid(file, item, detail) {
            throw ModelFileError.invalid(file: file, item: item, detail: detail)
        }
    }

    /// The `n_params` attribute.
    func parameterCount() throws -> Int {
        do { return Int(try file.attribute("n_params", as: Int64.self).first ?? -1) } catch {
            throw ModelFileError.invalid(file: path, item: "attribute n_params", detail: "\(error)")
        }
    }
}
