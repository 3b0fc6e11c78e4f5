import Foundation
import H5
import Learning
import Linalg
import ModelStore
import Pipeline

/// Training and validation batches from `layouts` + `baselines` inputs (CF labels).
struct TrainingData {
    /// Per K: normalised UE positions [n, K, 2], AP positions [n, L, 2], labels [n, K].
    var groups: [(K: Int, ue: [Float], ap: [Float], ul: [Float], dl: [Float], count: Int, L: Int)] = []
    var validation: [PowerBatch<Float>] = []
    /// The label normalisation, its ranges from these labels.
    var scale: PowerLabelScale

    init(_ context: StageContext, side: Double, validationFraction: Double, scale kind: PowerLabelScale.Kind) throws {
        let layouts = context.inputs(ofKind: "layouts"), labels = context.inputs(ofKind: "baselines")
        guard !layouts.isEmpty, !labels.isEmpty else { throw PipelineError.stage(id: context.id, detail: "needs layouts and baselines inputs") }
        var raw: [(K: Int, L: Int, ue: [Double], ap: [Double], ul: [Double], dl: [Double], n: Int)] = []
        let labelKeys = try labels.map { try $0.parameters(BaselinesStage.Parameters.self) }.map { ($0.network.K, $0.random.seed) }
        for layout in layouts {
            let drawn = try layout.parameters(LayoutsStage.Parameters.self)
            guard let index = labelKeys.firstIndex(where: { $0 == (drawn.network.K, drawn.random.seed) }) else {
                throw PipelineError.stage(id: context.id, detail: "no baselines input for the layouts with K = \(drawn.network.K)")
            }
            let label = labels[index]
            let lf = try layout.open(), bf = try label.open()
            defer { try? lf.close(); try? bf.close() }
            // The model sees the positions under error (σ, σ_AP); the labels come from the true ones.
            let ue = try lf.read("ue_seen", as: Double.self), ap = try lf.read("ap_seen", as: Double.self)
            let cf = try bf.group("cf")
            let ul = try cf.read("ul_power", as: Double.self).values, dl = try cf.read("dl_power_total", as: Double.self).values
            raw.append((ue.shape[1], ap.shape[1], ue.values, ap.values, ul, dl, ue.shape[0]))
        }
        let ulMax = try labels[0].parameters(BaselinesStage.Parameters.self).network.network(id: context.id).p
        let scale = PowerLabelScale(kind: kind, ulLabels: raw.flatMap(\.ul), dlLabels: raw.flatMap(\.dl), ulMax: ulMax)
        self.scale = scale
        for r in raw {
            let (nTrain, nVal) = TrainingSplit.counts(drops: r.n, validationFraction: validationFraction)
            let ue = r.ue.map { Float($0 / side) }, ap = r.ap.map { Float($0 / side) }
            let ul = r.ul.map { Float(scale.normalised($0, uplink: true)) }, dl = r.dl.map { Float(scale.normalised($0, uplink: false)) }
            groups.append((r.K, Array(ue[..<(nTrain * r.K * 2)]), Array(ap[..<(nTrain * r.L * 2)]),
                           Array(ul[..<(nTrain * r.K)]), Array(dl[..<(nTrain * r.K)]), nTrain, r.L))
            if nVal > 0 {
                validation.append(PowerBatch(ue: Tensor(shape: [nVal, r.K, 2], values: Array(ue[(nTrain * r.K * 2)...])),
                                             ap: Tensor(shape: [nVal, r.L, 2], values: Array(ap[(nTrain * r.L * 2)...])),
                                             ul: Tensor(shape: [nVal, r.K], values: Array(ul[(nTrain * r.K)...])),
                                             dl: Tensor(shape: [nVal, r.K], values: Array(dl[(nTrain * r.K)...]))))
            }
        }
    }

    /// Shuffled mini-batches, each of one K; groups visited in turn.
    func trainingBatches(size: Int, using rng: inout RandomStream) -> [PowerBatch<Float>] {
        TrainingSplit.batches(groupSizes: groups.map(\.count), size: size, using: &rng).map { ref in
            let g = groups[ref.group], pick = ref.indices
            return PowerBatch(ue: Tensor(shape: [pick.count, g.K, 2], values: pick.flatMap { g.ue[($0 * g.K * 2)..<(($0 + 1) * g.K * 2)] }),
                              ap: Tensor(shape: [pick.count, g.L, 2], values: pick.flatMap { g.ap[($0 * g.L * 2)..<(($0 + 1) * g.L * 2)] }),
                              ul: Tensor(shape: [pick.count, g.K], values: pick.flatMap { g.ul[($0 * g.K)..<(($0 + 1) * g.K)] }),
                              dl: Tensor(shape: [pick.count, g.K], values: pick.flatMap { g.dl[($0 * g.K)..<(($0 + 1) * g.K)] }))
        }
    }
}
