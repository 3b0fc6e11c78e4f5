import Foundation
import H5
import Pipeline

/// `report`: REPORT.md from its `figure` and `table` inputs, grouped into `sections` by file-name
/// prefix and sorted by file name (numbers as numbers) within a section. It opens with the claim
/// table: every check of every item (claim | paper | ours | verdict, `ClaimCheck`), and a row "no
/// check" for an item whose claim has none. Then per figure its title, the PNG, "The paper reports: …"
/// (the figure's `claim`), "We measure: …" (its `summary`, the numbers of its CSV), "Verdicts: …",
/// "Finding: …" where the figure computed one and "Why it differs: …" where the manifest gives the
/// reason (`why`; "Why: …" when every check agrees); per table the same with the table itself. `exportResults` (after `run`) writes it to
/// `outputs/REPORT.md`.
public struct ReportStage: StageKind {
    public init() {}
    public let name = "report"
    /// 3: "Why it differs" lines. 4: the claim table and verdicts. 5: "Why" where every check agrees.
    public let version = 5
    public let summary = "REPORT.md: every figure and table with the paper's claim and our numbers"
    public struct Parameters: StageParameterSet {
        @Parameter("title", "report heading") var title = "CellFreeLab: reproduction report"
        @Parameter("intro", "paragraph under the heading") var intro = ""
        @Parameter("sections", "sections as 'file-prefix: heading' (e.g. 'la-: Linear-attention paper'), in report order")
        var sections: [String] = []
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        var text = "# \(p.title)\n\n"
        let intro = p.intro
        if !intro.isEmpty { text += intro + "\n\n" }
        var sections: [(prefix: String, heading: String)] = []
        for entry in p.sections {
            guard let colon = entry.firstIndex(of: ":") else {
                throw PipelineError.stage(id: context.id, detail: "sections entry '\(entry)' is not 'file-prefix: heading'")
            }
            sections.append((String(entry[..<colon]).trimmingCharacters(in: .whitespaces),
                             String(entry[entry.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        var items: [(file: String, input: StageInput)] = []
        for input in context.allInputs where input.kind == "figure" || input.kind == "table" {
            let h5 = try input.open()
            items.append((try h5.stringAttribute("file"), input))
            try h5.close()
        }
        // Sections in the order given, items by file name with numbers compared as numbers (fig4 < fig10).
        func section(_ file: String) -> Int { sections.firstIndex { file.hasPrefix($0.prefix) } ?? sections.count }
        items.sort { (section($0.file), naturalKey($0.file)) < (section($1.file), naturalKey($1.file)) }
        var body = "", claims: [(title: String, outcomes: [CheckOutcome])] = []
        var current = -1
        for (file, input) in items {
            if section(file) != current {
                current = section(file)
                if current < sections.count { body += "## \(sections[current].heading)\n\n" }
            }
            let h5 = try input.open()
            defer { try? h5.close() }
            let (title, claim) = (try h5.stringAttribute("title"), try h5.stringAttribute("claim"))
            let heading = title.isEmpty ? file : title
            body += "### \(heading)\n\n"
            if input.kind == "figure" {
                body += "![\(file)](figures/\(file).png)\n\n([PDF](figures/\(file).pdf), [CSV](figures/\(file).csv))\n\n"
            } else {
                body += try h5.readText("markdown") + "\n([LaTeX](tables/\(file).tex), [CSV](tables/\(file).csv))\n\n"
            }
            body += "- **The paper reports:** \(claim.isEmpty ? "no claim recorded in the manifest." : claim)\n"
            let measured = try h5.readText("summary")
            body += "- **We measure:** \(measured)\(measured.hasSuffix(".") ? "" : ".")\n"
            let outcomes = try JSONDecoder().decode([CheckOutcome].self, from: Data(try h5.readText("checks").utf8))
            if !outcomes.isEmpty {
                body += "- **Verdicts:**\n" + outcomes.map { "  - \($0.claim): **\($0.verdict.rawValue)**; ours \($0.ours) (check `\($0.check)`)\n" }.joined()
            }
            if !claim.isEmpty || !outcomes.isEmpty { claims.append((heading, outcomes)) }
            if let finding = try? h5.readText("finding") { body += "- **Finding:** \(finding)\n" }
            if let why = try? h5.stringAttribute("why"), !why.isEmpty {
                let differs = outcomes.isEmpty || outcomes.contains { $0.verdict != .agrees }
                body += "- **\(differs ? "Why it differs" : "Why"):** \(why)\n"
            }
            body += "\n"
        }
        text += claimTable(claims) + body
        try context.output.writeText("markdown", text)
    }
}

/// The claim table REPORT.md opens with: a row per check, "no check" for a claim without one.
func claimTable(_ items: [(title: String, outcomes: [CheckOutcome])]) -> String {
    guard !items.isEmpty else { return "" }
    func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
    let all = items.flatMap(\.outcomes)
    let count = { (v: CheckOutcome.Verdict) in all.filter { $0.verdict == v }.count }
    var t = "## Claims at a glance\n\n\(all.count) checks: \(count(.agrees)) agree, \(count(.differs)) differ, "
        + "\(count(.notComparable)) not comparable; \(items.filter { $0.outcomes.isEmpty }.count) claims without a check. "
        + "Each check and its tolerance are written in the manifest next to the claim; a difference is explained under its figure.\n\n"
        + "| Figure or table | Claim | Paper | Ours | Verdict |\n|---|---|---|---|---|\n"
    for item in items {
        if item.outcomes.isEmpty { t += "| \(cell(item.title)) | (the figure's claim) | | | no check |\n" }
        for o in item.outcomes {
            t += "| \(cell(item.title)) | \(cell(o.claim)) | \(cell(o.paper)) | \(cell(o.ours)) | **\(o.verdict.rawValue)** |\n"
        }
    }
    return t + "\n"
}

/// A sort key that orders embedded numbers by value: "fig10" after "fig4".
private func naturalKey(_ s: String) -> String {
    var out = "", digits = ""
    for ch in s {
        if ch.isNumber { digits.append(ch); continue }
        if !digits.isEmpty { out += String(repeating: "0", count: max(0, 8 - digits.count)) + digits; digits = "" }
        out.append(ch)
    }
    return digits.isEmpty ? out : out + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
