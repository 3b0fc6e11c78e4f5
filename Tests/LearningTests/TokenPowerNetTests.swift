@testable import Learning
import Linalg
import ModelStore
import Testing

/// The Tree paper's Table II baselines (papers.md §4.6): their parameter counts, gradients and storage.
struct TokenPowerNetTests {
    /// Table II: Transformer 845,826; CosFormer and Performer 102,338 (F = 256) at L = 16.
    @Test func parameterCountsMatchTableII() {
        var rng = RandomStream(seed: 1, name: "token-count")
        #expect(TokenPowerNet<Float>(config: .transformer, using: &rng).parameters.count == 845_826)
        #expect(TokenPowerNet<Float>(config: .linear(.cosFormer(.relu)), using: &rng).parameters.count == 102_338)
        #expect(TokenPowerNet<Float>(config: .linear(.performer(features: 256)), using: &rng).parameters.count == 102_338)
    }

    func tiny(_ attention: AttentionKind, postNorm: Bool) -> TokenPowerNetConfig {
        var c = TokenPowerNetConfig()
        (c.attention, c.L, c.dModel, c.heads, c.layers, c.dFF, c.postNorm) = (attention, 3, 8, 2, 2, 12, postNorm)
        return c
    }

    /// The backward pass of the whole loss against central differences in every parameter (Float64).
    @Test(arguments: [(AttentionKind.softmax, true), (.cosFormer(.relu), false), (.performer(features: 6), false)])
    func lossGradientMatchesFiniteDifferences(_ attention: AttentionKind, _ postNorm: Bool) {
        var rng = RandomStream(seed: 3, name: "token-grad")
        let net = TokenPowerNet<Double>(config: tiny(attention, postNorm: postNorm), using: &rng)
        let (B, K) = (2, 4)
        func uniform(_ shape: [Int]) -> Tensor<Double> { Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in rng.uniform() }) }
        let batch = PowerBatch(ue: uniform([B, K, 2]), ap: uniform([B, 3, 2]), ul: uniform([B, K]), dl: uniform([B, K]))
        let names = net.parameters.names
        let error = GradientCheckTests.gradientError(names.map { net.parameters[$0]! }) { tape, leaves in
            let bound = BoundParameters(variables: Dictionary(uniqueKeysWithValues: zip(names, leaves).map { ($0, $1) }))
            return net.loss(tape, bound, batch, dropout: nil)
        }
        #expect(error < 1e-6)
    }

    /// An archive round trip keeps the configuration, weights and Performer projections, and the outputs.
    @Test(arguments: [AttentionKind.softmax, .cosFormer(.relu), .performer(features: 6)])
    func aTokenNetComesBackUnchanged(_ attention: AttentionKind) throws {
        let config = tiny(attention, postNorm: attention == .softmax)
        var rng = RandomStream(seed: 5, name: "token-archive")
        let net = TokenPowerNet<Float>(config: config, using: &rng)
        let back = try ModelArchiveTests().roundTrip(ModelArchive(config: .tokenNet(config), parameters: net.parameters, projections: net.omegas))
        guard case .tokenNet(let restored) = restoreModel(from: back) else { Issue.record("not a token net"); return }
        #expect(restored.config == config && restored.parameters == net.parameters && restored.omegas == net.omegas)
        #expect(back.config.variant == attention.tokenVariantName)
        let ue = Tensor<Float>(shape: [1, 4, 2], values: (0..<8).map { _ in Float(rng.uniform()) })
        let ap = Tensor<Float>(shape: [1, 3, 2], values: (0..<6).map { _ in Float(rng.uniform()) })
        #expect(restored.normalisedPowers(ue: ue, ap: ap) == net.normalisedPowers(ue: ue, ap: ap))
    }
}
