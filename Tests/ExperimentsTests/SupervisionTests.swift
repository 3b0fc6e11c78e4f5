import Foundation
import H5
import Linalg
import Pipeline
import Testing
import TestSupport
@testable import Experiments

/// The drops a training run sees and the result groups a figure reads, from hand-made result files.
struct SupervisionTests {
    /// A `layouts` result of n drops (K UEs, L = 4 APs on the grid) with its plan parameters.
    func layouts(_ dir: ScratchDirectory, n: Int, K: Int) throws -> StageInput {
        let L = 4, path = dir.path("layouts.h5")
        var rng = RandomStream(seed: 3, name: "supervision-test")
        let file = try H5File.create(path)
        let ue = (0..<(n * K * 2)).map { _ in 500 * rng.uniform() }
        let grid: [Double] = [125, 125, 375, 125, 125, 375, 375, 375]
        let ap = (0..<n).flatMap { _ in grid }
        try file.write("ue", ue, shape: [n, K, 2])
        try file.write("ue_seen", ue, shape: [n, K, 2])
        try file.write("ap", ap, shape: [n, L, 2])
        try file.write("ap_seen", ap, shape: [n, L, 2])
        try file.write("shadow_z", rng.normals(n * L * K), shape: [n, L, K])
        try file.close()
        var params = Dictionary(uniqueKeysWithValues: LayoutsStage.Parameters.specs.compactMap { s in s.defaultValue.map { (s.name, $0) } })
        (params["K"], params["L"], params["count"]) = (.int(K), .int(L), .int(n))
        return StageInput(params: params, kind: "layouts", key: "k", path: path)
    }

    @Test func theValidationShareIsHeldOutAndEveryTrainingDropIsBatchedOncePerEpoch() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let set = try ClusterTrainingSet([try layouts(dir, n: 10, K: 3)], side: 500, validationFraction: 0.2, id: "t")
        #expect(set.training.map(\.count) == [8] && set.validation.map(\.count) == [2])
        var rng = RandomStream(seed: 1, name: "epoch")
        let batches = set.batches(size: 3, using: &rng)
        #expect(batches.map(\.indices.count).sorted() == [2, 3, 3])
        #expect(batches.flatMap(\.indices).sorted() == Array(0..<8))
        // Positions reach the model divided by the side (linear-attention paper (28)).
        let raw = try H5File.open(dir.path("layouts.h5"))
        defer { try? raw.close() }
        let ue = try raw.read("ue_seen", as: Double.self).values
        #expect(zip(set.training[0].ue, ue).allSatisfy { isClose(Double($0), $1 / 500, absolute: 1e-6) })
    }

    /// `penalty: refined-target`: the clustering targets are the max-min-refined clusters of a `baselines`
    /// input on the same drops, split as the drops are (training first, validation last); without such
    /// an input for a training K, or without the scheme, the stage stops with a message naming them.
    @Test func refinedTargetsComeFromTheBaselinesOfTheSameDrops() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let (n, K, L) = (5, 3, 4)
        let drops = try layouts(dir, n: n, K: K)
        let links = (0..<(n * K * L)).map { UInt8(($0 * 7) % 3 == 0 ? 1 : 0) }
        let file = try H5File.create(dir.path("targets.h5"))
        try file.createGroup("max-min-refined").write("clusters", links, shape: [n, K, L])
        try file.close()
        let targets = StageInput(params: [:], kind: "baselines", key: "t", path: dir.path("targets.h5"))
        let set = try ClusterTrainingSet([drops], targets: ([targets], "max-min-refined"), side: 500, validationFraction: 0.2, id: "t")
        let rows = (0..<n).map { links[($0 * K * L)..<(($0 + 1) * K * L)].map(Float.init) }
        #expect(set.training[0].targetLinks == Array(rows[0..<4]) && set.validation[0].targetLinks == [rows[4]])
        let plain = try ClusterTrainingSet([drops], side: 500, validationFraction: 0.2, id: "t")
        #expect(plain.training[0].targetLinks != set.training[0].targetLinks)
        let other = try H5File.create(dir.path("other.h5"))
        try other.createGroup("max-min-refined").write("clusters", Array(links[0..<(4 * K * L)]), shape: [4, K, L])
        try other.close()
        let short = StageInput(params: [:], kind: "baselines", key: "o", path: dir.path("other.h5"))
        #expect(throws: PipelineError.self) { try ClusterTrainingSet([drops], targets: ([short], "max-min-refined"), side: 500, validationFraction: 0.2, id: "t") }
        let none = try H5File.create(dir.path("none.h5"))
        try none.createGroup("cf")
        try none.close()
        let missing = StageInput(params: [:], kind: "baselines", key: "m", path: dir.path("none.h5"))
        #expect(throws: PipelineError.self) { try ClusterTrainingSet([drops], targets: ([missing], "max-min-refined"), side: 500, validationFraction: 0.2, id: "t") }
    }

    /// Batches of one K each, but the K interleave: over 20 epochs of two inputs × 5 batches, the epoch's
    /// order is not input 0's batches then input 1's (probability 1/252 per epoch by chance).
    @Test func batchesOfDifferentInputsInterleave() {
        var interleaved = 0
        for epoch in 0..<20 {
            var rng = RandomStream(seed: 7, name: "train-order", index: UInt64(epoch))
            let batches = TrainingSplit.batches(groupSizes: [10, 10], size: 2, using: &rng)
            #expect(batches.count == 10 && batches.filter { $0.group == 0 }.flatMap(\.indices).sorted() == Array(0..<10))
            if batches.map(\.group) != [0, 0, 0, 0, 0, 1, 1, 1, 1, 1] { interleaved += 1 }
        }
        #expect(interleaved == 20)
    }

    @Test func baselinesGroupsTakeKLAndThePilotModelFromTheirParameters() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = dir.path("baselines.h5")
        let file = try H5File.create(path)
        let cf = try file.createGroup("cf")
        try cf.write("se_ul", (0..<12).map(Double.init), shape: [3, 4])
        try cf.write("links", [Int64(16), 16, 16], shape: [3])
        try file.close()
        var params = Dictionary(uniqueKeysWithValues: BaselinesStage.Parameters.specs.compactMap { s in s.defaultValue.map { (s.name, $0) } })
        (params["K"], params["L"], params["pilots"]) = (.int(4), .int(9), .string("reuse"))
        let groups = try resultGroups([StageInput(params: params, kind: "baselines", key: "b", path: path)])
        #expect(groups.count == 1)
        let g = try #require(groups.first)
        #expect(g.series == "cf" && g.K == 4 && g.L == 9 && g.pilots == "reuse" && g.drops == 3)
        #expect(g.perUE["se_ul"] == (0..<12).map(Double.init) && g.perDrop["links"] == [16, 16, 16])
    }

    /// Evaluations of one model are one series whatever references they compute (`references`,
    /// `power_layer`: the Table IV and runtime columns of ELU-CosFormer gather evaluate-elu and
    /// evaluate-variants), while a setting of the evaluation itself (here the labels' realizations) names
    /// its own series.
    @Test func evaluationsOfOneModelAreOneSeriesWhateverReferencesTheyCompute() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let defaults = Dictionary(uniqueKeysWithValues: EvaluateStage.Parameters.specs.compactMap { s in s.defaultValue.map { (s.name, $0) } })
        func evaluation(_ name: String, _ changes: [String: ParamValue]) throws -> StageInput {
            let path = dir.path("\(name).h5")
            let file = try H5File.create(path)
            try file.setAttribute("model", "elu_cosformer")
            let g = try file.createGroup("K2_sigma0")
            try g.write("se_ul_pred", [1.0, 2, 3, 4], shape: [2, 2])
            try g.write("latency_ms", [0.5, 0.25], shape: [2])
            try file.close()
            return StageInput(params: defaults.merging(changes) { $1 }, kind: "evaluate", key: name, path: path)
        }
        let same = try resultGroups([try evaluation("all", [:]), try evaluation("plain", ["references": .bool(false)]),
                                     try evaluation("layer", ["power_layer": .bool(true)])])
        #expect(same.map(\.series) == ["elu_cosformer", "elu_cosformer", "elu_cosformer"] && same.allSatisfy { $0.K == 2 && $0.drops == 2 })
        let other = try resultGroups([try evaluation("all", [:]), try evaluation("fewer", ["realizations": .int(50)])])
        #expect(Set(other.map(\.series)) == ["elu_cosformer realizations=100", "elu_cosformer realizations=50"])
    }
}

/// `model-sensitivity`: one row per setting of the parameters that differ, one column per K, each cell the
/// mean of the drops' smallest per-UE SE.
struct SensitivityTableTests {
    func baselines(_ dir: ScratchDirectory, _ name: String, K: Int, correlation: String, ul: [Double], dl: [Double]) throws -> StageInput {
        let path = dir.path("\(name).h5")
        let file = try H5File.create(path)
        let cf = try file.createGroup("cf")
        try cf.write("se_ul", ul, shape: [ul.count / K, K])
        try cf.write("se_dl", dl, shape: [dl.count / K, K])
        try file.close()
        var params = Dictionary(uniqueKeysWithValues: BaselinesStage.Parameters.specs.compactMap { s in s.defaultValue.map { (s.name, $0) } })
        (params["K"], params["correlation"]) = (.int(K), .string(correlation))
        return StageInput(params: params, kind: "baselines", key: name, path: path)
    }

    @Test func rowsAreSettingsColumnsAreKAndCellsAreMeanMaxMinSE() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let inputs = [
            // Two drops of K = 2: minima 1 and 3 (UL), 2 and 4 (DL).
            try baselines(dir, "a", K: 2, correlation: "local-scattering", ul: [1, 5, 3, 4], dl: [2, 2, 4, 6]),
            try baselines(dir, "b", K: 2, correlation: "iid", ul: [2, 2, 2, 2], dl: [1, 9, 1, 9]),
            try baselines(dir, "c", K: 3, correlation: "iid", ul: [0.5, 1, 1], dl: [0.25, 1, 1]),
        ]
        let t = try sensitivityTable(inputs, id: "t")
        #expect(t.header == ["Scheme: setting", "K = 2: UL / DL", "K = 3: UL / DL"])
        #expect(t.rows == [["Optimal CF: correlation = local-scattering", "2.00 / 3.00", "–"],
                           ["Optimal CF: correlation = iid", "2.00 / 1.00", "0.50 / 0.25"]])
        #expect(t.note.contains("K = 2: UL 2–2, DL 1–3"))
        #expect(throws: PipelineError.self) { try sensitivityTable(Array(inputs.prefix(1)), id: "t") }
    }
}

/// The training recipe of the Tree paper's code: cosine annealing and the best weights by validation.
struct FitRecipeTests {
    @Test func cosineAnnealingRunsFromLrToLrMinOverTheEpochs() {
        var fit = FitParameters(epochs: 100, batch: 128, schedule: .cosine, keep: .bestValidation)
        #expect(fit.learningRate(epoch: 0) == 1e-3)
        #expect(isClose(fit.learningRate(epoch: 50), (1e-3 + 1e-6) / 2, relative: 1e-12))
        // PyTorch's CosineAnnealingLR(T_max = 100) at epoch 99: η_min + ½(η − η_min)(1 + cos(99π/100)).
        let last: Double = 1e-6 + 0.5 * (1e-3 - 1e-6) * (1 + Foundation.cos(0.99 * Double.pi))
        #expect(isClose(fit.learningRate(epoch: 99), last, relative: 1e-12))
        #expect((1..<100).allSatisfy { fit.learningRate(epoch: $0) < fit.learningRate(epoch: $0 - 1) })
        fit = FitParameters(epochs: 100, batch: 128)
        #expect(fit.learningRate(epoch: 73) == 1e-3 && fit.keep == .last)
    }

    @Test func theBestEpochIsTheFirstLowestFiniteValidationLoss() {
        var h = FitHistory()
        #expect(h.bestValidationEpoch == nil)
        h.validation = [0.5, .nan, 0.2, 0.3, 0.2]
        #expect(h.bestValidationEpoch == 2)
    }
}

/// The two-sample Kolmogorov–Smirnov distance of Fig. 5's finding, on cases with known answers.
struct KolmogorovSmirnovTests {
    @Test func knownDistances() {
        #expect(kolmogorovSmirnovDistance([1, 2, 3], [1, 2, 3]) == 0)
        #expect(kolmogorovSmirnovDistance([1, 2], [3, 4]) == 1)
        #expect(isClose(kolmogorovSmirnovDistance([1, 2, 3], [2, 3, 4]), 1.0 / 3, relative: 1e-15))
        // Unequal sizes: the largest gap is at x = 4, where F_a = ½ and F_b = 1.
        #expect(isClose(kolmogorovSmirnovDistance([1, 5], [1, 2, 3, 4]), 0.5, relative: 1e-15))
        #expect(kolmogorovSmirnovDistance([], [1]).isNaN)
    }
}

/// Tree Fig. 6 from a hand-made evaluate result: the plotted statistics and the finding's checks.
struct TreeFigureTests {
    /// Two drops of K = 2 at L = 16 and σ = 5 m: optimal SEs equal per drop (the max-min optimum),
    /// predicted ones spread around them.
    func evaluateInput(_ dir: ScratchDirectory) throws -> StageInput {
        let path = dir.path("evaluate.h5")
        let file = try H5File.create(path)
        try file.setAttribute("model", "tree")
        for (name, K, optimal, predicted) in [("K2_0", 2, [3.0, 3.0, 2.0, 2.0], [3.2, 2.6, 2.1, 2.1]),
                                              ("K10_1", 10, [Double](repeating: 2.5, count: 10), [Double](repeating: 2.0, count: 10))] {
            let g = try file.createGroup(name)
            try g.setAttribute("K", String(K))
            try g.setAttribute("L", "16")
            try g.setAttribute("sigma_m", "5.0")
            let n = optimal.count / K
            for dir in ["ul", "dl"] {
                try g.write("se_\(dir)_opt", optimal, shape: [n, K])
                try g.write("se_\(dir)_pred", predicted, shape: [n, K])
            }
            try g.write("latency_ms", [Double](repeating: 0.4, count: n), shape: [n])
        }
        try file.close()
        return StageInput(params: [:], kind: "evaluate", key: "e", path: path)
    }

    @Test func fig6aPlotsTheMaxMinOptimumAndBothPredictedStatisticsAndChecksThem() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let paper = PaperCurve(x: [2, 10], ul: [2.6, 3.5], dl: [2.6, 3.5], tolerance: 0.5, gap: 0.12)
        let (csv, _, finding) = try treeSEPlot(.seVsKPredicted, file: "f", inputs: [try evaluateInput(dir)], script: "", paper: paper, id: "t")
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = rows[0]
        func cell(_ K: String, _ column: String) throws -> Double {
            let row = try #require(rows.first { $0[0] == K }), i = try #require(header.firstIndex(of: column))
            return try #require(Double(row[i]))
        }
        // K = 2: optimum (3 + 2)/2 = 2.5; predicted mean (3.2 + 2.6 + 2.1 + 2.1)/4 = 2.5; minima (2.6 + 2.1)/2 = 2.35.
        #expect(isClose(try cell("2", "Optimal_(max-min)_ul"), 2.5, relative: 1e-12))
        #expect(isClose(try cell("2", "Predicted_(mean_per-UE)_ul"), 2.5, relative: 1e-12))
        #expect(isClose(try cell("2", "Predicted_(minimum_per-UE)_dl"), 2.35, relative: 1e-12))
        // K = 2 agrees with 2.6 within 0.5; K = 10 (2.5 vs 3.5) differs by −1.00.
        #expect(finding.contains("K = 2: 2.50 vs 2.60, agrees (±0.5)"))
        #expect(finding.contains("K = 10: 2.50 vs 3.50, differs by -1.00"))
        // Mean |predicted − optimal| over K: (0 + 0.5)/2 = 0.25 > 0.12.
        #expect(finding.contains("mean over K of |predicted − optimal| 0.250"))
        #expect(finding.contains("within 0.12 on average: differs"))
    }

    @Test func fig6bNeedsDropsWithKEqualTen() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let paper = PaperCurve(x: [16], ul: [2.5], dl: [2.5], tolerance: 0.5, gap: 0)
        let (_, _, finding) = try treeSEPlot(.seVsLPredicted, file: "f", inputs: [try evaluateInput(dir)], script: "", paper: paper, id: "t")
        #expect(finding.contains("L = 16: 2.50 vs 2.50, agrees"))
        #expect(finding.contains("does not grow with L") == false && finding.contains("grows with L"))
    }
}

/// The static models' label normalisation (Tree paper (12) and its log variant) and its inverse.
struct PowerLabelScaleTests {
    @Test func linearIsThePapersMinMaxAndLogIsMinMaxOfDecades() throws {
        let linear = PowerLabelScale(kind: .linear, ulLabels: [0.5, 100], dlLabels: [10, 210], ulMax: 100)
        #expect(linear.normalised(25, uplink: true) == 0.25 && linear.normalised(60, uplink: false) == 0.25)
        let log = PowerLabelScale(kind: .log, ulLabels: [0.01, 100], dlLabels: [1, 1000], ulMax: 100)
        // UL over [10⁻², 10²] mW: 1 mW is half-way; DL over [1, 10³]: 10 mW is a third.
        #expect(isClose(log.normalised(1, uplink: true), 0.5, relative: 1e-12))
        #expect(isClose(log.normalised(10, uplink: false), 1.0 / 3, relative: 1e-12))
        // Below the range clamps to 0; the floor is p_max·10⁻⁶.
        #expect(log.normalised(1e-9, uplink: true) == 0)
        #expect(isClose(PowerLabelScale(kind: .log, ulLabels: [1e-12], dlLabels: [1], ulMax: 100).ul.lowerBound, 1e-4, relative: 1e-12))
        for scale in [linear, log] {
            for p in [0.02, 3.0, 99.0] { #expect(isClose(scale.power(scale.normalised(p, uplink: true), uplink: true), p, relative: 1e-12)) }
            #expect(try PowerLabelScale(normalisers: scale.normalisers, file: "m.h5") == scale)
        }
        #expect(throws: (any Error).self) { try PowerLabelScale(normalisers: [:], file: "m.h5") }
    }
}
