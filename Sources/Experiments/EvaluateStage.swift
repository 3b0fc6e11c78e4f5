import CellFree
import Foundation
import H5
import Learning
import Linalg
import Pipeline

/// `evaluate`: a trained model on test drops (its `layouts` input, any K). The model sees the UE
/// positions under position error (`ue_seen`, σ of the layouts); the SEs use the true positions.
/// Per drop: the optimal CF powers (closed form, papers.md §3) and the model's predicted powers
/// (UL = ul_norm·P̄_UL; DL = the label range de-normalised, rescaled to the total budget L·P̄_DL,
/// Tree Eq. (9)), and the per-UE SEs both give with the same UatF terms; plus the forward latency.
public struct EvaluateStage: StageKind {
    public init() {}
    public let name = "evaluate"
    public let version = 1
    public let summary = "predicted vs optimal powers and SEs of a trained model on test drops"
    public let parameters: [ParameterSpec] = labelMethodSpecs + [.seed]

    public func run(_ context: StageContext) throws {
        let trained = try context.input(ofKind: "train")
        let side = trained.params["side"]?.number ?? 500
        var config = TreeTransformerConfig()
        config.dFF = trained.params["d_ff"]?.integer ?? config.dFF
        let file = try trained.open()
        var parameters = ParameterSet<Float>()
        let group = try file.group("params")
        for name in try group.datasetPaths().map({ String($0.dropFirst("/params/".count)) }) {
            let a = try group.read(name, as: Float.self)
            parameters.add(name, Tensor(shape: a.shape, values: a.values))
        }
        let range = try file.read("dl_label_range", as: Double.self).values
        try file.close()
        let model = TreeTransformer<Float>(config: config, parameters: parameters)
        let method = try labelMethod(context)

        let layouts = context.inputs(ofKind: "layouts")
        guard !layouts.isEmpty else { throw PipelineError.stage(id: context.id, detail: "needs layouts inputs (test drops)") }
        var done = 0
        let total = try layouts.reduce(0) { n, l in let f = try l.open(); defer { try? f.close() }; return n + (try f.dataset("ue").shape[0]) }
        for (g, input) in layouts.enumerated() {
            let lf = try input.open()
            let drops = try readLayouts(lf)
            let seen = try lf.read("ue_seen", as: Double.self).values
            try lf.close()
            var params = NetworkParameters.papers(L: drops[0].layout.apPositions.count, K: drops[0].layout.uePositions.count)
            params.areaSideMeters = input.params["side"]?.number ?? side
            params.apLayout = APLayout(rawValue: input.params["ap_layout"]?.string ?? "grid") ?? .grid
            let (K, L, n) = (params.K, params.L, drops.count)
            var columns: [String: [Double]] = [:]
            var latency: [Double] = []
            for (i, draws) in drops.enumerated() {
                var rng = RandomStream(seed: context.streamSeed, name: "evaluate", index: UInt64(i))
                let setup = try NetworkSetup(params, draws: draws)
                let labels = try powerLabels(setup, clusters: .full(L: L, K: K), method: method, using: &rng)
                // The model's view: noisy UE positions, normalised like the training data.
                let ue = Tensor<Float>(shape: [1, K, 2], values: seen[(i * K * 2)..<((i + 1) * K * 2)].map { Float($0 / side) })
                let ap = Tensor<Float>(shape: [1, L, 2], values: draws.layout.apPositions.flatMap { [Float($0.real / side), Float($0.imaginary / side)] })
                let start = DispatchTime.now().uptimeNanoseconds
                let tape = Tape<Float>(recordsGradients: false)
                let out = model.forward(tape, model.parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
                let ulNorm = tape.value(out.ulNorm).values, dlNorm = tape.value(out.dlNorm).values
                latency.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                let ul = ulNorm.map { Double($0) * params.p }
                let dlRaw = dlNorm.map { max(1e-12, range[0] + Double($0) * (range[1] - range[0])) }
                let budget = Double(L) * params.rho_tot, sum = dlRaw.reduce(0, +)
                let dl = dlRaw.map { $0 * budget / sum }
                columns["ul_opt", default: []] += labels.uplinkPowers
                columns["ul_pred", default: []] += ul
                columns["dl_opt", default: []] += labels.downlinkPowersTotal
                columns["dl_pred", default: []] += dl
                columns["se_ul_opt", default: []] += labels.optimalUplinkSE
                columns["se_ul_pred", default: []] += labels.uplinkSE(ul)
                columns["se_dl_opt", default: []] += labels.optimalDownlinkSETotal
                columns["se_dl_pred", default: []] += labels.downlinkSE(dl)
                done += 1
                context.progress(done, of: total)
            }
            let out = try context.output.createGroup("K\(K)_\(g)")
            try out.setAttribute("K", String(K))
            try out.setAttribute("sigma_m", input.params["sigma"]?.display ?? "0")
            for (name, values) in columns.sorted(by: { $0.key < $1.key }) {
                try out.write(name, values, shape: [n, K]).setAttribute("units", name.hasPrefix("se") ? "bit/s/Hz" : "mW")
            }
            try out.write("latency_ms", latency, shape: [n])
        }
    }
}
