import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Pipeline

/// A table of strings with a header, and a one-line note of what it shows.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    var note = ""

    var markdown: String {
        "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
            + rows.map { "| " + $0.joined(separator: " | ") + " |\n" }.joined()
    }

    func latex(caption: String) -> String {
        func escaped(_ s: String) -> String {
            s.replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "#", with: "\\#")
        }
        var t = "\\begin{table}[t]\n\\centering\n"
        if !caption.isEmpty { t += "\\caption{\(escaped(caption))}\n" }
        t += "\\begin{tabular}{l" + String(repeating: "r", count: header.count - 1) + "}\n\\hline\n"
        t += header.map(escaped).joined(separator: " & ") + " \\\\\n\\hline\n"
        t += rows.map { $0.map(escaped).joined(separator: " & ") + " \\\\\n" }.joined()
        return t + "\\hline\n\\end{tabular}\n\\end{table}\n"
    }
}


/// Least-squares slope of log y on log x (the exponent a of y ∝ x^a).
func logLogSlope(_ points: [(x: Double, y: Double)]) -> Double {
    let p = points.filter { $0.x > 0 && $0.y > 0 }.map { (log($0.x), log($0.y)) }
    guard p.count >= 2 else { return .nan }
    let mx = p.map(\.0).reduce(0, +) / Double(p.count), my = p.map(\.1).reduce(0, +) / Double(p.count)
    let sxy = p.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }, sxx = p.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
    return sxx > 0 ? sxy / sxx : .nan
}

func variantsTable(_ inputs: [StageInput], K: Int, id: String) throws -> TextTable {
    let trained = inputs.filter { $0.kind == "train" }
    guard !trained.isEmpty else { throw PipelineError.stage(id: id, detail: "la-table4 needs train inputs of ClusterPowerNet variants") }
    let groups = try resultGroups(inputs).filter { $0.source == "evaluate" && $0.sigma == 0 && $0.K == K }
    var t = TextTable(header: ["Model", "Parameters", "Memory (MB)", "FLOPs (M)", "Latency (ms)", "Training time (s/epoch)", "of which model steps (s/epoch)"])
    var seen = Set<String>()
    for input in trained {
        let h5 = try input.open()
        defer { try? h5.close() }
        let model = try h5.stringAttribute("model")
        // One row per model: its first train input (replica 0 of a seeds sweep); latency over every seed's evaluation.
        guard seen.insert(model).inserted else { continue }
        guard case .clusterNet(let net) = restoreModel(from: try ModelArchive.read(from: h5, file: input.path)) else { continue }
        let config = net.config
        // One training forward pass on one drop of K UEs: every value it records.
        var rng = RandomStream(seed: 1, name: "table-memory")
        let ue = Tensor<Float>(shape: [1, K, 2], values: (0..<(2 * K)).map { _ in Float(rng.uniform()) })
        let ap = Tensor<Float>(shape: [1, config.L, 2], values: (0..<(2 * config.L)).map { _ in Float(rng.uniform()) })
        let tape = Tape<Float>()
        _ = net.forward(tape, net.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
        let latency = average(groups.filter { $0.series == model }.flatMap { $0.perDrop["latency_ms"] ?? [] })
        let seconds = try h5.read("epoch_seconds", as: Double.self).values, steps = try h5.read("step_seconds", as: Double.self).values
        t.rows.append([model, "\(net.parameters.count)", fmt(Double(tape.storedBytes) / 1e6), fmt(Double(forwardFLOPs(config, K: K)) / 1e6),
                       fmt(latency), fmt(average(seconds)), fmt(average(steps))])
    }
    let fastest = t.rows.min { (Double($0[4]) ?? .infinity) < (Double($1[4]) ?? .infinity) }
    t.note = "K = \(K); lowest latency: \(fastest?[0] ?? "n/a") (\(fastest?[4] ?? "n/a") ms)"
    return t
}

/// Tree paper Table II: one row per static model (`train` + `evaluate` inputs: the Tree-Transformer
/// and its baselines), with parameters; inference latency at K = 40, L = 16 (median of timed
/// forward passes on one drop, one thread) and its ratio to the Tree's; per-UE SE at K = 40, L = 16
/// (mean over UEs and drops of the predicted powers' SE, UL, DL and their average, which is what the
/// paper's "avg. SE" 2.01 = (2.52 + 1.5)/2 is; also the per-drop minimum's average and the optimum's);
/// epochs trained and best validation loss; and the measured growth exponents a in t ∝ K^a
/// (K = 2…40, L = 16) and b in t ∝ L^b (L = 1…25, K = 10); a baseline's input width fixes L, so its
/// L timing uses a fresh model of that L (latency does not depend on the weights).
func treeTable(_ inputs: [StageInput], id: String) throws -> TextTable {
    let groups = try resultGroups(inputs).filter { $0.source == "evaluate" && !$0.learnedClusters }
    guard let sigma = groups.map(\.sigma).min() else { throw PipelineError.stage(id: id, detail: "tree-table2 needs evaluate inputs of the Tree-Transformer") }
    var models: [(name: String, time: (Int, Int) -> Double, parameters: Int)] = []
    var fits: [String: (epochs: Int, bestValidation: Double)] = [:]
    var rng = RandomStream(seed: 1, name: "table-latency")
    for input in inputs where input.kind == "train" {
        let h5 = try input.open()
        defer { try? h5.close() }
        let name = try h5.stringAttribute("model")
        let validation = try h5.read("val_loss", as: Double.self).values
        fits[name] = (validation.count, validation.filter(\.isFinite).min() ?? .nan)
        switch restoreModel(from: try ModelArchive.read(from: h5, file: input.path)) {
        case .tree(let tree): models.append((name, { K, L in medianLatency(tree, K: K, L: L) }, tree.parameters.count))
        case .tokenNet(let net):
            let fresh = Dictionary(uniqueKeysWithValues: [1, 4, 9, 25].map { L -> (Int, TokenPowerNet<Float>) in
                var c = net.config
                c.L = L
                return (L, TokenPowerNet<Float>(config: c, using: &rng))
            })
            models.append((name, { K, L in medianLatency(L == net.config.L ? net : fresh[L]!, K: K, L: L) }, net.parameters.count))
        case .clusterNet: continue
        }
    }
    guard let tree = models.first(where: { $0.name == "tree" }) else { throw PipelineError.stage(id: id, detail: "tree-table2 needs the train input of the Tree-Transformer") }
    let treeLatency = tree.time(40, 16)
    var t = TextTable(header: ["Model", "Parameters", "Latency K=40 (ms)", "Latency / Tree", "Avg. SE K=40 (bit/s/Hz)", "UL SE", "DL SE",
                               "Avg. minimum SE", "Optimal avg. SE", "Latency ∝ K^a", "Latency ∝ L^b", "Epochs", "Best validation loss"])
    var averages: [String: Double] = [:]
    var optimum = Double.nan
    for model in models {
        let mine = groups.filter { $0.series == model.name && $0.sigma == sigma && $0.K == 40 && $0.L == 16 }
        func se(_ column: String) -> Double { average(mine.flatMap { $0.perUE[column] ?? [] }) }
        let (ul, dl) = (se("se_ul_pred"), se("se_dl_pred"))
        func minimum(_ column: String) -> Double { average(mine.flatMap { perDropMinima($0.perUE[column] ?? [], K: $0.K) }) }
        let worst = (minimum("se_ul_pred") + minimum("se_dl_pred")) / 2
        averages[model.name] = (ul + dl) / 2
        if model.name == "tree" { optimum = (se("se_ul_opt") + se("se_dl_opt")) / 2 }
        let latency = model.name == "tree" ? treeLatency : model.time(40, 16)
        let overK = [2, 5, 10, 20, 40].map { (x: Double($0), y: model.time($0, 16)) }
        let overL = [1, 4, 9, 16, 25].map { (x: Double($0), y: model.time(10, $0)) }
        t.rows.append([displayName(model.name), "\(model.parameters)", fmt(latency), fmt(latency / treeLatency, 2) + "×", fmt((ul + dl) / 2), fmt(ul), fmt(dl), fmt(worst),
                       fmt((se("se_ul_opt") + se("se_dl_opt")) / 2), fmt(logLogSlope(overK), 2), fmt(logLogSlope(overL), 2),
                       "\(fits[model.name]?.epochs ?? 0)", fmt(fits[model.name]?.bestValidation ?? .nan)])
    }
    let ours = averages["tree"] ?? .nan
    let baselines = averages.filter { $0.key != "tree" }
    let beaten = baselines.filter { ours > $0.value }.count
    t.note = "Tree-Transformer average SE at K = 40, L = 16: predicted \(fmt(ours)) bit/s/Hz (paper 2.01: \(PaperCurve.verdict(ours, 2.01, within: 0.4))), "
        + "optimal \(fmt(optimum)) (\(PaperCurve.verdict(optimum, 2.01, within: 0.4))); the average counts every UE's SE, so powers that are not "
        + "max-min fair can exceed the max-min optimum while their per-drop minimum falls below it; "
        + (baselines.isEmpty ? "no baselines trained" : "it beats \(beaten) of \(baselines.count) baselines in average SE (paper: all three)")
        + "; latency at K = 40 on this CPU, one thread, σ = \(fmt(sigma, 2)) m test inputs"
    return t
}

/// The stored model names as tables show them.
private func displayName(_ model: String) -> String { ModelVariant(rawValue: model)?.displayName ?? model }

/// Median wall time [ms] of 15 forward passes on one random drop of K UEs and L APs (after 2 warm-ups).
func medianLatency<M: StaticPowerModel>(_ model: M, K: Int, L: Int) -> Double where M.Scalar == Float {
    var rng = RandomStream(seed: 2, name: "table-latency-drop")
    let ue = Tensor<Float>(shape: [1, K, 2], values: (0..<(2 * K)).map { _ in Float(rng.uniform()) })
    let ap = Tensor<Float>(shape: [1, L, 2], values: (0..<(2 * L)).map { _ in Float(rng.uniform()) })
    _ = model.normalisedPowers(ue: ue, ap: ap); _ = model.normalisedPowers(ue: ue, ap: ap)
    let times = (0..<15).map { _ in timed { model.normalisedPowers(ue: ue, ap: ap) }.1 }.sorted()
    return times[times.count / 2]
}

func runtimeTable(_ inputs: [StageInput], id: String) throws -> TextTable {
    let groups = try resultGroups(inputs).filter { $0.sigma == 0 }
    let models = Array(Set(groups.filter { $0.source == "evaluate" }.map(\.series))).sorted()
    guard !models.isEmpty, groups.contains(where: { $0.source == "baselines" }) else {
        throw PipelineError.stage(id: id, detail: "runtime needs evaluate and baselines inputs")
    }
    var t = TextTable(header: ["K", "DCC + closed form (ms)", "CF closed form (ms)"] + models.map { "\($0) (ms)" } + models.map { "speed-up of \($0) vs DCC" })
    var speedups: [Double] = []
    for K in Set(groups.map(\.K)).sorted() {
        func ms(_ source: String, _ series: String, _ column: String) -> Double {
            average(groups.filter { $0.K == K && $0.source == source && $0.series == series }.flatMap { $0.perDrop[column] ?? [] })
        }
        let dcc = ms("baselines", "dcc", "label_ms"), cf = ms("baselines", "cf", "label_ms")
        let latencies = models.map { ms("evaluate", $0, "latency_ms") }
        speedups += latencies.map { dcc / $0 }.filter(\.isFinite)
        t.rows.append(["\(K)", fmt(dcc), fmt(cf)] + latencies.map { fmt($0) } + latencies.map { fmt(dcc / $0, 2) + "×" })
    }
    t.note = "model inference vs DCC + closed form: speed-up \(fmt(speedups.min() ?? .nan, 2))× to \(fmt(speedups.max() ?? .nan, 2))× over K"
    return t
}
