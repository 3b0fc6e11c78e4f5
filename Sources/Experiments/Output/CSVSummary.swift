import Foundation
import H5
import Pipeline

/// A figure's numbers in one line: for a CDF the medians of its columns; otherwise the first and
/// last rows (e.g. the smallest and largest K), `name value` pairs with 3 significant digits. The
/// error-bar columns (`…_min`, `…_max`: the seeds' spread) stay in the CSV; the finding reads them.
func summarize(csv: String) -> String {
    let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    guard rows.count >= 2 else { return "no data" }
    let header = rows[0]
    func describe(_ row: [String]) -> String {
        zip(header.dropFirst(), row.dropFirst()).filter { !$0.0.hasSuffix("_min") && !$0.0.hasSuffix("_max") }.map { name, v in
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

/// `x` with `digits` significant digits ("n/a" when not finite).
func fmt(_ x: Double, _ digits: Int = 3) -> String { x.isFinite ? String(format: "%.\(digits)g", x) : "n/a" }

/// The mean of `x` (NaN when empty).
func average(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }
