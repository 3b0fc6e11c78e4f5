import Foundation
import H5
import Pipeline

/// `loss-curves` (Tree paper Fig. 4): training and validation loss per epoch of each `train` input,
/// labelled by the `series` names or else by its model (numbered when repeated). The finding gives each curve's
/// fall from epoch 1 to the last epoch (the paper's: training 0.04 → 0.002, 20×).
func lossCurvesPlot(file: String, inputs: [StageInput], script: String, paperFall: Double, names given: [String], id: String) throws -> (csv: String, script: String, finding: String) {
    guard !inputs.isEmpty else { throw PipelineError.stage(id: id, detail: "needs train inputs") }
    guard given.isEmpty || given.count == inputs.count else {
        throw PipelineError.stage(id: id, detail: "series has \(given.count) names for \(inputs.count) train inputs")
    }
    var columns: [[Double]] = [], labels: [String] = []
    for input in inputs {
        let h5 = try input.open()
        defer { try? h5.close() }
        labels.append((try? h5.stringAttribute("model")) ?? input.kind)
        columns.append(try h5.read("train_loss", as: Double.self).values)
        columns.append(try h5.read("val_loss", as: Double.self).values)
    }
    // Repeated model names are told apart by their input position.
    let tags = given.isEmpty ? labels.enumerated().map { i, l in labels.filter { $0 == l }.count > 1 ? "\(l)\(i)" : l }
        : given.map { $0.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: ",", with: "") }
    let names = tags.flatMap { ["\($0)_train", "\($0)_val"] }
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
    let falls = tags.enumerated().map { i, tag -> String in
        let train = columns[2 * i], val = columns[2 * i + 1]
        let lowestVal = val.filter(\.isFinite).min() ?? .nan
        return String(format: "%@: training loss %.3g → %.3g (%.1f× from epoch 1), validation %.3g → %.3g (lowest %.3g, %.1f×)", tag,
                      train.first ?? .nan, train.last ?? .nan, (train.first ?? .nan) / (train.last ?? .nan),
                      val.first ?? .nan, val.last ?? .nan, lowestVal, (val.first ?? .nan) / lowestVal)
    }
    var finding = falls.joined(separator: "; ")
    if paperFall > 0, let train = columns.first, let first = train.first, let last = train.last {
        let fall = first / last
        finding += String(format: ". Paper: training loss falls %.0f×; ours %.1f×: %@", paperFall, fall,
                          fall >= paperFall / 2 ? "agrees (at least half the paper's fall)" : "differs (less than half the paper's fall)")
    }
    return (csv, script, finding)
}
