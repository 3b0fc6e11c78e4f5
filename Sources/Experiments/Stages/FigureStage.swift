import Foundation
import H5
import Pipeline

/// `figure`: gathers its inputs' results into a CSV and a gnuplot script (stored in the cache);
/// `exportResults` (after `run`) writes them to `outputs/figures/` and renders PNG and PDF.
///
/// Plots: the curves over K of `curvesPlot` (LA Figs. 4, 5, 6, 9, 10, latency and label cost), Tree
/// Fig. 6 (`treeSEPlot`), `cluster-map` (LA Fig. 7), `power-cdf` (LA Fig. 8, Tree Fig. 5), `loss-curves` (Tree
/// Fig. 4), and the max-min clustering paper's `maxmin-cdf` (Fig. 3a), `maxmin-vs-cs` (Fig. 3b) and
/// `maxmin-setups` (Fig. 3c); beyond the papers `pilot-models` and `dl-precoders`. Also stored: `summary`, the figure's numbers in one line (first and last
/// rows, or medians for CDFs), the `claim` the paper makes about it and, where a plot computes one, a
/// `finding` sentence, for REPORT.md.
public struct FigureStage: StageKind {
    public init() {}
    public let name = "figure"
    /// 5: power-cdf in W (as the Tree paper's Fig. 5) with its KS distance as the finding.
    /// 6: Tree Fig. 6 as the paper's panels (vs K at L = 16, `se-vs-l-predicted` vs L at K = 10), per-UE
    /// statistics stated, checked against the `paper_*` numbers; curves and CDFs at the lowest σ present.
    /// 7: the claim's `checks` decided on the CSV (dataset `checks`).
    /// 8: curves in numeric legend order, Optimal/Predicted pairs in one colour, log y over two decades.
    /// 9: a two-panel figure's title over both panels (the multiplot's), no longer cut at the left edge.
    /// 10: log y tick labels in %g (0.001, not 0.001000).
    public let version = 10
    public let summary = "CSV + gnuplot script of a figure from its inputs"
    enum Plot: String, CaseIterable, ParameterValue, Decodable {
        case seVsK = "se-vs-k", connectionsVsK = "connections-vs-k", robustness, variants, ablation
        case seVsKPredicted = "se-vs-k-predicted", seVsLPredicted = "se-vs-l-predicted", latencyVsK = "latency-vs-k", labelCostVsK = "label-cost-vs-k"
        case clusterMap = "cluster-map", powerCDF = "power-cdf", lossCurves = "loss-curves"
        case maxminCDF = "maxmin-cdf", maxminVsCS = "maxmin-vs-cs", maxminSetups = "maxmin-setups", pilotModels = "pilot-models"
        case dlPrecoders = "dl-precoders"

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
        @ParameterGroup var report = ReportClaim()
        @Parameter("paper_x", "se-vs-k/l-predicted: the K (or L) values of the paper's curve") var paperX: [Int] = []
        @Parameter("paper_ul", "se-vs-k/l-predicted: the paper's optimal UL per-UE SE at paper_x", unit: "bit/s/Hz") var paperUL: [Double] = []
        @Parameter("paper_dl", "se-vs-k/l-predicted: the paper's optimal DL per-UE SE at paper_x", unit: "bit/s/Hz") var paperDL: [Double] = []
        @Parameter("tolerance", "se-vs-k/l-predicted: a point agrees with the paper's when within ± this", unit: "bit/s/Hz", range: .atLeast(0))
        var tolerance = 0.5
        @Parameter("gap", "se-vs-k/l-predicted: the paper's claimed mean |predicted − optimal| (0: none)", unit: "bit/s/Hz", range: .atLeast(0))
        var gap = 0.0
        @Parameter("paper_fall", "loss-curves: the paper's fall of the training loss from epoch 1 to the last (0: none); ours agrees at ≥ half of it",
                   range: .atLeast(0))
        var paperFall = 0.0
        @Parameter("series", "loss-curves: a name for each train input, in input order (default: its model)") var series: [String] = []
        @Parameter("max_ks", "power-cdf: largest KS distance that counts as the paper's \"nearly overlap\" (0: no verdict)", range: .between(0, 1))
        var maxKS = 0.0
        public init() {}
    }
    static let curvePlots = ["se-vs-k", "connections-vs-k", "robustness", "variants", "ablation", "latency-vs-k", "label-cost-vs-k"]

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
        case "se-vs-k-predicted", "se-vs-l-predicted":
            guard p.paperUL.count == p.paperX.count, p.paperDL.count == p.paperX.count else {
                throw PipelineError.stage(id: context.id, detail: "paper_ul and paper_dl need one value per paper_x (\(p.paperX.count))")
            }
            let paper = PaperCurve(x: p.paperX, ul: p.paperUL, dl: p.paperDL, tolerance: p.tolerance, gap: p.gap)
            (csv, script, finding) = try treeSEPlot(p.plot, file: file, inputs: inputs, script: script, paper: paper, id: context.id)
        case "pilot-models":
            (csv, script, finding) = try pilotModelsPlot(file: file, inputs: inputs, script: script, id: context.id)
        case "dl-precoders":
            (csv, script, finding) = try dlPrecodersPlot(file: file, inputs: inputs, script: script, id: context.id)
        case _ where FigureStage.curvePlots.contains(plot):
            (csv, script, finding) = try curvesPlot(plot, file: file, inputs: inputs, script: script, id: context.id)
        case "cluster-map":
            (csv, script) = try clusterMapPlot(file: file, inputs: inputs, script: script, K: p.K, id: context.id)
        case "power-cdf":
            (csv, script, finding) = try powerCDFPlot(file: file, inputs: inputs, script: script, maxKS: p.maxKS, id: context.id)
        case "loss-curves":
            (csv, script, finding) = try lossCurvesPlot(file: file, inputs: inputs.filter { $0.kind == "train" || $0.kind == "ablate" }, script: script,
                                                        paperFall: p.paperFall, names: p.series, id: context.id)
        default:
            (csv, script) = try maxMinPlot(plot, file: file, inputs: inputs.filter { $0.kind == "maxmin-clustering" }, script: script,
                                           cs: p.cs, budget: p.budgetDBm, id: context.id)
        }
        try context.output.writeText("csv", csv)
        try context.output.writeText("gnuplot", script)
        try context.output.writeText("summary", summarize(csv: csv))
        if !finding.isEmpty { try context.output.writeText("finding", finding) }
        try context.output.setAttribute("title", title)
        try p.report.store(in: context.output, numbers: ResultTable(csv: csv))
        try context.output.setAttribute("file", file)
    }
}
