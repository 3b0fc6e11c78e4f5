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
    /// passing each dataset through `edit(path, values)`.
    static func copy(_ source: String, to target: String, edit: (String, [Float]) -> [Float]) throws {
        try copy(source, to: target, attribute: { $1 }, dataset: { path, shape, values in (shape, edit(path, values)) })
    }

    /// The same, with string attributes through `attribute(name, text)` and datasets through
    /// `dataset(path, shape, values)`, which may change the shape (an empty shape drops the dataset).
    static func copy(_ source: String, to target: String, attribute: (String, String) -> String,
                     dataset: (String, [Int], [Float]) -> ([Int], [Float])) throws {
        let input = try H5File.open(source), output = try H5File.create(target)
        for name in ["config", "param_order", "model", "checks", "torch_version"] where input.hasAttribute(name) {
            try output.setAttribute(name, attribute(name, try input.stringAttribute(name)))
        }
        try output.setAttribute("n_params", scalar: try input.attribute("n_params", as: Int64.self)[0])
        func walk(_ group: H5Group, _ prefix: String) throws {
            for (name, kind) in try group.members() {
                let path = prefix.isEmpty ? name : prefix + "/" + name
                switch kind {
                case .group: try walk(try group.group(name), path)
                case .dataset:
                    let a = try group.read(name, as: Float.self)
                    let (shape, values) = dataset(path, a.shape, a.values)
                    if a.shape.isEmpty || !shape.isEmpty { try output.write(path, values, shape: shape) }
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

/// Readable but inconsistent golden files are refused before the model runs (a mismatch would trap
/// inside a kernel), by an error that names the field.
struct InconsistentModelFileTests {
    /// `source` with the config's `key` set to `value` (JSON text).
    static func withConfig(_ source: String, _ key: String, _ value: String, in scratch: ScratchDirectory) throws -> String {
        let target = scratch.path("\(key)-\(value).h5")
        try TamperedModelFileTests.copy(Fixtures.model(source), to: target, attribute: { name, text in
            guard name == "config" else { return text }
            var config = try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            config[key] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
            return String(decoding: try! JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        }, dataset: { ($1, $2) })
        return target
    }

    static func expectRefused(_ path: String, naming item: String) {
        do {
            _ = try verifyModelFile(path)
            Issue.record("\(path): accepted")
        } catch let error as ModelFileError {
            #expect("\(error)".contains(item), "\(error)")
        } catch {
            Issue.record("\(path): \(error)")
        }
    }

    @Test func configsThatContradictTheParametersOrInputs() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        for (source, key, value, item) in [
            ("tree_transformer_small.h5", "n_heads", "3", "config.n_heads: 3 does not divide d_model = 16"),
            ("tree_transformer_small.h5", "n_heads", "0", "config.n_heads: 0 is not a whole number"),
            ("tree_transformer_small.h5", "n_layers", "5", "attribute param_order"),
            ("tree_transformer_small.h5", "L", "-4", "config.L"),
            ("elu_cosformer_small.h5", "L", "-4", "config.L: -4 is not a whole number"),
            ("elu_cosformer_small.h5", "L", "5", "dataset params/"),
            ("elu_cosformer_small.h5", "d_model", "1e12", "config.d_model"),
            ("performer_small.h5", "performer_m", "9", "dataset buffers/layers.0.attn.omega: shape [8, 8], the config implies [9, 8]"),
        ] {
            Self.expectRefused(try Self.withConfig(source, key, value, in: scratch), naming: item)
        }
    }

    @Test func parametersInputsAndParamOrderOfTheWrongShape() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let source = Fixtures.model("tree_transformer_small.h5")
        let cases: [(String, (String, String) -> String, (String, [Int], [Float]) -> ([Int], [Float]), String)] = [
            ("weight", { $1 }, { p, s, v in p == "params/dec_l2.W" ? ([s[0] - 1, s[1]], Array(v.dropLast(s[1]))) : (s, v) }, "dataset params/dec_l2.W"),
            ("input", { $1 }, { p, s, v in p == "inputs/ue_pos" ? ([s[0], s[1] * 2, 1], v) : (s, v) }, "dataset inputs/ue_pos"),
            ("target", { $1 }, { p, s, v in p == "targets/dl" ? ([s[0] * s[1]], v) : (s, v) }, "dataset targets/dl"),
            ("order", { name, text in
                guard name == "param_order" else { return text }
                let names = try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String]
                return String(decoding: try! JSONSerialization.data(withJSONObject: Array(names.dropLast())), as: UTF8.self)
            }, { ($1, $2) }, "attribute param_order"),
        ]
        for (name, attribute, dataset, item) in cases {
            let target = scratch.path(name + ".h5")
            try TamperedModelFileTests.copy(source, to: target, attribute: attribute, dataset: dataset)
            Self.expectRefused(target, naming: item)
        }
    }
}
