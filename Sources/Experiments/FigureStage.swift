import Foundation
import H5
import Pipeline

/// `figure`: gathers its inputs' results into a CSV and a gnuplot script (stored in the cache);
/// `exportFigures` writes them to `outputs/figures/` and renders PNG and PDF.
///
/// Plots: `se-vs-k` (mean per-UE UL and DL SE of each baseline scheme vs K; linear-attention paper
/// Fig. 5 without the learned curves), `connections-vs-k` (mean AP–UE links vs K, Fig. 6), and the
/// max-min clustering paper's `maxmin-cdf` (Fig. 3a), `maxmin-vs-cs` (Fig. 3b), `maxmin-setups` (Fig. 3c),
/// and the Tree paper's `loss-curves` (Fig. 4), `power-cdf` (Fig. 5) and `se-vs-k-predicted` (Fig. 6).
public struct FigureStage: StageKind {
    public init() {}
    public let name = "figure"
    public let version = 3
    public let summary = "CSV + gnuplot script of a figure from its inputs"
    public let parameters: [ParameterSpec] = [
        ParameterSpec("plot", .string, default: nil, "what to draw",
                      choices: ["se-vs-k", "connections-vs-k", "maxmin-cdf", "maxmin-vs-cs", "maxmin-setups", "loss-curves", "power-cdf", "se-vs-k-predicted"]),
        ParameterSpec("file", .string, default: nil, "base name under outputs/figures/ (e.g. fig5-se-vs-k)"),
        ParameterSpec("title", .string, default: .string(""), "figure title"),
        ParameterSpec("cs", .int, default: .int(0), "maxmin-cdf: the candidate size to show (0 = the largest)"),
        ParameterSpec("budget_dbm", .double, default: .double(20), "maxmin-cdf, maxmin-setups: the power budget p̄ [dBm]"),
    ]

    public func run(_ context: StageContext) throws {
        let plot = try context.params.string("plot"), file = try context.params.string("file")
        guard !file.isEmpty, !file.contains("/") else { throw PipelineError.stage(id: context.id, detail: "file must be a plain name, not '\(file)'") }
        var script = "set datafile separator ','\nset key top right\nset grid\n"
        let title = try context.params.string("title")
        if !title.isEmpty { script += "set title \"\(title)\"\n" }
        let inputs = context.inputs.values.flatMap { $0 }
        let csv: String
        switch plot {
        case "se-vs-k", "connections-vs-k":
            (csv, script) = try baselinePlot(plot, file: file, inputs: inputs.filter { $0.kind == "baselines" }, script: script, id: context.id)
        case "loss-curves":
            (csv, script) = try lossCurvesPlot(file: file, inputs: inputs.filter { $0.kind == "train" }, script: script, id: context.id)
        case "power-cdf", "se-vs-k-predicted":
            (csv, script) = try evaluationPlot(plot, file: file, inputs: inputs.filter { $0.kind == "evaluate" }, script: script, id: context.id)
        default:
            (csv, script) = try maxMinPlot(plot, file: file, inputs: inputs.filter { $0.kind == "maxmin-clustering" }, script: script,
                                           cs: try context.params.int("cs"), budget: try context.params.double("budget_dbm"), id: context.id)
        }
        try context.output.writeText("csv", csv)
        try context.output.writeText("gnuplot", script)
        try context.output.setAttribute("file", file)
    }
}

/// `se-vs-k` and `connections-vs-k` from `baselines` results, averaged over every input with the same K.
private func baselinePlot(_ plot: String, file: String, inputs: [StageInput], script: String, id: String) throws -> (String, String) {
    guard !inputs.isEmpty else { throw PipelineError.stage(id: id, detail: "needs baselines inputs") }
    // K → scheme → (mean SE UL, mean SE DL, mean connections), averaged over all inputs with that K.
    var rows: [Int: [String: (ul: [Double], dl: [Double], links: [Double])]] = [:]
    var schemes: [String] = []
    for input in inputs {
        guard let K = input.params["K"]?.integer else { continue }
        let h5 = try input.open()
        for (scheme, kind) in try h5.members() where kind == .group {
            if !schemes.contains(scheme) { schemes.append(scheme) }
            let g = try h5.group(scheme)
            var cell = rows[K, default: [:]][scheme] ?? ([], [], [])
            cell.ul += try g.read("se_ul", as: Double.self).values
            cell.dl += try g.read("se_dl", as: Double.self).values
            cell.links += try g.read("connections", as: Int64.self).values.map(Double.init)
            rows[K, default: [:]][scheme] = cell
        }
        try h5.close()
    }
    schemes.sort()
    var csv: String
    var script = script
    switch plot {
    case "se-vs-k":
        csv = "K," + schemes.flatMap { ["\($0)_ul", "\($0)_dl"] }.joined(separator: ",") + "\n"
        for K in rows.keys.sorted() { csv += "\(K)," + schemes.flatMap { [mean(rows[K]![$0]?.ul ?? []), mean(rows[K]![$0]?.dl ?? [])] }.joined(separator: ",") + "\n" }
        script += "set xlabel 'Number of UEs K'\nset ylabel 'Average per-UE SE [bit/s/Hz]'\nplot "
        script += schemes.enumerated().flatMap { i, s in
            ["'\(file).csv' using 1:\(2 + 2 * i) with linespoints title '\(s.uppercased()) UL'",
             "'\(file).csv' using 1:\(3 + 2 * i) with linespoints dashtype 2 title '\(s.uppercased()) DL'"]
        }.joined(separator: ", \\\n     ") + "\n"
    default:
        csv = "K," + schemes.map { "\($0)_links" }.joined(separator: ",") + "\n"
        for K in rows.keys.sorted() { csv += "\(K)," + schemes.map { mean(rows[K]![$0]?.links ?? []) }.joined(separator: ",") + "\n" }
        script += "set xlabel 'Number of UEs K'\nset ylabel 'AP–UE connections'\nplot "
        script += schemes.enumerated().map { i, s in "'\(file).csv' using 1:\(2 + i) with linespoints title '\(s.uppercased())'" }
            .joined(separator: ", \\\n     ") + "\n"
    }
    return (csv, script)
}

/// The mean of `x` for a CSV cell (`NaN` when empty).
func mean(_ x: [Double]) -> String { x.isEmpty ? "NaN" : String(format: "%.6g", x.reduce(0, +) / Double(x.count)) }

/// Writes every figure of `plan` that is in the cache to `directory` as `<file>.csv` and `<file>.gp`,
/// and renders `<file>.png` and `<file>.pdf` with gnuplot when they are missing or their CSV or
/// script changed. Returns one line per figure.
public func exportFigures(_ plan: Plan, layout: CacheLayout, directory: String) throws -> [String] {
    var lines: [String] = []
    let fm = FileManager.default
    for inst in plan.instances where inst.kind == "figure" {
        let path = layout.file(kind: inst.kind, key: inst.key)
        guard fm.fileExists(atPath: path) else { continue }
        let h5 = try H5File.open(path)
        let (file, csv, script) = (try h5.stringAttribute("file"), try h5.readText("csv"), try h5.readText("gnuplot"))
        try h5.close()
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = directory + "/" + file
        var changed = false
        for (ext, text) in [("csv", csv), ("gp", script)] where (try? String(contentsOfFile: "\(base).\(ext)", encoding: .utf8)) != text {
            try text.write(toFile: "\(base).\(ext)", atomically: true, encoding: .utf8)
            changed = true
        }
        var rendered: [String] = []
        for (ext, terminal) in [("png", "pngcairo size 900,560 font ',11'"), ("pdf", "pdfcairo size 5in,3.2in font ',9'")]
        where changed || !fm.fileExists(atPath: "\(base).\(ext)") {
            let status = try gnuplot(["-e", "set terminal \(terminal); set output '\(file).\(ext)'", "\(file).gp"], in: directory)
            guard status == 0 else { throw PipelineError.io(path: "\(base).gp", detail: "gnuplot exited with status \(status)") }
            rendered.append(ext)
        }
        lines.append("figure \(base).{csv,gp,png,pdf}" + (rendered.isEmpty ? " (unchanged)" : " (rendered \(rendered.joined(separator: ", ")))"))
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
public let experimentStageKinds: [any StageKind] = [LayoutsStage(), BaselinesStage(), MaxMinClusteringStage(), TrainStage(), EvaluateStage(), FigureStage()]
