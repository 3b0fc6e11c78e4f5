import Foundation
import Pipeline

/// Relative spread of a max-min SE mean over drops with 100 Monte Carlo realizations (LabelConvergenceTests).
let monteCarloTolerance = 0.02

/// `dl-precoders` (beyond the papers): DL max-min SE vs K of every baselines scheme under the book's
/// UL–DL duality precoders and the linear-attention paper's precoders of unit norm per realization
/// (`dl_precoder`), one panel per pilot model present; and a finding computed from the curves: what
/// unit norm costs each scheme, and whether the UC-vs-CF ordering (the best UC scheme against CF)
/// changes with the precoder.
func dlPrecodersPlot(file: String, inputs: [StageInput], script: String, id: String) throws -> (csv: String, script: String, finding: String) {
    let groups = try resultGroups(inputs).filter { $0.source == "baselines" }
    guard Set(groups.map(\.dlPrecoder)) == ["duality", "unit-norm"] else {
        throw PipelineError.stage(id: id, detail: "needs baselines inputs under both DL precoders (dl_precoder: duality and unit-norm)")
    }
    let pilotModels = Set(groups.map(\.pilots)).sorted()
    var c = CurvesOverK()
    var means: [String: [Int: Double]] = [:]   // "scheme precoder pilots" → K → mean DL max-min SE
    for g in groups.sorted(by: { ($0.series, $0.dlPrecoder, $0.pilots) < ($1.series, $1.dlPrecoder, $1.pilots) }) {
        let minima = perDropMinima(g.perUE["se_dl"] ?? [], K: g.K)
        c.add("\(schemeName(g.series))_(\(g.dlPrecoder))_\(g.pilots)", K: g.K, minima)
        means["\(g.series) \(g.dlPrecoder) \(g.pilots)", default: [:]][g.K] = minima.reduce(0, +) / Double(max(1, minima.count))
    }
    let ks = c.axisValues, schemes = Set(groups.map(\.series)).subtracting(["cf"]).sorted()
    func list(_ values: [Double], _ format: String = "%.2f") -> String { values.map { String(format: format, $0) }.joined(separator: " / ") }
    var sentences: [String] = []
    for pilots in pilotModels {
        var costs: [String] = [], orderings: [String] = []
        for scheme in ["cf"] + schemes {
            guard let dual = means["\(scheme) duality \(pilots)"], let unit = means["\(scheme) unit-norm \(pilots)"] else { continue }
            let common = ks.filter { dual[$0] != nil && unit[$0] != nil }
            costs.append("\(schemeName(scheme).replacingOccurrences(of: "_", with: " ")) " + list(common.map { 100 * (1 - unit[$0]! / dual[$0]!) }, "%.0f %%"))
        }
        for precoder in ["duality", "unit-norm"] {
            guard let cf = means["cf \(precoder) \(pilots)"] else { continue }
            // The best UC scheme at each K against CF.
            let ratios = ks.compactMap { K -> Double? in
                let best = schemes.compactMap { means["\($0) \(precoder) \(pilots)"]?[K] }.max()
                return best.flatMap { b in cf[K].map { b / $0 } }
            }
            // Within the 2 % Monte Carlo tolerance of 100 realizations (LabelConvergenceTests) a ratio is a tie.
            let beats = zip(ks, ratios).filter { $0.1 > 1 + monteCarloTolerance }.map { String($0.0) }
            let behind = zip(ks, ratios).filter { $0.1 < 1 - monteCarloTolerance }.map { String($0.0) }
            orderings.append("\(precoder): best UC / CF = \(list(ratios)) (UC ahead at " + (beats.isEmpty ? "no K" : "K = " + beats.joined(separator: ", "))
                             + ", CF ahead at " + (behind.isEmpty ? "no K" : "K = " + behind.joined(separator: ", ")) + ", ties within 2 % elsewhere)")
        }
        sentences.append("\(pilots) pilots, K = \(ks.map(String.init).joined(separator: " / ")): unit norm costs " + costs.joined(separator: "; ")
                         + " of the DL max-min SE; " + orderings.joined(separator: "; "))
    }
    let panels = pilotModels.map { ("_\($0)", "DL max-min SE [bit/s/Hz], \($0) pilots") }
    return (c.csv, c.script(script, file: file, panels: panels), sentences.joined(separator: ". ") + ".")
}
