import Foundation
import Learning

/// What a stored model is: the Tree-Transformer or a ClusterPowerNet of one attention variant, with
/// every setting. Stored as the JSON object of the golden files' `config` attribute
/// (golden/models/README.md: `variant`, `L`, `d_model`, `n_heads`, `n_layers`, `d_ff`, `tau_p`, `mu`,
/// `p_ul_min`, `p_ul_max`, `p_ap_dl`, `dl_norm_min`, `dl_norm_max`, `lam`, `fair_temp`, `performer_m`,
/// `window`; Tree: `d_enc`, `p_dl_min`, `p_dl_max`, `p_dl_total`), so our models and the golden ones
/// are read by the same code. Powers in W, as the models compute them.
public enum ModelConfig {
    case tree(TreeTransformerConfig)
    case clusterNet(ClusterPowerNetConfig)
    /// A Table II baseline of the Tree paper (`token_transformer`, `token_cosformer`, `token_performer`).
    case tokenNet(TokenPowerNetConfig)

    /// The variant name: `tree_transformer`, a golden ClusterPowerNet variant, or `cosformer_<φ>` for a
    /// cosFormer with another feature map (the ablation's).
    public var variant: String {
        switch self {
        case .tree: "tree_transformer"
        case .clusterNet(let c): c.attention.variantName
        case .tokenNet(let c): c.attention.tokenVariantName
        }
    }

    /// The JSON object (keys as the golden files').
    public var json: [String: Any] {
        switch self {
        case .tree(let c):
            return ["variant": variant, "d_enc": c.dEnc, "d_model": c.dModel, "n_heads": c.heads, "n_layers": c.layers, "d_ff": c.dFF,
                    "p_ul_min": c.pULMin, "p_ul_max": c.pULMax, "p_dl_min": c.pDLMin, "p_dl_max": c.pDLMax, "p_dl_total": c.pDLTotal,
                    "dropout": c.dropout]
        case .clusterNet(let c):
            var json: [String: Any] = [
                "variant": variant, "L": c.L, "d_model": c.dModel, "n_heads": c.heads, "n_layers": c.layers, "d_ff": c.dFF,
                "tau_p": c.tau_p, "mu": c.mu, "p_ul_min": c.pULMin, "p_ul_max": c.pULMax, "p_ap_dl": c.pAP,
                "dl_norm_min": c.dlNormMin, "dl_norm_max": c.dlNormMax, "lam": c.lambda, "fair_temp": c.fairTemperature,
                "dropout": c.dropout,
            ]
            if case .performer(let m) = c.attention { json["performer_m"] = m }
            if case .slidingWindow(let w) = c.attention { json["window"] = w }
            if c.logPowerFloor > 0 { json["log_power_floor"] = c.logPowerFloor }
            if c.relativePowers { json["relative_powers"] = true }
            if c.levelHead { json["level_head"] = true }
            if c.sinrWeight > 0 { (json["sinr_weight"], json["sinr_temp"]) = (c.sinrWeight, c.sinrTemperature) }
            if c.distanceFeatures { json["distance_features"] = true }
            if c.fourierHarmonics > 0 { json["fourier_harmonics"] = c.fourierHarmonics }
            if c.quantileWeight > 0 { json["quantile_weight"] = c.quantileWeight }
            return json
        case .tokenNet(let c):
            var json: [String: Any] = [
                "variant": variant, "L": c.L, "d_model": c.dModel, "n_heads": c.heads, "n_layers": c.layers, "d_ff": c.dFF,
                "post_norm": c.postNorm, "p_ul_min": c.pULMin, "p_ul_max": c.pULMax, "p_dl_min": c.pDLMin, "p_dl_max": c.pDLMax,
                "p_dl_total": c.pDLTotal, "dropout": c.dropout,
            ]
            if case .performer(let m) = c.attention { json["performer_m"] = m }
            return json
        }
    }

    /// The largest width or count a config may name (d_model, d_ff, L, …): far above any model here, low
    /// enough that a damaged file cannot ask for terabytes.
    public static let largestDimension = 1 << 16

    /// Reads a `config` object; `item` names the failing key (for the caller's error).
    public init(json: [String: Any]) throws {
        func value(_ key: String) throws -> NSNumber {
            guard let v = json[key] as? NSNumber else { throw ModelConfigError(key: key, detail: "missing or not a number") }
            return v
        }
        /// A width or count of the architecture: a whole number in 1...`ModelConfig.largestDimension`.
        func dimension(_ key: String) throws -> Int {
            let v = try value(key)
            guard v.doubleValue == v.doubleValue.rounded(), (1...ModelConfig.largestDimension).contains(v.intValue) else {
                throw ModelConfigError(key: key, detail: "\(v) is not a whole number in 1...\(ModelConfig.largestDimension)")
            }
            return v.intValue
        }
        /// n_heads must divide d_model (each head has d_model / n_heads channels).
        func checkHeads(_ heads: Int, _ dModel: Int) throws {
            guard dModel % heads == 0 else { throw ModelConfigError(key: "n_heads", detail: "\(heads) does not divide d_model = \(dModel)") }
        }
        func number(_ key: String) throws -> Double { try value(key).doubleValue }
        guard let variant = json["variant"] as? String else { throw ModelConfigError(key: "variant", detail: "missing or not a string") }
        if variant == "tree_transformer" {
            var c = TreeTransformerConfig()
            (c.dEnc, c.dModel, c.heads, c.layers, c.dFF) = (try dimension("d_enc"), try dimension("d_model"), try dimension("n_heads"),
                                                            try dimension("n_layers"), try dimension("d_ff"))
            try checkHeads(c.heads, c.dModel)
            (c.pULMin, c.pULMax, c.pDLMin, c.pDLMax, c.pDLTotal) = (try number("p_ul_min"), try number("p_ul_max"), try number("p_dl_min"),
                                                                    try number("p_dl_max"), try number("p_dl_total"))
            if json["dropout"] != nil { c.dropout = try number("dropout") }
            self = .tree(c)
            return
        }
        if variant.hasPrefix(AttentionKind.tokenPrefix) {
            var c = TokenPowerNetConfig()
            guard let attention = AttentionKind(tokenVariantName: variant, performerFeatures: json["performer_m"] == nil ? 256 : try dimension("performer_m")) else {
                throw ModelConfigError(key: "variant", detail: "unknown variant \"\(variant)\"")
            }
            c.attention = attention
            (c.L, c.dModel, c.heads, c.layers, c.dFF) = (try dimension("L"), try dimension("d_model"), try dimension("n_heads"), try dimension("n_layers"),
                                                         try dimension("d_ff"))
            try checkHeads(c.heads, c.dModel)
            guard let postNorm = json["post_norm"] as? Bool else { throw ModelConfigError(key: "post_norm", detail: "missing or not a boolean") }
            c.postNorm = postNorm
            (c.pULMin, c.pULMax, c.pDLMin, c.pDLMax, c.pDLTotal) = (try number("p_ul_min"), try number("p_ul_max"), try number("p_dl_min"),
                                                                    try number("p_dl_max"), try number("p_dl_total"))
            if json["dropout"] != nil { c.dropout = try number("dropout") }
            self = .tokenNet(c)
            return
        }
        var c = ClusterPowerNetConfig()
        let features = variant == "performer" ? try dimension("performer_m") : 256, window = variant == "longformer" ? try dimension("window") : 4
        guard let attention = AttentionKind(variantName: variant, performerFeatures: features, window: window) else {
            throw ModelConfigError(key: "variant", detail: "unknown variant \"\(variant)\"")
        }
        c.attention = attention
        (c.L, c.dModel, c.heads, c.layers, c.dFF, c.tau_p) = (try dimension("L"), try dimension("d_model"), try dimension("n_heads"),
                                                              try dimension("n_layers"), try dimension("d_ff"), try dimension("tau_p"))
        try checkHeads(c.heads, c.dModel)
        (c.mu, c.pULMin, c.pULMax, c.pAP) = (try number("mu"), try number("p_ul_min"), try number("p_ul_max"), try number("p_ap_dl"))
        (c.dlNormMin, c.dlNormMax, c.lambda, c.fairTemperature) = (try number("dl_norm_min"), try number("dl_norm_max"), try number("lam"),
                                                                   try number("fair_temp"))
        if json["dropout"] != nil { c.dropout = try number("dropout") }
        if json["log_power_floor"] != nil {
            c.logPowerFloor = try number("log_power_floor")
            guard c.logPowerFloor > 0, c.logPowerFloor < c.pULMax else {
                throw ModelConfigError(key: "log_power_floor", detail: "\(c.logPowerFloor) W is not in (0, p_ul_max = \(c.pULMax) W)")
            }
        }
        if json["sinr_weight"] != nil {
            (c.sinrWeight, c.sinrTemperature) = (try number("sinr_weight"), try number("sinr_temp"))
            guard c.sinrWeight >= 0, c.sinrTemperature > 0 else {
                throw ModelConfigError(key: "sinr_weight", detail: "needs sinr_weight ≥ 0 and sinr_temp > 0, got \(c.sinrWeight), \(c.sinrTemperature)")
            }
        }
        if let flag = json["relative_powers"] {
            guard let on = flag as? Bool, !on || c.logPowerFloor > 0 else {
                throw ModelConfigError(key: "relative_powers", detail: "needs a boolean, and log_power_floor when true")
            }
            c.relativePowers = on
        }
        if let flag = json["level_head"] {
            guard let on = flag as? Bool, !on || c.relativePowers else {
                throw ModelConfigError(key: "level_head", detail: "needs a boolean, and relative_powers when true")
            }
            c.levelHead = on
        }
        if json["fourier_harmonics"] != nil { c.fourierHarmonics = try dimension("fourier_harmonics") }
        if json["quantile_weight"] != nil {
            c.quantileWeight = try number("quantile_weight")
            guard c.quantileWeight >= 0, c.quantileWeight.isFinite else {
                throw ModelConfigError(key: "quantile_weight", detail: "\(c.quantileWeight) is not a finite weight ≥ 0")
            }
        }
        if let flag = json["distance_features"] {
            guard let on = flag as? Bool else { throw ModelConfigError(key: "distance_features", detail: "not a boolean") }
            c.distanceFeatures = on
        }
        self = .clusterNet(c)
    }
}

/// A `config` entry that is missing or of the wrong type.
public struct ModelConfigError: Error, CustomStringConvertible {
    public let key: String, detail: String
    public var description: String { "config.\(key): \(detail)" }
}

extension AttentionKind {
    /// The stored name: the golden variants', or `cosformer_<φ>` for other cosFormer feature maps.
    public var variantName: String {
        switch self {
        case .cosFormer(.eluPlusOne): "elu_cosformer"
        case .cosFormer(.relu): "cosformer_relu"
        case .cosFormer(let phi): "cosformer_" + phi.rawValue
        case .softmax: "transformer_softmax"
        case .performer: "performer"
        case .slidingWindow: "longformer"
        }
    }

    /// Names of the Tree paper's Table II baselines: `token_transformer` (softmax), `token_cosformer`
    /// (ReLU map), `token_performer`, or `token_<variantName>` for another core.
    public static let tokenPrefix = "token_"
    public var tokenVariantName: String {
        switch self {
        case .softmax: Self.tokenPrefix + "transformer"
        case .cosFormer(.relu): Self.tokenPrefix + "cosformer"
        case .performer: Self.tokenPrefix + "performer"
        default: Self.tokenPrefix + variantName
        }
    }

    /// `tokenVariantName`'s inverse.
    public init?(tokenVariantName name: String, performerFeatures m: Int = 256) {
        guard name.hasPrefix(Self.tokenPrefix) else { return nil }
        switch name.dropFirst(Self.tokenPrefix.count) {
        case "transformer": self = .softmax
        case "cosformer": self = .cosFormer(.relu)
        case "performer": self = .performer(features: m)
        case let rest: self.init(variantName: String(rest), performerFeatures: m)
        }
    }

    /// The attention a stored name describes (`variantName`'s inverse).
    public init?(variantName name: String, performerFeatures m: Int = 256, window w: Int = 4) {
        if let kind = AttentionKind(variant: name, performerFeatures: m, window: w) {
            self = kind
        } else if name.hasPrefix("cosformer_"), let phi = Activation(rawValue: String(name.dropFirst("cosformer_".count))) {
            self = .cosFormer(phi)
        } else {
            return nil
        }
    }
}
