import Foundation
import H5
import Pipeline

/// One group of per-drop results for figures and tables: a `baselines` scheme (cf, dcc, …) or an
/// `evaluate`/`ablate` group (one test layouts input of one model). Series names: the baseline
/// scheme, the evaluated model's name, or `cosformer_<φ>` for an ablation.
struct ResultGroup {
    var source: String          // kind of the input
    var series: String
    var K: Int, L: Int
    var sigma: Double
    /// Pilot model of a baselines group: "orthogonal" (the papers') or "reuse".
    var pilots = "orthogonal"
    /// DL precoders of a baselines group: "duality" (the book's) or "unit-norm" (the linear-attention paper's).
    var dlPrecoder = "duality"
    /// [n·K] per-UE columns (se_ul, se_dl for baselines; se_*_opt/pred, ul_*, dl_* for models).
    var perUE: [String: [Double]]
    /// [n] per-drop columns (connections, label_ms, latency_ms, labels_ms).
    var perDrop: [String: [Double]]
    /// [n·K·L] 0/1 clusters and the positions of evaluated drops [m] (clustering models only).
    var clusters: [UInt8] = [], ue: [Double] = [], ap: [Double] = []
    var drops: Int { perDrop.values.first?.count ?? 0 }

    /// Whether the group holds a clustering model's results (Optimal/Predicted UC-CF), not the Tree's CF.
    var learnedClusters: Bool { !clusters.isEmpty }
}

/// Every result group of `inputs` of kinds baselines, evaluate and ablate. Model series of a sweep
/// (e.g. ablate over μ × λ) are told apart by the parameters whose values differ among the inputs of
/// that kind, `cosformer_elu mu=0.3`; the replicas (seeds) of one setting are groups of one series.
func resultGroups(_ inputs: [StageInput]) throws -> [ResultGroup] {
    var out: [ResultGroup] = []
    var varying: [String: [String]] = [:]   // kind → parameters that differ among its inputs
    for kind in Set(inputs.map(\.kind)) {
        let mine = inputs.filter { $0.kind == kind }
        // Not the model's settings: which drops, which replica, and which extra references an evaluation computes.
        let names = Set(mine.flatMap { $0.params.keys }).subtracting(["model", "phi", "K", "first", "count", "replica", "references", "power_layer"])
        varying[kind] = names.filter { n in Set(mine.map { $0.params[n]?.display ?? "" }).count > 1 }.sorted()
    }
    for input in inputs where ["baselines", "evaluate", "ablate"].contains(input.kind) {
        let h5 = try input.open()
        defer { try? h5.close() }
        let model = ((try? h5.stringAttribute("model")) ?? input.kind)
            + (varying[input.kind] ?? []).map { " \($0)=\(input.params[$0]?.display ?? "?")" }.joined()
        let baselines = input.kind == "baselines" ? try input.parameters(BaselinesStage.Parameters.self) : nil
        for (name, kind) in try h5.members() where kind == .group {
            let g = try h5.group(name)
            var perUE: [String: [Double]] = [:], perDrop: [String: [Double]] = [:]
            var shapeK = 0, shapeL = 0
            var r = ResultGroup(source: input.kind, series: input.kind == "baselines" ? name : model, K: 0, L: 0, sigma: 0, perUE: [:], perDrop: [:])
            for (d, dk) in try g.members() where dk == .dataset {
                let ds = try g.dataset(d)
                switch (d, ds.shape.count) {
                case ("clusters", _):
                    r.clusters = try g.read(d, as: UInt8.self).values
                    shapeL = ds.shape[2]
                case ("ue_m", _): r.ue = try g.read(d, as: Double.self).values
                case ("ap_m", _): r.ap = try g.read(d, as: Double.self).values
                case (_, 2):
                    perUE[d] = try g.read(d, as: Double.self).values
                    shapeK = ds.shape[1]
                case (_, 1):
                    // Counts (connections, pilot conflicts) are stored as integers, times and losses as floats.
                    perDrop[d] = try (try? g.read(d, as: Double.self).values) ?? g.read(d, as: Int64.self).values.map(Double.init)
                default: continue
                }
            }
            r.perUE = perUE
            r.perDrop = perDrop
            if let baselines = baselines {
                (r.K, r.L, r.pilots, r.dlPrecoder) = (baselines.network.K, baselines.network.L, baselines.pilots.rawValue, baselines.dlPrecoder.rawValue)
            } else {
                (r.K, r.L) = (shapeK, shapeL > 0 ? shapeL : numericAttribute(g, "L").map { Int($0) } ?? 16)
            }
            r.sigma = numericAttribute(g, "sigma_m") ?? 0
            out.append(r)
        }
    }
    return out
}

/// A numeric attribute (integer or real), or one of the strings older results stored; nil when absent.
func numericAttribute(_ node: H5Node, _ name: String) -> Double? {
    if let v = try? node.attribute(name, as: Double.self), let x = v.first { return x }
    if let v = try? node.attribute(name, as: Int64.self), let x = v.first { return Double(x) }
    return (try? node.stringAttribute(name)).flatMap(Double.init)
}

/// Curves over K (or another integer axis, e.g. L): one CSV column per series, each cell the mean
/// of that series' values at that K.
struct CurvesOverK {
    var columns: [(name: String, byK: [Int: [Double]])] = []
    /// The axis: CSV header of the first column and the x label.
    var axis = "K", axisLabel = "Number of UEs K"

    mutating func add(_ name: String, K: Int, _ values: [Double]) {
        if let i = columns.firstIndex(where: { $0.name == name }) {
            columns[i].byK[K, default: []] += values
        } else {
            columns.append((name, [K: values]))
        }
    }

    /// The K values of any column, increasing.
    var axisValues: [Int] { Set(columns.flatMap { $0.byK.keys }).sorted() }

    /// The mean of column `name` at `K` (nil when the column or the point is missing).
    func value(_ name: String, K: Int) -> Double? {
        guard let c = columns.first(where: { $0.name == name }), let v = c.byK[K], !v.isEmpty else { return nil }
        return v.reduce(0, +) / Double(v.count)
    }

    var csv: String {
        let ks = axisValues
        var text = axis + "," + columns.map(\.name).joined(separator: ",") + "\n"
        for K in ks { text += "\(K)," + columns.map { mean($0.byK[K] ?? []) }.joined(separator: ",") + "\n" }
        return text
    }

    /// A gnuplot script with one panel per entry of `panels` (side by side): the columns whose names
    /// end with the panel's suffix, titled by the rest of the name, in the order of the numbers in
    /// their titles (σ = 0, 2, 5, 10; stable otherwise). A column `X` with columns `X_min` and `X_max`
    /// beside it is drawn with error bars from min to max (the spread over seeds). Curves that differ
    /// only in Optimal / Predicted (or the pilot model, or the precoder) share a colour, the second
    /// dashed; a panel whose values span more than two decades gets a log y axis.
    /// With several panels the header's `set title "…"` becomes the multiplot's title, centred over
    /// all of them (as a panel title it would be centred over the first and cut at the figure's edge).
    func script(_ header: String, file: String, panels: [(suffix: String, ylabel: String)], logscale: String = "") -> String {
        var head = header, overall = ""
        if panels.count > 1, let line = head.range(of: "set title \".*\"\n", options: .regularExpression) {
            overall = " title " + head[line].dropFirst("set title ".count).dropLast()
            head.removeSubrange(line)
        }
        var s = head + "set datafile missing 'NaN'\nset key top right\n"
        if panels.count > 1 { s += "set multiplot layout 1,\(panels.count)\(overall)\n" }
        if !logscale.isEmpty { s += "set logscale \(logscale)\n" }
        var colours: [String: Int] = [:]
        for panel in panels {
            let shown = columns.enumerated().filter { $0.element.name.hasSuffix(panel.suffix) }
                .map { (index: $0.offset, column: $0.element, title: String($0.element.name.dropLast(panel.suffix.count)).replacingOccurrences(of: "_", with: " ")) }
            let ordered = shown.enumerated().sorted { a, b in
                let (x, y) = (numbers(in: a.element.title), numbers(in: b.element.title))
                return x.lexicographicallyPrecedes(y) || (!y.lexicographicallyPrecedes(x) && a.offset < b.offset)
            }.map(\.element)
            let values = ordered.flatMap { $0.column.byK.values.flatMap { $0 } }.filter(\.isFinite)
            let decades = (values.min() ?? 0) > 0 ? log10(values.max()! / values.min()!) : 0
            let logY = logscale.isEmpty && decades > 2
            // Log tick labels as 0.001, not gnuplot's fixed-point 0.001000 (which pads every label to the smallest).
            if logY { s += "set logscale y\nset format y '%g'\n" }
            s += "set xlabel '\(axisLabel)'\nset ylabel '\(panel.ylabel)'\nplot "
            s += ordered.map { i, c, title in
                // Reused pilots (pilot-models), unit-norm precoders (dl-precoders) and predicted curves dashed.
                let dashed = title.contains("(reuse)") || title.contains("(unit-norm)") || title.hasPrefix("Predicted") ? " dashtype 2" : powerRuleCurves.contains(where: { title.hasPrefix($0) }) ? " dashtype 3" : ""
                let pair = ["Optimal ", "Predicted "].reduce(title) { $0.hasPrefix($1) ? String($0.dropFirst($1.count)) : $0 }
                    .replacingOccurrences(of: " (reuse)", with: "").replacingOccurrences(of: " (orthogonal)", with: "")
                    .replacingOccurrences(of: " (unit-norm)", with: "").replacingOccurrences(of: " (duality)", with: "")
                let colour = colours[pair] ?? (colours.count + 1)
                colours[pair] = colour
                let style = " linecolor \(colour)\(dashed)"
                if let lo = columns.firstIndex(where: { $0.name == c.name + "_min" }),
                   let hi = columns.firstIndex(where: { $0.name == c.name + "_max" }) {
                    return "'\(file).csv' using 1:\(i + 2):\(lo + 2):\(hi + 2) with yerrorlines\(style) title '\(title)'"
                }
                return "'\(file).csv' using 1:\(i + 2) with linespoints\(style) title '\(title)'"
            }.joined(separator: ", \\\n     ") + "\n"
            if logY { s += "unset logscale y\nset format y\n" }
        }
        if panels.count > 1 { s += "unset multiplot\n" }
        return s
    }
}

/// The numbers in a curve title, in order ("sigma = 10 m (elu)" → [10]), for legends in numeric order.
func numbers(in title: String) -> [Double] {
    title.split(whereSeparator: { !($0.isNumber || $0 == ".") }).compactMap { Double($0) }
}
