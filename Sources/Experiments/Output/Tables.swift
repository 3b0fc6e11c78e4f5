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

private func fmt(_ x: Double, _ digits: Int = 3) -> String { x.isFinite ? String(format: "%.\(digits)g", x) : "n/a" }
private func average(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

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
    for input in trained {
        let h5 = try input.open()
        defer { try? h5.close() }
        let model = try h5.stringAttribute("model")
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

func treeTable(_ inputs: [StageInput], id: String) throws -> TextTable {
    let groups = try resultGroups(inputs).filter { $0.source == "evaluate" && $0.sigma == 0 && !$0.learnedClusters }
    guard !groups.isEmpty else { throw PipelineError.stage(id: id, detail: "tree-table2 needs evaluate inputs of the Tree-Transformer") }
    var parameters = "n/a"
    if let train = inputs.first(where: { $0.kind == "train" }) {
        let h5 = try train.open()
        parameters = "\(try h5.dataset("n_params").readScalar(as: Int64.self))"
        try h5.close()
    }
    var t = TextTable(header: ["L", "K", "Latency (ms)", "UL SE optimal", "UL SE predicted", "DL SE optimal", "DL SE predicted"])
    var points: [(x: Double, y: Double)] = []
    for key in Set(groups.map { [$0.L, $0.K] }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
        let mine = groups.filter { $0.L == key[0] && $0.K == key[1] }
        func col(_ n: String) -> Double { average(mine.flatMap { $0.perUE[n] ?? [] }) }
        let latency = average(mine.flatMap { $0.perDrop["latency_ms"] ?? [] })
        if key[0] == 16 { points.append((Double(key[1]), latency)) }
        t.rows.append(["\(key[0])", "\(key[1])", fmt(latency), fmt(col("se_ul_opt")), fmt(col("se_ul_pred")), fmt(col("se_dl_opt")), fmt(col("se_dl_pred"))])
    }
    t.note = "\(parameters) parameters; latency grows as K^\(fmt(logLogSlope(points), 2)) at L = 16"
    return t
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
