import Foundation
import H5
import Pipeline

/// `loss-curves` (Tree paper Fig. 4): training and validation loss per epoch of each `train` input,
/// labelled by its model and, when they differ, its swept parameters.
func lossCurvesPlot(file: String, inputs: [StageInput], script: String, id: String) throws -> (String, String) {
    guard !inputs.isEmpty else { throw PipelineError.stage(id: id, detail: "needs train inputs") }
    var columns: [[Double]] = [], names: [String] = []
    for (i, input) in inputs.enumerated() {
        let h5 = try input.open()
        defer { try? h5.close() }
        let label = (try? h5.stringAttribute("model")) ?? "model"
        let tag = inputs.count > 1 ? "\(label)\(i)" : label
        columns.append(try h5.read("train_loss", as: Double.self).values)
        columns.append(try h5.read("val_loss", as: Double.self).values)
        names += ["\(tag)_train", "\(tag)_val"]
    }
    let epochs = columns.map(\.count).max()!
    var csv = "epoch," + names.joined(separator: ",") + "\n"
    for e in 0..<epochs {
        csv += "\(e + 1)," + columns.map { e < $0.count ? String(format: "%.6g", $0[e]) : "NaN" }.joined(separator: ",") + "\n"
    }
    var script = script
    script += "set xlabel 'Epoch'\nset ylabel 'Loss (MSE of normalised powers)'\nset logscale y\nplot "
    script += names.enumerated().map { i, n in
        "'\(file).csv' using 1:\(2 + i) with linespoints\(n.hasSuffix("_val") ? " dashtype 2" : "") title '\(n.replacingOccurrences(of: "_", with: " "))'"
    }.joined(separator: ", \\\n     ") + "\n"
    return (csv, script)
}

/// Every group of every `evaluate` input: K, σ and its datasets.
private func evaluationGroups(_ inputs: [StageInput]) throws -> [(K: Int, sigma: String, data: [String: [Double]])] {
    var out: [(K: Int, sigma: String, data: [String: [Double]])] = []
    for input in inputs {
        let h5 = try input.open()
        defer { try? h5.close() }
        for (name, kind) in try h5.members() where kind == .group {
            let g = try h5.group(name)
            var data: [String: [Double]] = [:]
            for d in ["ul_opt", "ul_pred", "dl_opt", "dl_pred", "se_ul_opt", "se_ul_pred", "se_dl_opt", "se_dl_pred"] {
                data[d] = try g.read(d, as: Double.self).values
            }
            out.append((Int(try g.stringAttribute("K")) ?? 0, try g.stringAttribute("sigma_m"), data))
        }
    }
    return out
}

/// Tree paper Fig. 5 (`power-cdf`): CDFs of the predicted and optimal UL and DL powers over all test
/// UEs; Fig. 6 (`se-vs-k-predicted`): the max-min (per-drop minimum) SE vs K, predicted powers vs
/// optimal; the CSV also holds the mean per-UE SEs.
func evaluationPlot(_ plot: String, file: String, inputs: [StageInput], script: String, id: String) throws -> (String, String) {
    let groups = try evaluationGroups(inputs)
    guard !groups.isEmpty else { throw PipelineError.stage(id: id, detail: "needs evaluate inputs") }
    var script = script
    var csv: String
    switch plot {
    case "power-cdf":
        let names = ["ul_opt", "ul_pred", "dl_opt", "dl_pred"]
        let columns = names.map { n in groups.flatMap { $0.data[n]! }.sorted() }
        let count = columns[0].count
        csv = "cdf," + names.joined(separator: ",") + "\n"
        for i in 0..<count {
            csv += String(format: "%.6g", Double(i + 1) / Double(count)) + "," + columns.map { String(format: "%.6g", $0[i]) }.joined(separator: ",") + "\n"
        }
        script += "set key bottom right\nset xlabel 'Power [mW]'\nset ylabel 'CDF'\nset logscale x\nplot "
        script += ["UL optimal", "UL predicted", "DL optimal", "DL predicted"].enumerated().map { i, t in
            "'\(file).csv' using \(2 + i):1 with lines\(t.hasSuffix("predicted") ? " dashtype 2" : "") linewidth 2 title '\(t)'"
        }.joined(separator: ", \\\n     ") + "\n"
    default:
        // Per K: the mean over drops of the minimum per-UE SE (the max-min objective), and the mean SE.
        let names = ["se_ul_opt", "se_ul_pred", "se_dl_opt", "se_dl_pred"]
        csv = "K," + names.map { "min_" + $0 }.joined(separator: ",") + "," + names.map { "mean_" + $0 }.joined(separator: ",") + "\n"
        for K in Set(groups.map(\.K)).sorted() {
            let mine = groups.filter { $0.K == K }
            let minima = names.map { n in mean(mine.flatMap { g in stride(from: 0, to: g.data[n]!.count, by: K).map { g.data[n]![$0..<$0 + K].min()! } }) }
            csv += "\(K)," + minima.joined(separator: ",") + "," + names.map { n in mean(mine.flatMap { $0.data[n]! }) }.joined(separator: ",") + "\n"
        }
        script += "set xlabel 'Number of UEs K'\nset ylabel 'Max-min SE [bit/s/Hz] (mean over drops)'\nplot "
        script += ["UL optimal", "UL predicted", "DL optimal", "DL predicted"].enumerated().map { i, t in
            "'\(file).csv' using 1:\(2 + i) with linespoints\(t.hasSuffix("predicted") ? " dashtype 2" : "") title '\(t)'"
        }.joined(separator: ", \\\n     ") + "\n"
    }
    return (csv, script)
}
