import Foundation
import Pipeline

/// `model-sensitivity` (beyond the papers): the max-min UL / DL SE of `baselines` inputs that differ in
/// choices a paper leaves open (spatial correlation, shadowing, realizations, pilots), one row per
/// scheme and setting of the parameters that differ among the inputs, one column per K. Each cell is the
/// mean over drops of each drop's smallest per-UE SE [bit/s/Hz]; the note gives, per K, the range the
/// settings span, so a gap to a paper's number can be set against what these choices can move.
func sensitivityTable(_ inputs: [StageInput], id: String) throws -> TextTable {
    let baselines = inputs.filter { $0.kind == "baselines" }
    let names = Set(baselines.flatMap { $0.params.keys }).subtracting(["K"])
    let varying = names.filter { n in Set(baselines.map { $0.params[n]?.display ?? "" }).count > 1 }.sorted()
    guard baselines.count >= 2, !varying.isEmpty else {
        throw PipelineError.stage(id: id, detail: "model-sensitivity needs baselines inputs that differ in at least one parameter besides K")
    }
    var cells: [String: [Int: (ul: Double, dl: Double)]] = [:]   // row label → K → max-min SE
    var rows: [String] = []
    for input in baselines {
        let setting = varying.map { "\($0) = \(input.params[$0]?.display ?? "?")" }.joined(separator: ", ")
        for g in try resultGroups([input]) {
            let label = "\(schemeName(g.series).replacingOccurrences(of: "_", with: " ")): \(setting)"
            func maxMin(_ column: String) -> Double {
                let se = g.perUE[column] ?? []
                let minima = perDropMinima(se, K: g.K)
                return minima.reduce(0, +) / Double(max(1, minima.count))
            }
            if cells[label] == nil { rows.append(label) }
            cells[label, default: [:]][g.K] = (maxMin("se_ul"), maxMin("se_dl"))
        }
    }
    let ks = Set(cells.values.flatMap(\.keys)).sorted()
    var t = TextTable(header: ["Scheme: setting"] + ks.map { "K = \($0): UL / DL" })
    for label in rows {
        t.rows.append([label] + ks.map { K in cells[label]?[K].map { String(format: "%.2f / %.2f", $0.ul, $0.dl) } ?? "–" })
    }
    let spans = ks.map { K -> String in
        let v = cells.values.compactMap { $0[K] }
        return "K = \(K): UL \(fmt(v.map(\.ul).min()!))–\(fmt(v.map(\.ul).max()!)), DL \(fmt(v.map(\.dl).min()!))–\(fmt(v.map(\.dl).max()!))"
    }
    t.note = "Max-min SE [bit/s/Hz] (mean over drops of each drop's smallest per-UE SE) over the settings of "
        + varying.joined(separator: ", ") + "; these settings span " + spans.joined(separator: "; ") + "."
    return t
}
