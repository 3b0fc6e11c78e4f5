import Foundation

/// A figure's or table's numbers as its claim checks read them: a header and rows whose first cell is
/// the row key (the axis value — K, L, epoch, cdf — of a figure's CSV, or a table's row label).
struct ResultTable {
    var header: [String]
    var rows: [[String]]

    init(header: [String], rows: [[String]]) { self.header = header; self.rows = rows }

    /// A figure's CSV (names use underscores, cells are numbers; a quoted row label holds no comma).
    init(csv: String) {
        func unquoted(_ s: Substring) -> String {
            s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") ? String(s.dropFirst().dropLast()) : String(s)
        }
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(unquoted) }
        header = lines.first ?? []
        rows = Array(lines.dropFirst())
    }

    init(_ table: TextTable) { self.init(header: table.header, rows: table.rows) }

    /// The name of the row key ("K", "Model", …).
    var keyName: String { header.first ?? "row" }

    /// The numbers of column `name` by row key, rows without a number left out; nil if no such column.
    func column(_ name: String) -> [(key: String, value: Double)]? {
        guard let j = header.firstIndex(of: name), j > 0 else { return nil }
        return rows.compactMap { row in
            guard row.count > j, let v = leadingNumber(row[j]), v.isFinite else { return nil }
            return (row[0], v)
        }
    }

    /// RFC 4180 CSV (cells with a comma, quote or line break quoted), as pandas reads it.
    var csv: String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([header] + rows).map { $0.map(cell).joined(separator: ",") + "\n" }.joined()
    }
}

/// The number a table cell starts with ("2.06 (±0.1)" → 2.06, "584,354" → 584354), nil if none.
func leadingNumber(_ cell: String) -> Double? {
    let s = cell.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
    var end = s.startIndex, best: Double?
    while end < s.endIndex {
        end = s.index(after: end)
        if let v = Double(s[s.startIndex..<end]) { best = v }
    }
    return best
}

/// Row keys match as numbers when both are ("10" and "10.0"), else as trimmed text.
func rowKeysMatch(_ a: String, _ b: String) -> Bool {
    let (x, y) = (a.trimmingCharacters(in: .whitespaces), b.trimmingCharacters(in: .whitespaces))
    if let u = Double(x), let v = Double(y) { return u == v }
    return x == y
}
