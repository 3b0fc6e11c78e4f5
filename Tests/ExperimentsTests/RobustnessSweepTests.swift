import Foundation
import Pipeline
import Testing
import TestSupport
@testable import Experiments

/// manifests/robustness-sweep.yaml: "train and test at σ ∈ {0, 2, 5, 10}" is one σ axis on the layouts
/// that train and evaluate follow, not a stage per σ.
struct RobustnessSweepTests {
    @Test func theSigmaSweepPlansToOneTrainingAndOneEvaluationPerSigma() throws {
        let path = Fixtures.testsDirectory.deletingLastPathComponent().appendingPathComponent("manifests/robustness-sweep.yaml").path
        let p = try Manifest.load(path).plan(registry: StageRegistry(toyStageKinds + experimentStageKinds))
        let ids = { (stage: String) in p.instances(of: stage).map { p.instances[$0].id } }
        #expect(p.instances.count == 12 + 16 + 4 + 4 + 1)
        #expect(ids("train") == ["train[sigma=0]", "train[sigma=2]", "train[sigma=5]", "train[sigma=10]"])
        #expect(ids("evaluate") == ["evaluate[sigma=0]", "evaluate[sigma=2]", "evaluate[sigma=5]", "evaluate[sigma=10]"])
        let (trains, evaluations) = (p.instances(of: "train"), p.instances(of: "evaluate"))
        for (i, sigma) in [0.0, 2, 5, 10].enumerated() {
            let t = trains[i], train = p.instances[t], evaluate = p.instances[evaluations[i]]
            // Trained with fresh errors of σ on the drops observed at σ, over K = 10, 20, 40.
            #expect(train.record.params["train_sigma"]?.number == sigma)
            #expect(train.inputs[0].instances.map { p.instances[$0].id }
                    == [10, 20, 40].map { "train-layouts[K=\($0),sigma=\(ParamValue.double(sigma).display)]" })
            // Tested on the drops at the same σ, K = 10…60, with the model of that σ.
            #expect(evaluate.inputs[0].instances == [t])
            #expect(evaluate.inputs[1].instances.map { p.instances[$0].record.params["sigma"]?.number } == [sigma, sigma, sigma, sigma])
            #expect(evaluate.readerParams["sigma"]?.number == sigma)
        }
        // The figure gathers all four evaluations.
        #expect(p.instances[p.instances(of: "robustness-figure")[0]].inputs[0].instances.count == 4)
    }
}
