import Foundation
import H5
import Learning

/// A trained model as stored in an HDF5 group (a `train` result, the weights of a checkpoint): what
/// it is, its weights, its fixed projections and the normalisers its inputs and outputs need.
///
/// Layout: `params/<name>` (float32, the parameter's shape), `omegas/<layer>` (Performer's fixed
/// projections Ω, if any), attributes `config` (JSON, the golden files' keys: `ModelConfig`),
/// `param_order` (JSON list) and `normalisers` (JSON object of numbers, e.g. `position_scale_m`).
public struct ModelArchive {
    public var config: ModelConfig
    public var parameters: ParameterSet<Float>
    /// Fixed (untrained) projections, one per layer (Performer's Ω); empty otherwise.
    public var projections: [Tensor<Float>]
    /// Input and label normalisers by name, with their unit in the name (`position_scale_m`, `dl_label_max_mw`).
    public var normalisers: [String: Double]

    public init(config: ModelConfig, parameters: ParameterSet<Float>, projections: [Tensor<Float>] = [], normalisers: [String: Double] = [:]) {
        self.config = config; self.parameters = parameters; self.projections = projections; self.normalisers = normalisers
    }

    /// Writes the archive into `group`.
    public func write(to group: H5Group) throws {
        try Self.writeParameters(parameters, to: group)
        if !projections.isEmpty {
            let g = try group.createGroup("omegas")
            for (s, omega) in projections.enumerated() { try g.write("\(s)", omega.values, shape: omega.shape) }
        }
        try group.setAttribute("config", try Self.jsonText(config.json))
        try group.setAttribute("normalisers", try Self.jsonText(normalisers))
    }

    /// Reads an archive written by `write(to:)`; errors name the item.
    public static func read(from group: H5Group, file: String) throws -> ModelArchive {
        func attempt<R>(_ item: String, _ body: () throws -> R) throws -> R {
            do { return try body() } catch { throw CheckpointError.invalid(file: file, item: item, detail: "\(error)") }
        }
        let json = try attempt("attribute config") { try jsonObject(try group.stringAttribute("config")) }
        let config = try attempt("attribute config") { try ModelConfig(json: json) }
        let normalisers = try attempt("attribute normalisers") {
            try jsonObject(try group.stringAttribute("normalisers")).mapValues { ($0 as? NSNumber)?.doubleValue ?? .nan }
        }
        let parameters = try readParameters(from: group, file: file)
        var projections: [Tensor<Float>] = []
        if group.contains("omegas") {
            let g = try group.group("omegas")
            while g.contains("\(projections.count)") {
                let a = try attempt("dataset omegas/\(projections.count)") { try g.read("\(projections.count)", as: Float.self) }
                projections.append(Tensor(shape: a.shape, values: a.values))
            }
        }
        return ModelArchive(config: config, parameters: parameters, projections: projections, normalisers: normalisers)
    }

    /// `params/<name>` for every parameter, and `param_order`.
    static func writeParameters(_ p: ParameterSet<Float>, to group: H5Group) throws {
        for name in p.names {
            let t = p[name]!
            try group.write("params/" + name, t.values, shape: t.shape)
        }
        try group.setAttribute("param_order", try jsonText(p.names))
    }

    /// The parameters `writeParameters` stored, in their order (the golden files' layout too).
    public static func readParameters(from group: H5Group, file: String) throws -> ParameterSet<Float> {
        func attempt<R>(_ item: String, _ body: () throws -> R) throws -> R {
            do { return try body() } catch { throw CheckpointError.invalid(file: file, item: item, detail: "\(error)") }
        }
        let names = try attempt("attribute param_order") {
            try JSONDecoder().decode([String].self, from: Data(try group.stringAttribute("param_order").utf8))
        }
        var parameters = ParameterSet<Float>()
        for name in names {
            let a = try attempt("dataset params/\(name)") { try group.read("params/" + name, as: Float.self) }
            parameters.add(name, Tensor(shape: a.shape, values: a.values))
        }
        return parameters
    }

    static func jsonText(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    static func jsonObject(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ModelConfigError(key: "", detail: "not a JSON object")
        }
        return object
    }
}

/// A model rebuilt from its archive, ready to run.
public enum RestoredModel {
    case tree(TreeTransformer<Float>)
    case clusterNet(ClusterPowerNet<Float>)
    case tokenNet(TokenPowerNet<Float>)
}

/// The model an archive describes, with its weights and projections.
public func restoreModel(from archive: ModelArchive) -> RestoredModel {
    switch archive.config {
    case .tree(let c): .tree(TreeTransformer(config: c, parameters: archive.parameters))
    case .clusterNet(let c): .clusterNet(ClusterPowerNet(config: c, parameters: archive.parameters, omegas: archive.projections))
    case .tokenNet(let c): .tokenNet(TokenPowerNet(config: c, parameters: archive.parameters, omegas: archive.projections))
    }
}

/// Names of the normalisers an archive records (unit in the name).
public enum ModelNormaliser {
    /// The length positions are divided by before they reach the model [m] (the area side).
    public static let positionScale = "position_scale_m"
    /// The static models' UL and DL label ranges [mW] (min-max normalisation) and whether the min-max
    /// is on log10 of the powers (1) or on the powers (0).
    public static let ulLabelMin = "ul_label_min_mw", ulLabelMax = "ul_label_max_mw"
    public static let dlLabelMin = "dl_label_min_mw", dlLabelMax = "dl_label_max_mw"
    public static let logLabels = "log_labels"
}
