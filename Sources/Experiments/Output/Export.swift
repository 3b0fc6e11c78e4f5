import DurableFile
import Foundation
import H5
import Pipeline

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
        try DurableFile.write(text, to: path)
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
