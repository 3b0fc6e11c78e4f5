import CellFree
import Foundation
import H5
import Learning
import Linalg
import Pipeline

/// A model's results on the drops of one layouts input: [n, K] columns, [n] per-drop values, and
/// the predicted clusters [n, K, L] of a clustering model.
struct EvaluationGroup {
    let K: Int, L: Int, n: Int
    var perUE: [String: [Double]] = [:]
    var perDrop: [String: [Double]] = [:]
    var clusters: [UInt8] = []
    /// True positions [m] of the drops, [n, K, 2] and [n, L, 2] (with the clusters, for maps).
    var ue: [Double] = [], ap: [Double] = []

    /// One drop's optimal and predicted UL and DL powers [mW] and the per-UE SEs they give with the
    /// same UatF terms (`labels`).
    mutating func appendPowers(_ labels: PowerLabels, ulOptimal: [Double], dlOptimal: [Double], ulPredicted: [Double], dlPredicted: [Double]) {
        for (name, values) in [("ul_opt", ulOptimal), ("ul_pred", ulPredicted), ("dl_opt", dlOptimal), ("dl_pred", dlPredicted),
                               ("se_ul_opt", labels.uplinkSE(ulOptimal)), ("se_ul_pred", labels.uplinkSE(ulPredicted)),
                               ("se_dl_opt", labels.downlinkSE(dlOptimal)), ("se_dl_pred", labels.downlinkSE(dlPredicted))] {
            perUE[name, default: []] += values
        }
    }

    /// What an evaluation group holds (`evaluate`, `ablate`): `<group>` is `K<K>_sigma<σ>` (`evaluationGroupName`).
    static let datasets: [OutputSpec] = {
        var specs: [OutputSpec] = []
        for (dir, name) in [("ul", "UL"), ("dl", "DL")] {
            specs += [OutputSpec("<group>/\(dir)_opt", dims: ["sample", "ue"], units: "mW", "closed-form max-min \(name) powers on the model's clusters (CF for static models)"),
                      OutputSpec("<group>/\(dir)_pred", dims: ["sample", "ue"], units: "mW", "the model's \(name) powers"),
                      OutputSpec("<group>/\(dir)_positions", dims: ["sample", "ue"], units: "mW",
                                 "closed-form \(name) powers from the path loss at the seen positions (no shadowing; with `references`)"),
                      OutputSpec("<group>/se_\(dir)_opt", dims: ["sample", "ue"], units: "bit/s/Hz", "\(name) SE of \(dir)_opt"),
                      OutputSpec("<group>/se_\(dir)_pred", dims: ["sample", "ue"], units: "bit/s/Hz", "\(name) SE of \(dir)_pred"),
                      OutputSpec("<group>/se_\(dir)_full", dims: ["sample", "ue"], units: "bit/s/Hz", "\(name) SE at full power on the same clusters"),
                      OutputSpec("<group>/se_\(dir)_positions", dims: ["sample", "ue"], units: "bit/s/Hz", "\(name) SE of \(dir)_positions on the true channels"),
                      OutputSpec("<group>/se_\(dir)_redraw", dims: ["sample", "ue"], units: "bit/s/Hz",
                                 "\(name) SE of the closed-form powers of independent Monte Carlo draws (the evaluation's noise floor; with `references`)"),
                      OutputSpec("<group>/\(dir)_layer", dims: ["sample", "ue"], units: "mW",
                                 "\(name) powers of the max-min power layer (ours, `evaluate` only): the closed form on MR statistics of the path loss at the seen positions"),
                      OutputSpec("<group>/se_\(dir)_layer", dims: ["sample", "ue"], units: "bit/s/Hz", "\(name) SE of \(dir)_layer on the true channels")]
        }
        return specs + [
            OutputSpec("<group>/latency_ms", dims: ["sample"], units: "ms", "inference wall time per drop (one thread)"),
            OutputSpec("<group>/labels_ms", dims: ["sample"], units: "ms", "wall time of the closed-form labels per drop"),
            OutputSpec("<group>/layer_ms", dims: ["sample"], units: "ms", "wall time of the max-min power layer per drop (one thread)"),
            OutputSpec("<group>/connections", dims: ["sample"], units: "1", "AP–UE links of the model's clusters"),
            OutputSpec("<group>/clusters", dims: ["sample", "ue", "ap"], units: "1", "the model's clusters, 0/1 links"),
            OutputSpec("<group>/ue_m", dims: ["sample", "ue", "xy"], units: "m", "true UE positions of the test drops"),
            OutputSpec("<group>/ap_m", dims: ["sample", "ap", "xy"], units: "m", "true AP positions of the test drops"),
        ]
    }()

    func write(to group: H5Group) throws {
        try group.setAttribute("K", scalar: Int64(K))
        try group.setAttribute("L", scalar: Int64(L))
        let specs = Self.datasets
        for (name, values) in perUE.sorted(by: { $0.key < $1.key }) { try group.write(specs.spec(name), values, shape: [n, K]) }
        for (name, values) in perDrop.sorted(by: { $0.key < $1.key }) { try group.write(specs.spec(name), values, shape: [n]) }
        if !clusters.isEmpty { try group.write(specs.spec("clusters"), clusters, shape: [n, K, L]) }
        if !ue.isEmpty {
            try group.write(specs.spec("ue_m"), ue, shape: [n, K, 2])
            try group.write(specs.spec("ap_m"), ap, shape: [n, L, 2])
        }
    }
}

/// The group of one test input's results: `K40_sigma5` (K, and the position error σ [m] of the drops),
/// `K40_sigma5_2` … when another test input of the same K and σ is already there.
func evaluationGroupName(K: Int, sigma: Double, in file: H5Group) throws -> String {
    let base = "K\(K)_sigma\(compactNumber(sigma))"
    let taken = Set(try file.members().map(\.name))
    var name = base, n = 2
    while taken.contains(name) { name = "\(base)_\(n)"; n += 1 }
    return name
}

/// DL powers ρ [mW] scaled so that the busiest AP of `labels`' terms spends `budget` [mW].
func perAPBudgetScaled(_ rho: [Double], on labels: PowerLabels, budget: Double) -> [Double] {
    let load = labels.downlinkTerms.apPowers(rho).max() ?? 0
    return load > 0 ? rho.map { $0 * budget / load } : rho
}

/// Wall time of `body` [ms] and its result.
func timed<R>(_ body: () throws -> R) rethrows -> (R, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = try body()
    return (r, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
}

/// Optimal UC-CF, Predicted UC-CF, full-power UC-CF (`se_*_full`), the positions-only closed form
/// (`se_*_positions`) and the closed form of independent Monte Carlo draws (`se_*_redraw`) of a
/// ClusterPowerNet on each drop (see `EvaluateStage`; without `references`, neither of these two, which cost
/// two of the three closed forms per drop); with `powerLayer`, also the powers of the
/// max-min power layer on the model's clusters (`*_layer`, `maxMinPowerLayer`).
/// Latency = forward pass + clusters (mask and coverage fallback), one drop at a time.
func evaluateClusterNet(_ model: ClusterPowerNet<Float>, drops: ClusterDrops, method: LabelMethod, streamSeed: UInt64,
                        references: Bool = true, powerLayer: Bool = false, tick: () -> Void) throws -> EvaluationGroup {
    let (K, L, c) = (drops.K, drops.L, model.config)
    var r = EvaluationGroup(K: K, L: L, n: drops.count)
    for i in 0..<drops.count {
        let setup = drops.setups[i]
        let ((D, ulW, omega, dlLevel), latency) = try timed { () throws -> (ClusterMatrix, [Float], [Float], Double?) in
            let (ue, ap) = drops.positions([i])
            let tape = Tape<Float>(recordsGradients: false)
            let out = model.forward(tape, model.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
            let D = try predictedClusters(scores: tape.value(out.clusterScores).values[...], setup: setup, config: c)
            let dlLevel = out.level.map { c.dlLevelLogWatts(Double(tape.value($0).values[1])) }
            return (D, tape.value(out.ulPower).values, tape.value(out.dlWeights).values, dlLevel)
        }
        var rng = RandomStream(seed: streamSeed, name: "evaluate", index: UInt64(i))
        let (labels, labelMs) = try timed { try powerLabels(setup, clusters: D, method: method, using: &rng) }
        // DL head (19)–(20) on the final clusters: a_kl = ω_kl·D_lk, each AP's weights capped at a sum of 1.
        var rho = [Double](repeating: 0, count: K)
        for l in 0..<L {
            let load = (0..<K).reduce(0.0) { $0 + (D[l, $1] ? Double(omega[$1 * L + l]) : 0) }
            for k in 0..<K where D[l, k] { rho[k] += setup.params.rho_tot * Double(omega[k * L + l]) / max(load, 1) }
        }
        let budget = setup.params.rho_tot
        let ul = ulW.map { Double($0) * 1000 }
        var dl = perAPBudgetScaled(rho, on: labels, budget: budget)
        if let dlLevel {   // the level head's DL level (ours), never above the per-AP budgets; ln W → ln mW
            let scale = min(levelFactor(dl, meanLog: dlLevel + Double.log(1000)), 1)
            dl = dl.map { $0 * scale }
        }
        r.appendPowers(labels, ulOptimal: labels.uplinkPowers, dlOptimal: labels.downlinkPowersPerAP, ulPredicted: ul, dlPredicted: dl)
        // Full power, the reference that needs no power control: every UE at P̄_UL; in DL equal ρ_k, the most loaded AP at P̄_DL.
        r.perUE["se_ul_full", default: []] += labels.uplinkSE([Double](repeating: setup.params.p, count: K))
        r.perUE["se_dl_full", default: []] += labels.downlinkSE(perAPBudgetScaled([Double](repeating: 1, count: K), on: labels, budget: budget))
        if references {
            // Positions-only closed form, what the physics lets a model of positions reach: the closed-form
            // powers on the same clusters for the path loss at the seen positions (no shadowing), from the
            // same Monte Carlo draws as the labels (so without shadowing and position error it is the
            // optimum exactly), scored on the true channels.
            var same = RandomStream(seed: streamSeed, name: "evaluate", index: UInt64(i))
            let told = try powerLabels(drops.positionSetup(i), clusters: D, method: method, using: &same)
            let toldDL = perAPBudgetScaled(told.downlinkPowersPerAP, on: labels, budget: budget)
            r.perUE["ul_positions", default: []] += told.uplinkPowers
            r.perUE["dl_positions", default: []] += toldDL
            r.perUE["se_ul_positions", default: []] += labels.uplinkSE(told.uplinkPowers)
            r.perUE["se_dl_positions", default: []] += labels.downlinkSE(toldDL)
            // The evaluation's Monte Carlo floor: the optimum of the same drop and clusters from independent
            // draws, scored on the labels' terms (a power vector not fitted to these very draws loses this much).
            var other = RandomStream(seed: streamSeed, name: "evaluate-redraw", index: UInt64(i))
            let redrawn = try powerLabels(setup, clusters: D, method: method, using: &other)
            r.perUE["se_ul_redraw", default: []] += labels.uplinkSE(redrawn.uplinkPowers)
            r.perUE["se_dl_redraw", default: []] += labels.downlinkSE(perAPBudgetScaled(redrawn.downlinkPowersPerAP, on: labels, budget: budget))
        }
        if powerLayer {
            let (layer, layerMs) = try timed { try maxMinPowerLayer(drops.seen[i], params: setup.params, clusters: D) }
            let layerDL = perAPBudgetScaled(layer.downlink, on: labels, budget: budget)
            r.perUE["ul_layer", default: []] += layer.uplink
            r.perUE["dl_layer", default: []] += layerDL
            r.perUE["se_ul_layer", default: []] += labels.uplinkSE(layer.uplink)
            r.perUE["se_dl_layer", default: []] += labels.downlinkSE(layerDL)
            r.perDrop["layer_ms", default: []].append(layerMs)
        }
        r.perDrop["latency_ms", default: []].append(latency)
        r.perDrop["labels_ms", default: []].append(labelMs)
        r.perDrop["connections", default: []].append(Double(D.serves.filter { $0 }.count))
        for k in 0..<K { for l in 0..<L { r.clusters.append(D[l, k] ? 1 : 0) } }
        r.ue += setup.layout.uePositions.flatMap { [$0.real, $0.imaginary] }
        r.ap += setup.layout.apPositions.flatMap { [$0.real, $0.imaginary] }
        tick()
    }
    return r
}

/// Optimal CF vs a static model's powers (the Tree-Transformer, its Table II baselines) on each drop
/// (see `EvaluateStage`).
func evaluateStatic<M: StaticPowerModel>(_ model: M, drops: ClusterDrops, scale: PowerLabelScale, method: LabelMethod,
                                         streamSeed: UInt64, tick: () -> Void) throws -> EvaluationGroup where M.Scalar == Float {
    let (K, L) = (drops.K, drops.L)
    var r = EvaluationGroup(K: K, L: L, n: drops.count)
    for i in 0..<drops.count {
        let setup = drops.setups[i]
        var rng = RandomStream(seed: streamSeed, name: "evaluate", index: UInt64(i))
        let labels = try powerLabels(setup, clusters: .full(L: L, K: K), method: method, using: &rng)
        let ((ulNorm, dlNorm), latency) = timed { () -> ([Float], [Float]) in
            let (ue, ap) = drops.positions([i])
            return model.normalisedPowers(ue: ue, ap: ap)
        }
        let ul = ulNorm.map { min(setup.params.p, scale.power(Double($0), uplink: true)) }
        let dlRaw = dlNorm.map { max(1e-12, scale.power(Double($0), uplink: false)) }
        let budget = Double(L) * setup.params.rho_tot, sum = dlRaw.reduce(0, +)
        let dl = dlRaw.map { $0 * budget / sum }
        r.appendPowers(labels, ulOptimal: labels.uplinkPowers, dlOptimal: labels.downlinkPowersTotal, ulPredicted: ul, dlPredicted: dl)
        r.perDrop["latency_ms", default: []].append(latency)
        r.perDrop["connections", default: []].append(Double(K * L))
        tick()
    }
    return r
}
