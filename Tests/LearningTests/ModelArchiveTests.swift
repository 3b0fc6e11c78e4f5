import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Testing
import TestSupport

/// A stored model comes back as the same model: config (the golden files' keys), weights, fixed
/// projections and normalisers, and the same outputs.
struct ModelArchiveTests {
    func roundTrip(_ archive: ModelArchive) throws -> ModelArchive {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let file = try H5File.create(scratch.path("model.h5"))
        try archive.write(to: file)
        try file.close()
        let again = try H5File.open(scratch.path("model.h5"))
        defer { try? again.close() }
        return try ModelArchive.read(from: again, file: "model.h5")
    }

    @Test(arguments: [AttentionKind.performer(features: 8), .cosFormer(.gelu), .slidingWindow(2), .softmax])
    func aClusterNetComesBackUnchanged(_ attention: AttentionKind) throws {
        var config = ClusterPowerNetConfig()
        (config.attention, config.L, config.dModel, config.heads, config.layers, config.dFF, config.mu) = (attention, 4, 16, 2, 2, 32, 0.3)
        var rng = RandomStream(seed: 9, name: "archive")
        let net = ClusterPowerNet<Float>(config: config, using: &rng)
        let back = try roundTrip(ModelArchive(config: .clusterNet(config), parameters: net.parameters, projections: net.omegas,
                                              normalisers: [ModelNormaliser.positionScale: 500]))
        #expect(back.normalisers == [ModelNormaliser.positionScale: 500])
        #expect(back.config.variant == attention.variantName)
        guard case .clusterNet(let restored) = restoreModel(from: back) else { Issue.record("not a ClusterPowerNet"); return }
        #expect(restored.parameters == net.parameters && restored.omegas == net.omegas)
        #expect(restored.config.mu == 0.3 && restored.config.L == 4 && restored.config.dFF == 32)
        let ue = Tensor<Float>(shape: [1, 3, 2], values: (0..<6).map { _ in Float(rng.uniform()) })
        let ap = Tensor<Float>(shape: [1, 4, 2], values: (0..<8).map { _ in Float(rng.uniform()) })
        func scores(_ m: ClusterPowerNet<Float>) -> [Float] {
            let tape = Tape<Float>(recordsGradients: false)
            return tape.value(m.forward(tape, m.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap)).clusterScores).values
        }
        #expect(scores(restored) == scores(net))
    }

    /// `power_scale: log` is stored (`log_power_floor`) and maps the UL head's output as
    /// p = f·(p_max/f)^ul_norm, the inverse of `normalisedUL`.
    @Test func aLogScaleClusterNetKeepsItsScale() throws {
        var config = ClusterPowerNetConfig()
        (config.L, config.dModel, config.heads, config.layers, config.dFF, config.logPowerFloor) = (4, 16, 2, 1, 32, 1e-6)
        var rng = RandomStream(seed: 10, name: "archive")
        let net = ClusterPowerNet<Float>(config: config, using: &rng)
        let back = try roundTrip(ModelArchive(config: .clusterNet(config), parameters: net.parameters, normalisers: [ModelNormaliser.positionScale: 500]))
        guard case .clusterNet(let restored) = restoreModel(from: back) else { Issue.record("not a ClusterPowerNet"); return }
        #expect(restored.config.logPowerFloor == 1e-6)
        let tape = Tape<Float>(recordsGradients: false)
        let out = restored.forward(tape, restored.parameters.bind(tape), ue: tape.constant(Tensor(shape: [1, 3, 2], values: [0.1, 0.2, 0.5, 0.5, 0.9, 0.3])),
                                   ap: tape.constant(Tensor(shape: [1, 4, 2], values: [0.25, 0.25, 0.75, 0.25, 0.25, 0.75, 0.75, 0.75])))
        for (norm, watts) in zip(tape.value(out.ulNorm).values, tape.value(out.ulPower).values) {
            #expect(abs(config.normalisedUL(Double(watts)) - Double(norm)) < 1e-5)
        }
        #expect(abs(config.normalisedUL(1e-6)) < 1e-12 && abs(config.normalisedUL(0.1) - 1) < 1e-12 && config.normalisedUL(1e-9) == 0)
        var bad = ModelConfig.clusterNet(config).json
        bad["log_power_floor"] = -1.0
        #expect(throws: ModelConfigError.self) { try ModelConfig(json: bad) }
    }

    /// The max-min gap weight (`sinr_weight`) and temperature, and the quantile weight, are stored and
    /// checked on reading.
    @Test func aGapWeightedClusterNetKeepsItsLossSettings() throws {
        var config = ClusterPowerNetConfig()
        (config.L, config.dModel, config.heads, config.layers, config.dFF, config.sinrWeight, config.sinrTemperature) = (4, 16, 2, 1, 32, 0.3, 0.2)
        config.quantileWeight = 0.5
        var rng = RandomStream(seed: 11, name: "archive")
        let net = ClusterPowerNet<Float>(config: config, using: &rng)
        let back = try roundTrip(ModelArchive(config: .clusterNet(config), parameters: net.parameters, normalisers: [ModelNormaliser.positionScale: 500]))
        guard case .clusterNet(let restored) = restoreModel(from: back) else { Issue.record("not a ClusterPowerNet"); return }
        #expect(restored.config == config)
        var bad = ModelConfig.clusterNet(config).json
        bad["sinr_temp"] = 0.0
        #expect(throws: ModelConfigError.self) { try ModelConfig(json: bad) }
        var negative = ModelConfig.clusterNet(config).json
        negative["quantile_weight"] = -1.0
        #expect(throws: ModelConfigError.self) { try ModelConfig(json: negative) }
    }

    /// Log-distance inputs (ours): the embedding takes L more features, ½·log10 of each UE–AP distance
    /// on the unit square with wrap-around (3-4-5 triangles: ½·log10 0.5, and ½·log10 0.25 for an AP at
    /// (0.8, 0.85), 0.15 and 0.2 away across the edges), and the stored model keeps them.
    @Test func distanceFeaturesWidenTheInputAndAreStored() throws {
        var config = ClusterPowerNetConfig()
        (config.L, config.dModel, config.heads, config.layers, config.dFF, config.distanceFeatures) = (2, 16, 2, 1, 32, true)
        #expect(config.inputWidth == 2 * 3 + 2)
        var rng = RandomStream(seed: 12, name: "archive")
        let net = ClusterPowerNet<Float>(config: config, using: &rng)
        #expect(net.parameters["embed.W"]?.shape.contains(8) == true)
        let back = try roundTrip(ModelArchive(config: .clusterNet(config), parameters: net.parameters, normalisers: [ModelNormaliser.positionScale: 500]))
        guard case .clusterNet(let restored) = restoreModel(from: back) else { Issue.record("not a ClusterPowerNet"); return }
        #expect(restored.config == config && back.config.json["distance_features"] as? Bool == true)
        let ue = Tensor<Float>(shape: [1, 1, 2], values: [0, 0]), ap = Tensor<Float>(shape: [1, 2, 2], values: [0.3, 0.4, 0.8, 0.85])
        let tape = Tape<Float>(recordsGradients: false)
        let out = restored.forward(tape, restored.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
        #expect(tape.value(out.ulPower).values.count == 1)
        let features = logDistances(ue, ap).values
        #expect(abs(Double(features[0]) - 0.5 * Double.log10(0.5)) < 1e-6 && abs(Double(features[1]) - 0.5 * Double.log10(0.25)) < 1e-6)
        var plain = config
        plain.distanceFeatures = false
        #expect(ModelConfig.clusterNet(plain).json["distance_features"] == nil)
    }

    /// Relative log powers (ours, `power_scale: log-relative`): stored, and the UL output of every drop
    /// has its strongest UE at p_ul_max with the ratios of f·(p_max/f)^ul_norm.
    @Test func relativePowersPutTheStrongestUEAtFullPower() throws {
        var config = ClusterPowerNetConfig()
        (config.L, config.dModel, config.heads, config.layers, config.dFF) = (2, 16, 2, 1, 32)
        (config.logPowerFloor, config.relativePowers) = (1e-6, true)
        var rng = RandomStream(seed: 14, name: "archive")
        let net = ClusterPowerNet<Float>(config: config, using: &rng)
        let back = try roundTrip(ModelArchive(config: .clusterNet(config), parameters: net.parameters, normalisers: [ModelNormaliser.positionScale: 500]))
        guard case .clusterNet(let restored) = restoreModel(from: back) else { Issue.record("not a ClusterPowerNet"); return }
        #expect(restored.config == config && back.config.json["relative_powers"] as? Bool == true)
        let ue = Tensor<Float>(shape: [2, 3, 2], values: (0..<12).map { _ in Float(rng.uniform()) })
        let ap = Tensor<Float>(shape: [2, 2, 2], values: [0.25, 0.25, 0.75, 0.75, 0.25, 0.25, 0.75, 0.75])
        let tape = Tape<Float>(recordsGradients: false)
        let out = restored.forward(tape, restored.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
        let p = tape.value(out.ulPower).values, norm = tape.value(out.ulNorm).values
        for b in 0..<2 {
            let row = Array(p[(3 * b)..<(3 * b + 3)]), strongest = (3 * b..<(3 * b + 3)).max { norm[$0] < norm[$1] }!
            #expect(abs(Double(row.max()!) - 0.1) < 1e-7)
            for k in 0..<3 {   // p_k / p_max = (p_max/f)^(norm_k − norm_max)
                let expected = 0.1 * Double.pow(0.1 / 1e-6, Double(norm[3 * b + k] - norm[strongest]))
                #expect(abs(Double(row[k]) - expected) < 1e-5 * 0.1)
            }
        }
    }

    /// The level head (ours, `power_scale: log-relative-level`): stored; every other parameter starts as
    /// without it; each drop's UL powers are the anchored ones (strongest at p_ul_max) times
    /// min(level factor, 1), so the mean of ln p is the predicted level unless that would put a UE above
    /// p_ul_max; its loss term is the MSE of its levels against the labels' row means, and it leaves the
    /// gradient of every other parameter as it was (the head is detached).
    @Test func levelHeadScalesEachDropToItsPredictedLevel() throws {
        var config = ClusterPowerNetConfig()
        (config.L, config.dModel, config.heads, config.layers, config.dFF, config.dropout) = (2, 16, 2, 1, 32, 0)
        (config.logPowerFloor, config.relativePowers) = (1e-6, true)
        var plain = config
        config.levelHead = true
        var rng = RandomStream(seed: 16, name: "archive"), same = rng
        let net = ClusterPowerNet<Float>(config: config, using: &rng), without = ClusterPowerNet<Float>(config: plain, using: &same)
        #expect(net.parameters.names == without.parameters.names + ["level_head.W", "level_head.b"])
        #expect(without.parameters.names.allSatisfy { net.parameters[$0] == without.parameters[$0] })
        let back = try roundTrip(ModelArchive(config: .clusterNet(config), parameters: net.parameters, normalisers: [ModelNormaliser.positionScale: 500]))
        guard case .clusterNet(let restored) = restoreModel(from: back) else { Issue.record("not a ClusterPowerNet"); return }
        #expect(restored.config == config && back.config.json["level_head"] as? Bool == true)
        plain.relativePowers = false
        var json = ModelConfig.clusterNet(plain).json
        json["level_head"] = true
        #expect(throws: ModelConfigError.self) { try ModelConfig(json: json) }

        let (B, K) = (2, 4)
        let ue = Tensor<Float>(shape: [B, K, 2], values: (0..<(2 * B * K)).map { _ in Float(rng.uniform()) })
        let ap = Tensor<Float>(shape: [B, 2, 2], values: [0.25, 0.25, 0.75, 0.75, 0.25, 0.25, 0.75, 0.75])
        let ulTarget = Tensor<Float>(shape: [B, K], values: (0..<(B * K)).map { _ in Float(rng.uniform()) })
        let dlTarget = Tensor<Float>(shape: [B, K], values: (0..<(B * K)).map { _ in Float(rng.uniform()) })
        let se = Tensor<Float>(shape: [B, K], values: [Float](repeating: 1, count: B * K))
        func lossAndGradients(_ model: ClusterPowerNet<Float>) -> (Float, [String: Tensor<Float>], ClusterPowerNet<Float>.Outputs, Tape<Float>) {
            let tape = Tape<Float>()
            let bound = model.parameters.bind(tape)
            let out = model.forward(tape, bound, ue: tape.constant(ue), ap: tape.constant(ap))
            let loss = model.loss(tape, out, ulTarget: ulTarget, dlTarget: dlTarget, se: se).total
            tape.backward(loss)
            var g: [String: Tensor<Float>] = [:]
            for name in model.parameters.names { g[name] = tape.gradient(bound[name]) }
            return (tape.value(loss).values[0], g, out, tape)
        }
        let (withLoss, withGradients, out, tape) = lossAndGradients(net), (plainLoss, plainGradients, plainOut, plainTape) = lossAndGradients(without)
        for name in without.parameters.names {
            #expect(withGradients[name]?.values == plainGradients[name]?.values, "\(name)")
        }
        #expect((withGradients["level_head.W"]?.values.map(abs).max() ?? 0) > 0)
        let level = tape.value(out.level!).values
        var term = 0.0
        for (j, target) in [ulTarget, dlTarget].enumerated() {
            for b in 0..<B {
                let mean = target.values[(K * b)..<(K * b + K)].reduce(0) { $0 + Double($1) } / Double(K)
                term += Double.pow(Double(level[2 * b + j]) - mean, 2) / Double(2 * B)
            }
        }
        #expect(abs(Double(withLoss - plainLoss) - term) < 1e-5, "level term \(withLoss - plainLoss) vs \(term)")
        let p = tape.value(out.ulPower).values.map(Double.init), anchored = plainTape.value(plainOut.ulPower).values.map(Double.init)
        for b in 0..<B {
            let rows = (K * b)..<(K * b + K), meanLog = rows.reduce(0) { $0 + Double.log(anchored[$1]) } / Double(K)
            let scale = min(Double.exp(config.ulLevelLogWatts(Double(level[2 * b])) - meanLog), 1)
            #expect(rows.allSatisfy { abs(p[$0] - scale * anchored[$0]) <= 1e-5 * anchored[$0] })
        }
        // 1 and 100 mW to a mean ln p of ln 1 mW: factor 1/10; no positive power: 1.
        #expect(abs(levelFactor([1, 100, 0], meanLog: 0) - 0.1) < 1e-15 && levelFactor([0, 0], meanLog: 1) == 1)
    }

    /// Fourier position features (ours, `fourier_harmonics`): 4H more inputs, stored; at (1/8, 1/4) the
    /// first harmonic is (sin π/4, cos π/4, 1, 0) and the second (1, 0, 0, −1); a shift by the side
    /// (the wrap-around) changes nothing.
    @Test func fourierFeaturesArePeriodicAndStored() throws {
        var config = ClusterPowerNetConfig()
        (config.L, config.dModel, config.heads, config.layers, config.dFF, config.fourierHarmonics) = (2, 16, 2, 1, 32, 2)
        #expect(config.inputWidth == 2 * 3 + 8)
        var rng = RandomStream(seed: 15, name: "archive")
        let net = ClusterPowerNet<Float>(config: config, using: &rng)
        let back = try roundTrip(ModelArchive(config: .clusterNet(config), parameters: net.parameters, normalisers: [ModelNormaliser.positionScale: 500]))
        guard case .clusterNet(let restored) = restoreModel(from: back) else { Issue.record("not a ClusterPowerNet"); return }
        #expect(restored.config == config && back.config.json["fourier_harmonics"] as? Int == 2)
        let f = fourierFeatures(Tensor<Double>(shape: [1, 2, 2], values: [0.125, 0.25, 1.125, -0.75]), harmonics: 2).values
        let expected: [Double] = [(0.5).squareRoot(), (0.5).squareRoot(), 1, 0, 1, 0, 0, -1]
        #expect(zip(f[0..<8], expected).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(f[0..<8], f[8..<16]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func aTreeComesBackWithItsLabelRange() throws {
        var config = TreeTransformerConfig()
        (config.dEnc, config.dModel, config.dFF, config.pDLTotal) = (8, 16, 32, 1.6)
        var rng = RandomStream(seed: 4, name: "archive-tree")
        let tree = TreeTransformer<Float>(config: config, using: &rng)
        let back = try roundTrip(ModelArchive(config: .tree(config), parameters: tree.parameters,
                                              normalisers: [ModelNormaliser.dlLabelMin: 0.5, ModelNormaliser.dlLabelMax: 90]))
        guard case .tree(let restored) = restoreModel(from: back) else { Issue.record("not a Tree-Transformer"); return }
        #expect(restored.parameters == tree.parameters && restored.config.dFF == 32 && restored.config.pDLTotal == 1.6)
        #expect(back.normalisers[ModelNormaliser.dlLabelMax] == 90 && back.config.variant == "tree_transformer")
    }

    /// The golden files' `config` reads into the same type, and writes back every key they hold.
    @Test func goldenConfigsReadAndWriteBack() throws {
        for name in ["performer_small", "tree_transformer_small", "longformer_small"] {
            let file = try H5File.open(Fixtures.model(name + ".h5"))
            defer { try? file.close() }
            let json = try JSONSerialization.jsonObject(with: Data(try file.stringAttribute("config").utf8)) as! [String: Any]
            let config = try ModelConfig(json: json)
            #expect(config.variant == json["variant"] as? String)
            for (key, value) in config.json where key != "dropout" {
                #expect((json[key] as? NSObject)?.isEqual(value) == true, "\(name): \(key) = \(value) vs \(json[key] ?? "absent")")
            }
        }
    }
}
