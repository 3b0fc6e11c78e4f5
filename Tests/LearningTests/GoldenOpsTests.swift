import H5
import Learning
import Linalg
import Testing
import TestSupport

/// Single operations against the PyTorch reference (golden/models/ops.h5): outputs and input gradients
/// for the stored upstream gradient. The reference computed in float64 from float32 inputs and stored
/// float32, so our Float64 run must agree to float32 rounding (1e-6 of each tensor's largest entry),
/// and our Float32 run to the README's float32 tolerances (outputs 1e-5, gradients 1e-3).
struct GoldenOpsTests {
    static func load<T: TensorScalar>(_ group: H5Group, _ name: String, as: T.Type) throws -> Tensor<T> {
        let a = try group.read(name, as: Float.self)
        return Tensor(shape: a.shape, values: a.values.map { T($0) })
    }

    static func error<T: TensorScalar>(_ ours: Tensor<T>?, _ golden: Tensor<T>) -> Double {
        guard let ours, ours.shape == golden.shape else { return .infinity }
        let scale = golden.values.map { Double(abs($0)) }.max()!
        return zip(ours.values, golden.values).map { Double(abs($0 - $1)) }.max()! / scale
    }

    /// Runs `op` on the group's inputs and compares the output and each input gradient.
    static func check<T: TensorScalar>(_ groupName: String, inputs: [String], output: String, upstream: String,
                                       as: T.Type, outputTolerance: Double, gradientTolerance: Double,
                                       _ op: (Tape<T>, [Variable], H5Group) throws -> Variable) throws {
        let file = try H5File.open(Fixtures.model("ops.h5"))
        let group = try file.group(groupName)
        let tape = Tape<T>()
        let leaves = try inputs.map { tape.leaf(try load(group, $0, as: T.self)) }
        let out = try op(tape, leaves, group)
        #expect(error(tape.value(out), try load(group, output, as: T.self)) <= outputTolerance, "\(groupName) \(output) (\(T.self))")
        tape.backward(out, seed: try load(group, upstream, as: T.self))
        for (name, leaf) in zip(inputs, leaves) {
            let e = error(tape.gradient(leaf), try load(group, "d" + name, as: T.self))
            #expect(e <= gradientTolerance, "\(groupName) d\(name) (\(T.self)): \(e)")
        }
    }

    static func bothPrecisions(_ groupName: String, inputs: [String], output: String, upstream: String,
                               _ op: @escaping (Tape<Double>, [Variable], H5Group) throws -> Variable,
                               _ op32: @escaping (Tape<Float>, [Variable], H5Group) throws -> Variable) throws {
        try check(groupName, inputs: inputs, output: output, upstream: upstream, as: Double.self,
                  outputTolerance: 1e-6, gradientTolerance: 1e-6, op)
        try check(groupName, inputs: inputs, output: output, upstream: upstream, as: Float.self,
                  outputTolerance: 1e-5, gradientTolerance: 1e-3, op32)
    }

    @Test func layerNorm() throws {
        try Self.bothPrecisions("layernorm", inputs: ["x", "gamma", "beta"], output: "y", upstream: "dy",
                                { t, v, _ in t.layerNorm(v[0], gamma: v[1], beta: v[2]) },
                                { t, v, _ in t.layerNorm(v[0], gamma: v[1], beta: v[2]) })
    }

    @Test func elu() throws {
        try Self.bothPrecisions("elu", inputs: ["x"], output: "y", upstream: "dy",
                                { t, v, _ in t.activation(v[0], .elu) }, { t, v, _ in t.activation(v[0], .elu) })
    }

    @Test(arguments: [("cosformer_core_elu1", Activation.eluPlusOne), ("cosformer_core_relu", .relu)])
    func cosFormerCore(_ group: String, _ phi: Activation) throws {
        try Self.bothPrecisions(group, inputs: ["q", "k", "v"], output: "out", upstream: "dout",
                                { t, v, _ in t.linearAttention(t.cosFormerFeatures(v[0], map: phi), t.cosFormerFeatures(v[1], map: phi), v[2]) },
                                { t, v, _ in t.linearAttention(t.cosFormerFeatures(v[0], map: phi), t.cosFormerFeatures(v[1], map: phi), v[2]) })
    }

    @Test(arguments: [("softmax_core", nil), ("sliding_window_core", 2)] as [(String, Int?)])
    func softmaxCore(_ group: String, _ window: Int?) throws {
        try Self.bothPrecisions(group, inputs: ["q", "k", "v"], output: "out", upstream: "dout",
                                { t, v, _ in t.softmaxAttention(v[0], v[1], v[2], window: window) },
                                { t, v, _ in t.softmaxAttention(v[0], v[1], v[2], window: window) })
    }

    @Test func performerCore() throws {
        try Self.bothPrecisions("performer_core", inputs: ["q", "k", "v"], output: "out", upstream: "dout",
                                { t, v, g in
                                    let omega = try Self.load(g, "omega", as: Double.self)
                                    return t.linearAttention(t.performerFeatures(v[0], omega: omega), t.performerFeatures(v[1], omega: omega), v[2])
                                },
                                { t, v, g in
                                    let omega = try Self.load(g, "omega", as: Float.self)
                                    return t.linearAttention(t.performerFeatures(v[0], omega: omega), t.performerFeatures(v[1], omega: omega), v[2])
                                })
    }
}
