import DurableFile
import Foundation
import H5
import Pipeline

/// Writes the figures, tables and report of `plan` that are in the cache under `outputs`:
/// `figures/<file>.{csv,gp}` rendered to PNG and PDF with gnuplot when missing, incomplete or when the
/// CSV or script changed or is newer; `tables/<file>.{md,tex,csv}`; `REPORT.md`. Returns one line per item.
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
            let changed = try ["md": "markdown", "tex": "latex", "csv": "csv"].sorted { $0.key < $1.key }.map { ext, dataset in
                try update(base + "." + ext, try h5.readText(dataset))
            }.contains(true)
            lines.append("table \(base).{csv,md,tex}" + (changed ? " (written)" : " (unchanged)"))
        default:
            let file = try h5.stringAttribute("file"), directory = outputs + "/figures"
            let base = directory + "/" + file
            let changed = [try update(base + ".csv", try h5.readText("csv")), try update(base + ".gp", try h5.readText("gnuplot"))].contains(true)
            var rendered: [String] = []
            // A render that failed after the CSV or script changed leaves the image older than them.
            let sources = [base + ".csv", base + ".gp"].compactMap(modificationDate).max()
            for image in RenderedImage.allCases {
                let path = "\(base).\(image.rawValue)"
                let upToDate = image.isComplete(atPath: path) && (modificationDate(path).map { $0 >= (sources ?? $0) } ?? false)
                guard changed || !upToDate else { continue }
                try render(file, as: image, in: directory)
                rendered.append(image.rawValue)
            }
            lines.append("figure \(base).{csv,gp,png,pdf}" + (rendered.isEmpty ? " (unchanged)" : " (rendered \(rendered.joined(separator: ", ")))"))
        }
    }
    return lines
}

private func modificationDate(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
}

/// Renders `directory/file.gp` to `file.<ext>` through a temporary file that replaces the figure only
/// when gnuplot exited 0 and the image is complete, so a failed render never leaves a damaged figure.
private func render(_ file: String, as image: RenderedImage, in directory: String) throws {
    let path = "\(directory)/\(file).\(image.rawValue)"
    let temporary = DurableFile.temporary(for: path)
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    let name = (temporary as NSString).lastPathComponent
    let status = try gnuplot(["-e", "set terminal \(image.terminal); set output '\(name)'", "\(file).gp"], in: directory)
    guard status == 0 else { throw PipelineError.io(path: "\(directory)/\(file).gp", detail: "gnuplot exited with status \(status); \(path) left as it was") }
    guard image.isComplete(atPath: temporary) else {
        throw PipelineError.io(path: path, detail: "gnuplot wrote an incomplete \(image.rawValue) (full disk?); the figure was left as it was")
    }
    try DurableFile.publish(temporary, as: path)
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
