import Foundation
import ModelStore
import Pipeline

/// How a static model's power labels [mW] map to its outputs in [0, 1] and back (Tree paper (12),
/// papers.md §4.2c), UL and DL each over a range taken from the training labels:
/// - `linear`: the paper's min-max, y = (p − p_min)/(p_max − p_min); UL over [0, P̄_UL] (the max-min
///   optimum gives its weakest UE P̄_UL and the strongest ≈ 0), DL over the training set's range.
/// - `log`: the same min-max on log10 p (ours, documented): the optimal UL powers span about five
///   decades and a linear MSE does not see the lower four; the range's floor is p_max·10⁻⁶.
struct PowerLabelScale: Equatable {
    enum Kind: String, CaseIterable, ParameterValue, Decodable { case linear, log }
    var kind: Kind
    /// Label ranges [mW].
    var ul: ClosedRange<Double>, dl: ClosedRange<Double>

    init(kind: Kind, ul: ClosedRange<Double>, dl: ClosedRange<Double>) { self.kind = kind; self.ul = ul; self.dl = dl }

    /// The ranges of the training labels; `ulMax` = P̄_UL [mW].
    init(kind: Kind, ulLabels: [Double], dlLabels: [Double], ulMax: Double) {
        let floor = { (top: Double) in top * 1e-6 }
        let dlTop = dlLabels.max() ?? 1
        switch kind {
        case .linear: self.init(kind: kind, ul: 0...ulMax, dl: (dlLabels.min() ?? 0)...dlTop)
        case .log:
            self.init(kind: kind, ul: max(floor(ulMax), ulLabels.min() ?? ulMax)...ulMax, dl: max(floor(dlTop), dlLabels.min() ?? dlTop)...dlTop)
        }
    }

    private func map(_ p: Double) -> Double { kind == .log ? log10(p) : p }
    private func unmap(_ v: Double) -> Double { kind == .log ? pow(10, v) : v }

    /// The model's target for power `p` [mW], clamped to [0, 1].
    func normalised(_ p: Double, uplink: Bool) -> Double {
        let r = uplink ? ul : dl, lo = map(max(p, r.lowerBound)), span = max(map(r.upperBound) - map(r.lowerBound), 1e-12)
        return min(1, max(0, (lo - map(r.lowerBound)) / span))
    }

    /// The power [mW] of output `y`.
    func power(_ y: Double, uplink: Bool) -> Double {
        let r = uplink ? ul : dl
        return unmap(map(r.lowerBound) + y * (map(r.upperBound) - map(r.lowerBound)))
    }

    /// The archive's normalisers.
    var normalisers: [String: Double] {
        [ModelNormaliser.ulLabelMin: ul.lowerBound, ModelNormaliser.ulLabelMax: ul.upperBound,
         ModelNormaliser.dlLabelMin: dl.lowerBound, ModelNormaliser.dlLabelMax: dl.upperBound,
         ModelNormaliser.logLabels: kind == .log ? 1 : 0]
    }

    /// From an archive's normalisers; `file` names it in the error.
    init(normalisers n: [String: Double], file: String) throws {
        let names = [ModelNormaliser.ulLabelMin, ModelNormaliser.ulLabelMax, ModelNormaliser.dlLabelMin, ModelNormaliser.dlLabelMax]
        let values = names.compactMap { n[$0] }
        guard values.count == names.count, let log = n[ModelNormaliser.logLabels], values[0] <= values[1], values[2] <= values[3] else {
            throw PipelineError.stage(id: file, detail: "the model archive lacks valid label normalisers (\(names.joined(separator: ", ")), \(ModelNormaliser.logLabels))")
        }
        self.init(kind: log == 1 ? .log : .linear, ul: values[0]...values[1], dl: values[2]...values[3])
    }
}
