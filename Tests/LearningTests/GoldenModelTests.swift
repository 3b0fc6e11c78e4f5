import Foundation
import H5
import Learning
import Linalg
import ModelCheck
import Testing
import TestSupport

/// `cellfree verify-model` on the golden PyTorch model files: outputs within 1e-5 and gradients within
/// 1e-3 of each tensor's largest entry, identical hard masks, exact parameter counts.
struct GoldenModelTests {
    static let variants = ["elu_cosformer", "cosformer_relu", "transformer_softmax", "performer", "longformer", "tree_transformer"]

    static func expectPasses(_ path: String) throws {
        let report = try verifyModelFile(path)
        for check in report.checks where !check.passed { Issue.record("\(path): \(check)") }
        // Every output, the loss, every parameter and input gradient, and the mask (not the Tree) are checked.
        #expect(report.checks.filter { $0.kind == .gradient }.count >= 20)
        #expect(report.checks.contains { $0.kind == .mask } == (report.variant != "tree_transformer"))
        #expect(report.passed)
    }

    @Test(arguments: variants)
    func smallConfiguration(_ variant: String) throws {
        try Self.expectPasses(Fixtures.model(variant + "_small.h5"))
    }

    @Test(.enabled(if: Fixtures.hasSharedGoldenModels, "needs ../shared/golden/models (our machines; not in a clone)"), arguments: variants)
    func paperConfiguration(_ variant: String) throws {
        try Self.expectPasses(Fixtures.sharedGoldenModels.appendingPathComponent(variant + "_paper.h5").path)
    }

    @Test func paperParameterCounts() {
        var rng = RandomStream(seed: 1, name: "init")
        for attention in [AttentionKind.cosFormer(.eluPlusOne), .softmax, .performer(features: 256), .slidingWindow(4)] {
            var c = ClusterPowerNetConfig()
            c.attention = attention
            #expect(ClusterPowerNet<Float>(config: c, using: &rng).parameters.count == 104_353)
        }
        #expect(TreeTransformer<Float>(config: TreeTransformerConfig(), using: &rng).parameters.count == 584_354)
    }

    @Test func unreadableFilesAreReported() {
        #expect(throws: ModelFileError.self) { try verifyModelFile("/nonexistent/model.h5") }
        #expect(throws: ModelFileError.self) { try verifyModelFile(Fixtures.model("ops.h5")) }
    }
}

/// A golden file with one output and one gradient perturbed: verify-model flags exactly those two.
struct TamperedModelFileTests {
    /// Copies every float32 dataset of `source` (recursively) and the root attributes into `target`,
    /// passing each through `edit(path, values)`.
    static func copy(_ source: String, to target: String, edit: (String, [Float]) -> [Float]) throws {
        let input = try H5File.open(source), output = try H5File.create(target)
        for name in ["config", "param_order", "model", "checks", "torch_version"] where input.hasAttribute(name) {
            try output.setAttribute(name, try input.stringAttribute(name))
        }
        try output.setAttribute("n_params", scalar: try input.attribute("n_params", as: Int64.self)[0])
        func walk(_ group: H5Group, _ prefix: String) throws {
            for (name, kind) in try group.members() {
                let path = prefix.isEmpty ? name : prefix + "/" + name
                switch kind {
                case .group: try walk(try group.group(name), path)
                case .dataset:
                    let a = try group.read(name, as: Float.self)
                    try output.write(path, edit(path, a.values), shape: a.shape)
                default: break
                }
            }
        }
        try walk(input, "")
        try output.close()
    }

    @Test func reportsExactlyTheTamperedTensors() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let target = scratch.path("tampered.h5")
        try Self.copy(Fixtures.model("elu_cosformer_small.h5"), to: target) { path, values in
            switch path {
            case "outputs/ul_norm": return values.map { $0 + 1e-3 }                 // 1e-3 ≫ 1e-5 of scale ≤ 1
            case "grads/params/embed.W": return values.enumerated().map { $0.offset == 0 ? $0.element + 0.01 * values.map(abs).max()! : $0.element }
            default: return values
            }
        }
        let report = try verifyModelFile(target)
        #expect(Set(report.checks.filter { !$0.passed }.map(\.name)) == ["outputs/ul_norm", "grads/params/embed.W"])
    }
}
