import Foundation
import H5
import Pipeline

/// One `maxmin-clustering` result: SINRs [scheme, cs, budget, drop] and the axes.
private struct MaxMinResult {
    var label: String
    var schemes: [String], sizes: [Int], budgets: [Double], drops: Int
    var fixedPoint: [Double], spectral: [Double]

    init(_ input: StageInput) throws {
        let h5 = try input.open()
        defer { try? h5.close() }
        schemes = try h5.stringAttribute("schemes").split(separator: ",").map(String.init)
        sizes = try h5.read("cs", as: Int32.self).values.map(Int.init)
        budgets = try h5.read("budgets_dbm", as: Double.self).values
        let f = try h5.read("sinr_fixed_point", as: Double.self)
        drops = f.shape[3]
        fixedPoint = f.values
        spectral = try h5.read("sinr_spectral", as: Double.self).values
        let K = try h5.dataset("K").readScalar(as: Int32.self)
        let declared = try input.parameters(MaxMinClusteringStage.Parameters.self)
        label = "L=\(declared.L) N=\(declared.N) K=\(K)"
    }

    /// Several results of the same axes as one, their drops concatenated in input order (a sweep that
    /// split the drops over instances, e.g. `zip: {first: [0, 100]}`).
    static func merged(_ results: [MaxMinResult], id: String) throws -> MaxMinResult {
        var out = results[0]
        for r in results.dropFirst() {
            guard r.schemes == out.schemes, r.sizes == out.sizes, r.budgets == out.budgets, r.label == out.label else {
                throw PipelineError.stage(id: id, detail: "maxmin-clustering inputs differ in schemes, CS, budgets or network; cannot pool their drops")
            }
        }
        let blocks = out.schemes.count * out.sizes.count * out.budgets.count
        out.drops = results.reduce(0) { $0 + $1.drops }
        out.fixedPoint = (0..<blocks).flatMap { b in results.flatMap { $0.fixedPoint[(b * $0.drops)..<((b + 1) * $0.drops)] } }
        out.spectral = (0..<blocks).flatMap { b in results.flatMap { $0.spectral[(b * $0.drops)..<((b + 1) * $0.drops)] } }
        return out
    }

    /// Max-min SINRs [dB] of every drop for one (scheme, CS, budget).
    func sinrDB(_ values: [Double], scheme s: Int, cs c: Int, budget b: Int) -> [Double] {
        let start = ((s * sizes.count + c) * budgets.count + b) * drops
        return values[start..<start + drops].map { 10 * log10($0) }
    }
}

/// The max-min clustering paper's figures from `maxmin-clustering` results:
/// - `maxmin-cdf` (Fig. 3a): CDFs of the max-min SINR, Algorithm 1 vs the spectral-radius optimum,
///   per scheme, at candidate size `cs` (0 = the largest) and budget `budget` [dBm];
/// - `maxmin-vs-cs` (Fig. 3b): mean max-min SINR [dB] vs CS per scheme and budget;
///   (both pool the drops of all their inputs, which must share the network and axes)
/// - `maxmin-setups` (Fig. 3c): mean max-min SINR [dB] per input (set-ups I–III) and scheme, at the
///   largest CS of each input and budget `budget`.
func maxMinPlot(_ plot: String, file: String, inputs: [StageInput], script: String, cs: Int, budget: Double, id: String) throws -> (String, String) {
    guard !inputs.isEmpty else { throw PipelineError.stage(id: id, detail: "needs maxmin-clustering inputs") }
    let results = try inputs.map(MaxMinResult.init)
    func budgetIndex(_ r: MaxMinResult) throws -> Int {
        guard let b = r.budgets.firstIndex(where: { abs($0 - budget) < 1e-9 }) else {
            throw PipelineError.stage(id: id, detail: "no budget \(budget) dBm among \(r.budgets)")
        }
        return b
    }
    var csv = "", script = script
    switch plot {
    case "maxmin-cdf":
        let r = try MaxMinResult.merged(results, id: id), b = try budgetIndex(r)
        guard let c = cs == 0 ? r.sizes.indices.last : r.sizes.firstIndex(of: cs) else {
            throw PipelineError.stage(id: id, detail: "no CS = \(cs) among \(r.sizes)")
        }
        var columns: [[Double]] = [], names: [String] = []
        for (s, scheme) in r.schemes.enumerated() {
            columns.append(r.sinrDB(r.fixedPoint, scheme: s, cs: c, budget: b).sorted())
            columns.append(r.sinrDB(r.spectral, scheme: s, cs: c, budget: b).sorted())
            names += ["\(scheme)_algorithm_db", "\(scheme)_theory_db"]
        }
        csv = "cdf," + names.joined(separator: ",") + "\n"
        for i in 0..<r.drops {
            csv += String(format: "%.6g", Double(i + 1) / Double(r.drops)) + "," + columns.map { String(format: "%.6g", $0[i]) }.joined(separator: ",") + "\n"
        }
        script += "set key bottom right\nset xlabel 'Max-min SINR [dB] (CS = \(r.sizes[c]), p = \(budget) dBm)'\nset ylabel 'CDF'\nplot "
        script += r.schemes.enumerated().flatMap { s, scheme in
            ["'\(file).csv' using \(2 + 2 * s):1 with lines linewidth 2 title '\(scheme), Algorithm 1'",
             "'\(file).csv' using \(3 + 2 * s):1 with points pointinterval 5 title '\(scheme), theory (16)'"]
        }.joined(separator: ", \\\n     ") + "\n"
    case "maxmin-vs-cs":
        let r = try MaxMinResult.merged(results, id: id)
        var names: [String] = []
        for scheme in r.schemes { for dBm in r.budgets { names.append("\(scheme)_\(Int(dBm))dbm") } }
        csv = "cs," + names.joined(separator: ",") + "\n"
        for (c, CS) in r.sizes.enumerated() {
            var cells: [String] = []
            for s in r.schemes.indices { for b in r.budgets.indices { cells.append(mean(r.sinrDB(r.fixedPoint, scheme: s, cs: c, budget: b))) } }
            csv += "\(CS)," + cells.joined(separator: ",") + "\n"
        }
        script += "set key bottom right\nset xlabel 'Candidate set size CS'\nset ylabel 'Mean max-min SINR [dB]'\nset xtics 1\nplot "
        script += names.enumerated().map { i, n in "'\(file).csv' using 1:\(2 + i) with linespoints title '\(n.replacingOccurrences(of: "_", with: " "))'" }
            .joined(separator: ", \\\n     ") + "\n"
    default:   // maxmin-setups
        let schemes = results[0].schemes
        csv = "setup," + schemes.joined(separator: ",") + "\n"
        for r in results {
            let b = try budgetIndex(r), c = r.sizes.count - 1
            csv += "\"\(r.label) CS=\(r.sizes[c])\"," + r.schemes.indices.map { mean(r.sinrDB(r.fixedPoint, scheme: $0, cs: c, budget: b)) }.joined(separator: ",") + "\n"
        }
        script += "set key top left\nset yrange [0:*]\nset style data histograms\nset style fill solid 0.8 border -1\nset ylabel 'Mean max-min SINR [dB] (p = \(budget) dBm)'\n"
        script += "set xtics rotate by -15\nplot " + schemes.indices.map { "'\(file).csv' using \(2 + $0):xtic(1) title columnheader(\(2 + $0))" }
            .joined(separator: ", ") + "\n"
    }
    return (csv, script)
}
