import Foundation
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

    @Test(arguments: variants)
    func paperConfiguration(_ variant: String) throws {
        let path = Fixtures.sharedGoldenModels.appendingPathComponent(variant + "_paper.h5").path
        guard FileManager.default.fileExists(atPath: path) else { return }   // ../shared exists only on our machines
        try Self.expectPasses(path)
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
