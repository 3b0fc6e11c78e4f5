import CellFree
import Foundation
import Pipeline

/// The display name of a baseline scheme.
func schemeName(_ s: String) -> String {
    ["cf": "Optimal_CF", "dcc": "DCC", "book-dcc": "book_DCC", "gain-ranked": "gain-ranked_UC_(τp_cap)", "distance-ranked": "distance-ranked_UC_(τp_cap)",
     "max-min-refined": "max-min-refined_UC_(τp_cap)", "positions-refined": "positions-refined_UC_(τp_cap)"][s] ?? s
}

/// Figures over K of the linear-attention and Tree papers from `baselines`, `evaluate` and `ablate`
/// results (σ = 0 groups unless the plot is about σ). SE curves show the max-min SE, the SE every UE
/// of a drop gets (its minimum over UEs), averaged over drops: at the closed-form optimum all UEs
/// have it; a model's predicted powers give some UEs more, which the mean would count as a gain.
/// - `se-vs-k` (LA Fig. 5): the baselines' schemes (Optimal CF, DCC, gain- and distance-ranked UC),
///   Optimal and Predicted UC-CF (clustering models) and the references of `evaluate` (full power, the
///   positions-only and re-drawn closed forms, the max-min power layer when evaluated), UL | DL.
/// - `connections-vs-k` (LA Fig. 6): AP–UE links | APs per UE.
/// - `robustness` (LA Fig. 9): Predicted UC-CF per position error σ.
/// - `variants` (LA Fig. 10) and `ablation` (LA Fig. 4): Predicted UC-CF per model / feature map φ,
///   the mean over seeds (replicas) with error bars from the lowest to the highest seed's value.
/// - `latency-vs-k` (inference per drop, every model) and `label-cost-vs-k` (clusters + closed form), log-log.
/// The finding (`LearnedFindings`) checks the paper's claim about the figure against the curves.
func curvesPlot(_ plot: String, file: String, inputs: [StageInput], script: String,
                id: String) throws -> (csv: String, script: String, finding: String) {
    let groups = try resultGroups(inputs)
    guard !groups.isEmpty else { throw PipelineError.stage(id: id, detail: "needs baselines, evaluate or ablate inputs") }
    let clean = groups.filter { $0.sigma == 0 }
    var c = CurvesOverK()
    let models = Set(clean.filter { $0.source != "baselines" }.map(\.series))
    func tag(_ g: ResultGroup) -> String { models.count > 1 ? "_(\(g.series))" : "" }
    func minima(_ g: ResultGroup, _ column: String) -> [Double] { perDropMinima(g.perUE[column] ?? [], K: g.K) }
    let sePanels = [("_ul", "UL max-min SE [bit/s/Hz]"), ("_dl", "DL max-min SE [bit/s/Hz]")]
    switch plot {
    case "se-vs-k":
        for g in clean {
            for dir in ["ul", "dl"] {
                if g.source == "baselines" {
                    c.add("\(schemeName(g.series))_\(dir)", K: g.K, minima(g, "se_\(dir)"))
                } else if g.learnedClusters {
                    c.add("Optimal_UC-CF\(tag(g))_\(dir)", K: g.K, minima(g, "se_\(dir)_opt"))
                    c.add("Predicted_UC-CF\(tag(g))_\(dir)", K: g.K, minima(g, "se_\(dir)_pred"))
                    if g.perUE["se_\(dir)_full"] != nil { c.add("Full-power_UC-CF\(tag(g))_\(dir)", K: g.K, minima(g, "se_\(dir)_full")) }
                    if g.perUE["se_\(dir)_positions"] != nil {
                        c.add("Positions-only_closed_form_UC-CF\(tag(g))_\(dir)", K: g.K, minima(g, "se_\(dir)_positions"))
                    }
                    if g.perUE["se_\(dir)_redraw"] != nil {
                        c.add("Re-drawn_closed_form_UC-CF\(tag(g))_\(dir)", K: g.K, minima(g, "se_\(dir)_redraw"))
                    }
                    if g.perUE["se_\(dir)_layer"] != nil { c.add("Power-layer_UC-CF\(tag(g))_\(dir)", K: g.K, minima(g, "se_\(dir)_layer")) }
                }
            }
        }
        return (c.csv, c.script(script, file: file, panels: sePanels), seVsKFinding(c))
    case "connections-vs-k":
        for g in clean where g.source == "baselines" || g.learnedClusters {
            let name = g.source == "baselines" ? schemeName(g.series) : "UC-CF\(tag(g))"
            let links = g.perDrop["connections"] ?? []
            c.add("\(name)_links", K: g.K, links)
            c.add("\(name)_aps", K: g.K, links.map { $0 / Double(g.K) })
        }
        let L = clean.first?.L ?? 0
        return (c.csv, c.script(script, file: file, panels: [("_links", "AP–UE connections"), ("_aps", "APs per UE")]),
                connectionsFinding(c, L: L, tau_p: NetworkParameters.papers(L: max(L, 1), K: 1).tau_p))
    case "robustness":
        for g in groups.sorted(by: { $0.sigma < $1.sigma }) where g.learnedClusters {
            for dir in ["ul", "dl"] { c.add("sigma_=_\(compactNumber(g.sigma))_m\(tag(g))_\(dir)", K: g.K, minima(g, "se_\(dir)_pred")) }
        }
        return (c.csv, c.script(script, file: file, panels: sePanels), robustnessFinding(c, sigmas: Set(groups.map(\.sigma)).sorted()))
    case "variants", "ablation":
        // The seeds (replicas) of one model are groups of one series: the mean over seeds, error bars from the lowest to the highest.
        var perSeed: [String: [Int: [Double]]] = [:]
        var order: [String] = []
        for g in clean where g.learnedClusters {
            let name = g.series.hasPrefix("cosformer_") && plot == "ablation" ? String(g.series.dropFirst("cosformer_".count)) : g.series
            for dir in ["ul", "dl"] {
                let column = "\(name)_\(dir)"
                if perSeed[column] == nil { order.append(column) }
                perSeed[column, default: [:]][g.K, default: []].append(average(minima(g, "se_\(dir)_pred")))
            }
        }
        let seeds = perSeed.values.flatMap { $0.values.map(\.count) }.max() ?? 0
        for column in order { for (K, values) in perSeed[column]! { c.add(column, K: K, values) } }
        if seeds > 1 {
            for column in order {
                for (K, values) in perSeed[column]! {
                    c.add(column + "_min", K: K, [values.min()!])
                    c.add(column + "_max", K: K, [values.max()!])
                }
            }
        }
        return (c.csv, c.script(script, file: file, panels: sePanels),
                bestSeriesFinding(c, series: order, seeds: seeds, expected: plot == "ablation" ? "elu" : "elu_cosformer"))
    case "latency-vs-k":
        // Latency does not depend on σ: every test group at L = 16 (the Tree's tests at other L excluded).
        for g in groups where g.source != "baselines" && g.L == 16 { c.add("\(g.series)_ms", K: g.K, g.perDrop["latency_ms"] ?? []) }
        return (c.csv, c.script(script, file: file, panels: [("_ms", "Inference latency per drop [ms]")], logscale: "xy"), growthFinding(c))
    default:   // label-cost-vs-k
        for g in clean {
            if g.source == "baselines" { c.add("\(schemeName(g.series))_ms", K: g.K, g.perDrop["label_ms"] ?? []) }
            else if g.learnedClusters { c.add("UC-CF\(tag(g))_ms", K: g.K, g.perDrop["labels_ms"] ?? []) }
        }
        return (c.csv, c.script(script, file: file, panels: [("_ms", "Clusters + closed-form powers per drop [ms]")], logscale: "xy"), growthFinding(c))
    }
}

/// A number as curve names show it: 5, not 5.0; 2.5.
func compactNumber(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

/// LA Fig. 7 (`cluster-map`): one drop's learned clusters on the map: APs, UEs annotated with their
/// number of serving APs, and a segment per AP–UE link. Drop 0 of the first σ = 0 group with K UEs
/// (the smallest K when `k` is 0). CSV rows: kind (0 AP, 1 UE, 2 link), x, y, x2, y2, APs of the UE.
func clusterMapPlot(file: String, inputs: [StageInput], script: String, K wanted: Int, id: String) throws -> (String, String) {
    let groups = try resultGroups(inputs).filter { $0.learnedClusters && $0.sigma == 0 && !$0.ue.isEmpty }
    let K = wanted > 0 ? wanted : (groups.map(\.K).min() ?? 0)
    guard let g = groups.first(where: { $0.K == K }) else {
        throw PipelineError.stage(id: id, detail: "needs an evaluate input of a clustering model with a σ = 0 group of K = \(K) UEs")
    }
    let L = g.L
    var csv = "kind,x,y,x2,y2,aps\n"
    for l in 0..<L { csv += "0,\(g.ap[2 * l]),\(g.ap[2 * l + 1]),NaN,NaN,NaN\n" }
    for k in 0..<K {
        let serving = (0..<L).filter { g.clusters[k * L + $0] == 1 }
        csv += "1,\(g.ue[2 * k]),\(g.ue[2 * k + 1]),NaN,NaN,\(serving.count)\n"
        for l in serving { csv += "2,\(g.ue[2 * k]),\(g.ue[2 * k + 1]),\(g.ap[2 * l]),\(g.ap[2 * l + 1]),NaN\n" }
    }
    var s = script + "set datafile missing 'NaN'\nset size ratio -1\nset xlabel 'x [m]'\nset ylabel 'y [m]'\nset key outside right\n"
    s += "plot '\(file).csv' using ($1==2?$2:NaN):3:($4-$2):($5-$3) with vectors nohead linecolor rgb '#b0b0b0' title 'AP–UE link', \\\n"
    s += "     '\(file).csv' using ($1==0?$2:NaN):3 with points pointtype 5 pointsize 1.5 linecolor rgb '#c00000' title 'AP', \\\n"
    s += "     '\(file).csv' using ($1==1?$2:NaN):3 with points pointtype 7 linecolor rgb '#0060c0' title 'UE', \\\n"
    s += "     '\(file).csv' using ($1==1?$2:NaN):3:(sprintf('%d', $6)) with labels offset 0.9,0.9 notitle\n"
    return (csv, s)
}

/// Fig. 5 of the Tree paper: CDFs of the optimal and predicted UL and DL powers per UE, in W as the
/// paper plots them, and the two-sample Kolmogorov–Smirnov distance between predicted and optimal;
/// every test group at the lowest position error σ present.
func powerCDFPlot(file: String, inputs: [StageInput], script: String, maxKS: Double, id: String) throws -> (csv: String, script: String, finding: String) {
    let evaluated = try resultGroups(inputs).filter { $0.source != "baselines" }
    guard let sigma = evaluated.map(\.sigma).min() else { throw PipelineError.stage(id: id, detail: "needs evaluate inputs") }
    let groups = evaluated.filter { $0.sigma == sigma }   // σ = 0 for LA Fig. 8; the Tree paper tests at σ = 5 m
    let names = ["ul_opt", "ul_pred", "dl_opt", "dl_pred"]
    let columns = names.map { n in groups.flatMap { $0.perUE[n] ?? [] }.map { $0 / 1000 }.sorted() }   // mW → W
    var csv = "cdf," + names.map { $0 + "_W" }.joined(separator: ",") + "\n"
    for i in 0..<columns[0].count {
        csv += String(format: "%.6g", Double(i + 1) / Double(columns[0].count)) + "," + columns.map { String(format: "%.6g", $0[i]) }.joined(separator: ",") + "\n"
    }
    var s = script + "set key bottom right\nset xlabel 'Power [W]'\nset ylabel 'CDF'\nset logscale x\nplot "
    s += ["UL optimal", "UL predicted", "DL optimal", "DL predicted"].enumerated().map { i, t in
        "'\(file).csv' using \(2 + i):1 with lines\(t.hasSuffix("predicted") ? " dashtype 2" : "") linewidth 2 title '\(t)'"
    }.joined(separator: ", \\\n     ") + "\n"
    let ul = kolmogorovSmirnovDistance(columns[1], columns[0]), dl = kolmogorovSmirnovDistance(columns[3], columns[2])
    var finding = String(format: "two-sample KS distance between predicted and optimal powers: UL %.3f, DL %.3f over %d UE samples each", ul, dl,
                         columns[0].count)
    if maxKS > 0 {
        finding += " (the paper's curves nearly overlap, read as KS ≤ \(fmt(maxKS, 2)): UL \(ul <= maxKS ? "agrees" : "differs"), DL \(dl <= maxKS ? "agrees" : "differs"))"
    }
    // What positions allow: the closed form on the path loss at the seen positions (`se_*_positions` of evaluate).
    let told = ["ul_positions", "dl_positions"].map { n in groups.flatMap { $0.perUE[n] ?? [] }.map { $0 / 1000 }.sorted() }
    if told.allSatisfy({ $0.count == columns[0].count }) {
        finding += String(format: "; the positions-only closed form (exact path loss at the seen positions, no shadowing) is at KS UL %.3f, DL %.3f from the optimal powers",
                          kolmogorovSmirnovDistance(told[0], columns[0]), kolmogorovSmirnovDistance(told[1], columns[2]))
    }
    return (csv, s, finding)
}

/// The two-sample Kolmogorov–Smirnov statistic sup_x |F_a(x) − F_b(x)| of two sorted samples.
func kolmogorovSmirnovDistance(_ a: [Double], _ b: [Double]) -> Double {
    guard !a.isEmpty, !b.isEmpty else { return .nan }
    var i = 0, j = 0, worst = 0.0
    while i < a.count && j < b.count {
        let x = min(a[i], b[j])
        while i < a.count && a[i] <= x { i += 1 }
        while j < b.count && b[j] <= x { j += 1 }
        worst = max(worst, abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)))
    }
    return worst
}
