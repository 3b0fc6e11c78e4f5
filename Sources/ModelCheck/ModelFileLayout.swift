import Learning
import Linalg
import ModelStore

/// The parameters a config implies: a fresh model's names and shapes (its values are not used).
func impliedParameters(_ config: ModelConfig) -> ParameterSet<Float> {
    var rng = RandomStream(seed: 0, name: "verify-model-layout")
    switch config {
    case .tree(let c): return TreeTransformer<Float>(config: c, using: &rng).parameters
    case .clusterNet(let c): return ClusterPowerNet<Float>(config: c, using: &rng).parameters
    case .tokenNet(let c): return TokenPowerNet<Float>(config: c, using: &rng).parameters
    }
}

/// A golden file's inputs and targets, read before anything runs.
struct ModelFileInputs {
    var ue: Tensor<Float>, ap: Tensor<Float>, ul: Tensor<Float>, dl: Tensor<Float>
}

extension ModelFile {
    /// Checks a file against its own config before the model runs on it (a wrong shape would trap inside a
    /// kernel): `param_order` and the stored parameters are the names and shapes the config implies;
    /// `inputs/ue_pos` is [B, K, 2], `inputs/ap_pos` [B, L, 2], the targets [B, K]; the config's B, K and L,
    /// where given, are the inputs'. Throws `ModelFileError.invalid` naming the item.
    func checkLayout(_ config: ModelConfig, parameters: ParameterSet<Float>, _ x: ModelFileInputs) throws {
        let implied = impliedParameters(config)
        if parameterNames != implied.names {
            let missing = implied.names.filter { !parameterNames.contains($0) }, extra = parameterNames.filter { implied[$0] == nil }
            throw ModelFileError.invalid(file: path, item: "attribute param_order", detail: "lists \(parameterNames.count) names, the config implies "
                                         + "\(implied.names.count) in definition order" + (missing.isEmpty ? "" : "; missing \(missing.prefix(3).joined(separator: ", "))")
                                         + (extra.isEmpty ? "" : "; unknown \(extra.prefix(3).joined(separator: ", "))"))
        }
        for name in implied.names {
            guard let stored = parameters[name] else {
                throw ModelFileError.invalid(file: path, item: "dataset params/\(name)", detail: "missing")
            }
            let shape = implied[name]!.shape
            guard stored.shape == shape else {
                throw ModelFileError.invalid(file: path, item: "dataset params/\(name)", detail: "shape \(stored.shape), the config implies \(shape)")
            }
        }
        func require(_ name: String, _ t: Tensor<Float>, _ shape: [Int]) throws {
            guard t.shape == shape else { throw ModelFileError.invalid(file: path, item: "dataset \(name)", detail: "shape \(t.shape), expected \(shape)") }
        }
        guard x.ue.shape.count == 3, x.ue.shape[2] == 2, x.ue.shape[0] >= 1, x.ue.shape[1] >= 1 else {
            throw ModelFileError.invalid(file: path, item: "dataset inputs/ue_pos", detail: "shape \(x.ue.shape), expected [B, K, 2]")
        }
        let (B, K) = (x.ue.shape[0], x.ue.shape[1])
        guard x.ap.shape.count == 3, x.ap.shape[0] == B, x.ap.shape[1] >= 1, x.ap.shape[2] == 2 else {
            throw ModelFileError.invalid(file: path, item: "dataset inputs/ap_pos", detail: "shape \(x.ap.shape), expected [\(B), L, 2]")
        }
        let L = x.ap.shape[1]
        switch config {
        case .clusterNet(let c): try require("inputs/ap_pos", x.ap, [B, c.L, 2])
        case .tokenNet(let c): try require("inputs/ap_pos", x.ap, [B, c.L, 2])
        case .tree: break
        }
        try require("targets/ul", x.ul, [B, K])
        try require("targets/dl", x.dl, [B, K])
        for (key, value) in [("B", B), ("K", K), ("L", L)] where self.config[key] != nil {
            guard let n = try? integer(key), n == value else {
                throw ModelFileError.invalid(file: path, item: "config.\(key)", detail: "\(self.config[key]!) but the inputs have \(key) = \(value)")
            }
        }
    }
}
