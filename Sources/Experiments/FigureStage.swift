import Foundation
import H5
import Pipeline

/// `figure`: gathers its inputs' results into a CSV and a gnuplot script (stored in the cache);
/// `exportFigures` writes them to `outputs/figures/` and renders PNG and PDF.
///
/// Plots: the curves over K of `curvesPlot` (LA Figs. 4, 5, 6, 9, 10, Tree Fig. 6, latency and label
/// cost), `cluster-map` (LA Fig. 7), `power-cdf` (LA Fig. 8, Tree Fig. 5), `loss-curves` (Tree
/// Fig. 4), and the max-min clustering paper's `maxmin-cdf` (Fig. 3a), `maxmin-vs-cs` (Fig. 3b) and
/// `maxmin-setups` (Fig. 3c); beyond the papers `pilot-models`. Also stored: `summary`, the figure's numbers in one line (first and last
/// rows, or medians for CDFs), the `claim` the paper makes about it and, where a plot computes one, a
/// `finding` sentence, for REPORT.md.
public struct FigureStage: StageKind {
    public init() {}
    public let name = "figure"
    public let version = 4
    public let summary = "CSV + gnuplot script of a figure from its inputs"
    enum Plot: String, CaseIterable, ParameterValue, Decodable {
        case seVsK = "se-vs-k", connectionsVsK = "connections-vs-k", robustness, variants, ablation
        case seVsKPredicted = "se-vs-k-predicted", latencyVsK = "latency-vs-k", labelCostVsK = "label-cost-vs-k"
        case clusterMap = "cluster-map", powerCDF = "power-cdf", lossCurves = "loss-curves"
        case maxminCDF = "maxmin-cdf", maxminVsCS = "maxmin-vs-cs", maxminSetups = "maxmin-setups", pilotModels = "pilot-models"

        /// Curves over K (or L) from result groups (`curvesPlot`).
        var isCurves: Bool { FigureStage.curvePlots.contains(rawValue) }
    }

    public struct Parameters: StageParameterSet {
        @Parameter(required: "plot", "what to draw", placeholder: Plot.seVsK) var plot: Plot
        @Parameter(required: "file", "base name under outputs/figures/ (e.g. fig5-se-vs-k)", placeholder: "") var file: String
        @Parameter("title", "figure title") var title = ""
        @Parameter("cs", "maxmin-cdf: the candidate size to show (0 = the largest)", range: .atLeast(0)) var cs = 0
        @Parameter("budget_dbm", "maxmin-cdf, maxmin-setups: the power budget p̄", unit: "dBm") var budgetDBm = 20.0
        @Parameter("k", "cluster-map: the K of the drop drawn (0 = the smallest)", range: .atLeast(0)) var K = 0
        @Parameter("claim", "what the paper reports about this figure (for REPORT.md)") var claim = ""
        public init() {}
    }
    static let curvePlots = ["se-vs-k", "connections-vs-k", "robustness", "variants", "ablation", "se-vs-k-predicted",
                             "latency-vs-k", "label-cost-vs-k"]

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let plot = p.plot.rawValue, file = p.file
        guard !file.isEmpty, !file.contains("/") else { throw PipelineError.stage(id: context.id, detail: "file must be a plain name, not '\(file)'") }
        var script = "set datafile separator ','\nset key top right\nset grid\n"
        let title = p.title
        if !title.isEmpty { script += "set title \"\(title)\"\n" }
        let inputs = context.allInputs
        let csv: String
        var finding = ""
        switch plot {
        case "pilot-models":
            (csv, script, finding) = try pilotModelsPlot(file: file, inputs: inputs, script: script, id: context.id)
        case _ where FigureStage.curvePlots.contains(plot):
            (csv, script) = try curvesPlot(plot, file: file, inputs: inputs, script: script, id: context.id)
        case "cluster-map":
            (csv, script) = try clusterMapPlot(file: file, inputs: inputs, script: script, K: p.K, id: context.id)
        case "power-cdf":
            (csv, script) = try powerCDFPlot(file: file, inputs: inputs, script: script, id: context.id)
        case "loss-curves":
            (csv, script) = try lossCurvesPlot(file: file, inputs: inputs.filter { $0.kind == "train" || $0.kind == "ablate" }, script: script, id: context.id)
        default:
            (csv, script) = try maxMinPlot(plot, file: file, inputs: inputs.filter { $0.kind == "maxmin-clustering" }, script: script,
                                           cs: p.cs, budget: p.budgetDBm, id: context.id)
        }
        try context.output.writeText("csv", csv)
        try context.output.writeText("gnuplot", script)
        try context.output.writeText("summary", summarize(csv: csv))
        if !finding.isEmpty { try context.output.writeText("finding", finding) }
        try context.output.setAttribute("title", title)
        try context.output.setAttribute("claim", p.claim)
        try context.output.setAttribute("file", file)
    }
}

/// A figure's numbers in one line: for a CDF the medians of its columns; otherwise the first and
/// last rows (e.g. the smallest and largest K), `name value` pairs with 3 significant digits.
func summarize(csv: String) -> String {
    let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    guard rows.count >= 2 else { return "no data" }
    let header = rows[0]
    func describe(_ row: [String]) -> String {
        zip(header.dropFirst(), row.dropFirst()).map { name, v in
            let value = Double(v).map { $0.isNaN ? "n/a" : String(format: "%.3g", $0) } ?? v
            return "\(name.replacingOccurrences(of: "_", with: " ")) \(value)"
        }.joined(separator: ", ")
    }
    if header[0] == "cdf" { return "medians: " + describe(rows[(rows.count - 1) / 2 + 1]) }
    if header[0] == "kind" { return "\(rows.filter { $0[0] == "0" }.count) APs, \(rows.filter { $0[0] == "1" }.count) UEs, \(rows.filter { $0[0] == "2" }.count) AP–UE links" }
    let last = rows.count - 1
    return "\(header[0]) = \(rows[1][0]): " + describe(rows[1]) + (last > 1 ? "; \(header[0]) = \(rows[last][0]): " + describe(rows[last]) : "")
}

/// The mean of `x` for a CSV cell (`NaN` when empty).
func mean(_ x: [Double]) -> String { x.isEmpty ? "NaN" : String(format: "%.6g", x.reduce(0, +) / Double(x.count)) }

/// Writes the figures, tables and report of `plan` that are in the cache under `outputs`:
/// `figures/<file>.{csv,gp}` rendered to PNG and PDF with gnuplot when missing or when the CSV or
/// script changed; `tables/<file>.{md,tex}`; `REPORT.md`. Returns one line per item.
public func exportResults(_ plan: Plan, layout: CacheLayout, outputs: String) throws -> [String] {
    var lines: [String] = []
    let fm = FileManager.default
    /// Writes `text` to `path` unless it already holds it; true if it wrote.
    func update(_ path: String, _ text: String) throws -> Bool {
        guard (try? String(contentsOfFile: path, encoding: .utf8)) != text else { return false }
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return true
    }
    for inst in plan.instances where ["figure", "table", "report"].contains(inst.kind) {
        let path = layout.file(kind: inst.kind, key: inst.key)
        guard fm.fileExists(atPath: path) else { continue }
        let h5 = try H5File.open(path)
        defer { try? h5.close() }
        switch inst.kind {
        case "report":
            let changed = try update(outputs + "/REPORT.md", try h5.readText("markdown"))
            lines.append("report \(outputs)/REPORT.md" + (changed ? " (written)" : " (unchanged)"))
        case "table":
            let base = outputs + "/tables/" + (try h5.stringAttribute("file"))
            let changed = [try update(base + ".md", try h5.readText("markdown")), try update(base + ".tex", try h5.readText("latex"))].contains(true)
            lines.append("table \(base).{md,tex}" + (changed ? " (written)" : " (unchanged)"))
        default:
            let file = try h5.stringAttribute("file"), directory = outputs + "/figures"
            let base = directory + "/" + file
            let changed = [try update(base + ".csv", try h5.readText("csv")), try update(base + ".gp", try h5.readText("gnuplot"))].contains(true)
            var rendered: [String] = []
            for (ext, terminal) in [("png", "pngcairo size 900,560 font ',11'"), ("pdf", "pdfcairo size 5in,3.2in font ',9'")]
            where changed || !fm.fileExists(atPath: "\(base).\(ext)") {
                let status = try gnuplot(["-e", "set terminal \(terminal); set output '\(file).\(ext)'", "\(file).gp"], in: directory)
                guard status == 0 else { throw PipelineError.io(path: "\(base).gp", detail: "gnuplot exited with status \(status)") }
                rendered.append(ext)
            }
            lines.append("figure \(base).{csv,gp,png,pdf}" + (rendered.isEmpty ? " (unchanged)" : " (rendered \(rendered.joined(separator: ", ")))"))
        }
    }
    return lines
}

private func gnuplot(_ arguments: [String], in directory: String) throws -> Int32 {
    guard let exe = findProgram("gnuplot") else {
        throw PipelineError.io(path: "gnuplot", detail: "not installed (make deps installs gnuplot-nox)")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = arguments
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

/// The experiments' stage kinds.
public let experimentStageKinds: [any StageKind] = [LayoutsStage(), BaselinesStage(), MaxMinClusteringStage(), ChannelsStage(), TrainStage(), EvaluateStage(), AblateStage(),
                                                  FigureStage(), TableStage(), ReportStage()]
