import Foundation
import Pipeline

/// The paper's numbers a Tree figure is checked against (FigureStage's `paper_*` parameters): its
/// curve of optimal per-UE SE at `x`, the tolerance of a point, and the mean |predicted − optimal| it claims.
struct PaperCurve {
    var x: [Int], ul: [Double], dl: [Double]
    var tolerance: Double, gap: Double

    /// "agrees" when |ours − paper| ≤ tolerance.
    static func verdict(_ ours: Double, _ paper: Double, within tolerance: Double) -> String {
        guard ours.isFinite else { return "not comparable" }
        let d = ours - paper
        return abs(d) <= tolerance ? "agrees (±\(fmt(tolerance, 2)))" : String(format: "differs by %+.2f (tolerance ±%@)", d, fmt(tolerance, 2))
    }
}

/// Tree Fig. 6 (`se-vs-k-predicted`: vs K at L = 16; `se-vs-l-predicted`: vs L at K = 10): per-UE SE,
/// UL | DL, of the closed-form optimum (its max-min SE, which every UE gets) and of the model's
/// powers (two statistics, stated in the legend: the mean per-UE SE over UEs and drops, and the
/// per-drop minimum). Test groups at the lowest σ present (the Tree paper tests at σ = 5 m). The
/// finding compares the optimum with the paper's curve and the prediction with the optimum.
func treeSEPlot(_ plot: FigureStage.Plot, file: String, inputs: [StageInput], script: String, paper: PaperCurve,
                id: String) throws -> (csv: String, script: String, finding: String) {
    let all = try resultGroups(inputs).filter { $0.source == "evaluate" && !$0.learnedClusters }
    guard let sigma = all.map(\.sigma).min() else { throw PipelineError.stage(id: id, detail: "needs evaluate inputs of a static model") }
    let overL = plot == .seVsLPredicted
    // One axis varies; the other is held at the paper's value (L = 16 for Fig. 6(a), K = 10 for 6(b)).
    let groups = all.filter { $0.sigma == sigma && (overL ? $0.K == 10 : $0.L == 16) }
    guard !groups.isEmpty else { throw PipelineError.stage(id: id, detail: overL ? "needs test groups with K = 10" : "needs test groups with L = 16") }
    var c = CurvesOverK()
    if overL { (c.axis, c.axisLabel) = ("L", "Number of APs L") }
    let models = Set(groups.map(\.series)), tagged = models.count > 1
    var gaps: [String: [(x: Int, mean: Double, minimum: Double, optimal: Double)]] = [:]
    for g in groups {
        let x = overL ? g.L : g.K, tag = tagged ? "_(\(g.series))" : ""
        for dir in ["ul", "dl"] {
            let opt = g.perUE["se_\(dir)_opt"] ?? [], pred = g.perUE["se_\(dir)_pred"] ?? []
            let optimal = perDropMinima(opt, K: g.K), minimum = perDropMinima(pred, K: g.K)
            c.add("Optimal_(max-min)\(tag)_\(dir)", K: x, optimal)
            c.add("Predicted_(mean_per-UE)\(tag)_\(dir)", K: x, pred)
            c.add("Predicted_(minimum_per-UE)\(tag)_\(dir)", K: x, minimum)
            gaps["\(g.series) \(dir)", default: []].append((x, average(pred), average(minimum), average(optimal)))
        }
    }
    c.columns.sort { $0.name < $1.name }
    let panels = [("_ul", "UL per-UE SE [bit/s/Hz]"), ("_dl", "DL per-UE SE [bit/s/Hz]")]
    var finding: [String] = []
    for dir in ["ul", "dl"] {
        for model in models.sorted() {
            let points = (gaps["\(model) \(dir)"] ?? []).sorted { $0.x < $1.x }
            guard !points.isEmpty else { continue }
            let name = (tagged ? model + " " : "") + dir.uppercased()
            let paperValues = dir == "ul" ? paper.ul : paper.dl
            var parts: [String] = []
            for (x, value) in zip(paper.x, paperValues) {
                guard let ours = points.first(where: { $0.x == x })?.optimal else { continue }
                parts.append("\(c.axis) = \(x): " + String(format: "%.2f vs %.2f, ", ours, value) + "\(PaperCurve.verdict(ours, value, within: paper.tolerance))")
            }
            let meanGap = average(points.map { abs($0.mean - $0.optimal) }), minGap = average(points.map { abs($0.minimum - $0.optimal) })
            let worst = points.filter { !overL || $0.x >= 4 }.map { abs($0.mean - $0.optimal) }.max() ?? .nan
            var line = "\(name) optimal vs the paper: " + (parts.isEmpty ? "no paper point" : parts.joined(separator: "; "))
            line += String(format: "; mean over %@ of |predicted − optimal| %.3f with the mean per-UE SE (largest %.3f%@), %.3f with the minimum",
                           c.axis, meanGap, worst, overL ? " at L ≥ 4" : "", minGap)
            if paper.gap > 0 { line += " (paper: within \(fmt(paper.gap, 2)) on average: \(meanGap <= paper.gap ? "agrees" : "differs"))" }
            if overL {
                let grows = zip(points, points.dropFirst()).allSatisfy { $1.optimal > $0.optimal }
                line += "; the optimum \(grows ? "grows" : "does not grow") with L"
            }
            finding.append(line)
        }
    }
    let statistic = "Statistic: optimal = the max-min SE (every UE gets it at the optimum); predicted = mean per-UE SE and per-drop minimum, σ = \(fmt(sigma, 2)) m inputs"
    return (c.csv, c.script(script + "set label 1 '\(statistic)' at screen 0.01,0.01 font ',8'\n", file: file, panels: panels), finding.joined(separator: ". "))
}

/// The per-drop minima of [n·K] per-UE values.
func perDropMinima(_ values: [Double], K: Int) -> [Double] {
    stride(from: 0, to: values.count, by: K).map { values[$0..<($0 + K)].min()! }
}
