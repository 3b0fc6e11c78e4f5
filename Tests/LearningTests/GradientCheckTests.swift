import Learning
import Linalg
import Testing

/// Every op's backward against central finite differences in Float64: for a random upstream
/// gradient G, d⟨G, f(x)⟩/dx_i ≈ (⟨G, f(x + h·e_i)⟩ − ⟨G, f(x − h·e_i)⟩)/(2h), h = 1e-6. The
/// truncation and rounding errors of that quotient are ~1e-9 relative here; we require 1e-6.
struct GradientCheckTests {
    static func random(_ shape: [Int], _ rng: inout RandomStream, scale: Double = 1) -> Tensor<Double> {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in scale * rng.normal() })
    }

    /// Largest |analytic − numeric| over the largest |numeric|, over every input.
    static func gradientError(_ inputs: [Tensor<Double>], seed: UInt64 = 1,
                              _ f: (Tape<Double>, [Variable]) -> Variable) -> Double {
        let tape = Tape<Double>()
        let leaves = inputs.map { tape.leaf($0) }
        let out = f(tape, leaves)
        var rng = RandomStream(seed: seed, name: "gradient-check")
        let G = random(tape.shape(out), &rng)
        tape.backward(out, seed: G)
        func objective(_ xs: [Tensor<Double>]) -> Double {
            let t = Tape<Double>(recordsGradients: false)
            let y = t.value(f(t, xs.map { t.constant($0) }))
            return zip(y.values, G.values).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var worst = 0.0
        for (n, x) in inputs.enumerated() {
            let analytic = tape.gradient(leaves[n])?.values ?? [Double](repeating: 0, count: x.count)
            var numeric = [Double](repeating: 0, count: x.count)
            for i in 0..<x.count {
                var plus = inputs, minus = inputs
                plus[n].values[i] += 1e-6
                minus[n].values[i] -= 1e-6
                numeric[i] = (objective(plus) - objective(minus)) / 2e-6
            }
            let scale = max(numeric.map(abs).max() ?? 0, 1e-12)
            worst = max(worst, (zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0) / scale)
        }
        return worst
    }

    @Test func dense() {
        var rng = RandomStream(seed: 1, name: "t")
        let inputs = [Self.random([2, 3, 5], &rng), Self.random([5, 4], &rng), Self.random([4], &rng)]
        #expect(Self.gradientError(inputs) { t, v in t.dense(v[0], v[1], v[2]) } < 1e-6)
    }

    @Test(arguments: Activation.allCases)
    func activation(_ f: Activation) {
        var rng = RandomStream(seed: 2, name: "t")
        #expect(Self.gradientError([Self.random([3, 7], &rng, scale: 2)]) { t, v in t.activation(v[0], f) } < 1e-6)
    }

    @Test func arithmeticAndReductions() {
        var rng = RandomStream(seed: 3, name: "t")
        let a = Self.random([2, 3, 4], &rng), b = Self.random([2, 3, 4], &rng), c = Self.random([3, 4], &rng)
        #expect(Self.gradientError([a, b]) { t, v in t.add(v[0], v[1]) } < 1e-6)
        #expect(Self.gradientError([a, b]) { t, v in t.subtract(v[0], v[1]) } < 1e-6)
        #expect(Self.gradientError([a, b]) { t, v in t.multiply(v[0], v[1]) } < 1e-6)
        #expect(Self.gradientError([a, c]) { t, v in t.multiply(v[0], v[1]) } < 1e-6)
        #expect(Self.gradientError([a]) { t, v in t.affine(v[0], scale: 3, shift: 1) } < 1e-6)
        #expect(Self.gradientError([a]) { t, v in t.mean(t.multiply(v[0], v[0])) } < 1e-6)
        #expect(Self.gradientError([a]) { t, v in t.reshape(v[0], [6, 4]) } < 1e-6)
    }

    /// BCE of sigmoid probabilities against 0/1 targets: the gradient check, and the value against
    /// −[t ln p + (1 − t) ln(1 − p)] written out.
    @Test func binaryCrossEntropy() {
        var rng = RandomStream(seed: 10, name: "t")
        let z = Self.random([2, 3, 4], &rng)
        let targets = Tensor<Double>(shape: [2, 3, 4], values: (0..<24).map { _ in rng.uniform() < 0.5 ? 0 : 1 })
        #expect(Self.gradientError([z]) { t, v in t.binaryCrossEntropy(t.activation(v[0], .sigmoid), targets: targets) } < 1e-6)
        let tape = Tape<Double>(recordsGradients: false)
        let p = z.values.map { 1 / (1 + Double.exp(-$0)) }
        let expected = zip(p, targets.values).map { -($1 * Double.log($0) + (1 - $1) * Double.log(1 - $0)) }.reduce(0, +) / 24
        let got = tape.value(tape.binaryCrossEntropy(tape.constant(Tensor(shape: [2, 3, 4], values: p)), targets: targets)).values[0]
        #expect(abs(got - expected) < 1e-12)
    }

    /// The log scale of `power_scale: log`: gradient check above the floor, 0 and 1 at the floor and the max.
    @Test func logNormalised() {
        var rng = RandomStream(seed: 11, name: "t")
        let x = Tensor<Double>(shape: [3, 4], values: (0..<12).map { _ in 1e-4 + rng.uniform() })
        #expect(Self.gradientError([x]) { t, v in t.logNormalised(v[0], floor: 1e-6, max: 3.2) } < 1e-6)
        let tape = Tape<Double>(recordsGradients: false)
        let y = tape.value(tape.logNormalised(tape.constant(Tensor(shape: [3], values: [1e-9, 1e-6, 3.2])), floor: 1e-6, max: 3.2)).values
        #expect(y[0] == 0 && y[1] == 0 && abs(y[2] - 1) < 1e-12)
    }

    /// The per-drop centring of `power_scale: log-relative`: gradient check, and each row's mean 0 with
    /// the differences within a row kept.
    @Test func centredLast() {
        var rng = RandomStream(seed: 13, name: "t")
        let x = Self.random([2, 3, 5], &rng)
        #expect(Self.gradientError([x]) { t, v in t.centredLast(v[0]) } < 1e-6)
        let tape = Tape<Double>(recordsGradients: false)
        let y = tape.value(tape.centredLast(tape.constant(Tensor(shape: [2, 3], values: [1, 2, 6, -1, -1, 5])))).values
        #expect(zip(y, [-2, -1, 3, -2, -2, 4] as [Double]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// The per-drop sort of the quantile term (`quantile_weight`): gradient check (distinct values), the
    /// sorted rows, and the squared Wasserstein-2 closed form: sorted MSE of a row against a shifted
    /// copy of itself in another order is the shift squared.
    @Test func sortedLast() {
        var rng = RandomStream(seed: 14, name: "t")
        let x = Self.random([2, 3, 5], &rng)
        #expect(Self.gradientError([x]) { t, v in t.sortedLast(v[0]) } < 1e-6)
        let tape = Tape<Double>(recordsGradients: false)
        let y = tape.value(tape.sortedLast(tape.constant(Tensor(shape: [2, 3], values: [3, 1, 2, 0, -5, 5])))).values
        #expect(y == [1, 2, 3, -5, 0, 5])
        let row = Tensor<Double>(shape: [1, 4], values: [0.4, -1, 2, 0.1]), shifted: [Double] = [2.3, 0.4, -0.7, 0.7]   // row + 0.3, reordered
        let w2 = tape.value(meanSquaredError(tape, [(tape.sortedLast(tape.constant(row)), Tensor(shape: [1, 4], values: shifted.sorted()))])).values[0]
        #expect(abs(w2 - 0.09) < 1e-12)
    }

    /// The max-min gap (`sinr_weight`): gradient check (UL form, and DL with the busiest-AP rescaling),
    /// then the closed form on powers where every UE reaches t* (gap 0) except one at t*/2
    /// (gap τ·ln((K − 1 + 2^{1/τ})/K)).
    @Test func maxMinGap() {
        var rng = RandomStream(seed: 12, name: "t")
        let (B, K, L) = (2, 4, 3)
        func positive(_ n: Int, _ scale: Double) -> [Double] { (0..<n).map { _ in scale * (0.2 + rng.uniform()) } }
        let ul = (0..<B).map { _ in SINRGapTerms(b: positive(K, 50), c: positive(K * K, 1), noise: positive(K, 1), optimalSINR: 2) }
        let dl = (0..<B).map { _ in SINRGapTerms(b: positive(K, 50), c: positive(K * K, 1), noise: [Double](repeating: 1, count: K),
                                                 optimalSINR: 2, portions: positive(L * K, 1), L: L, budget: 200) }
        let watts = Tensor<Double>(shape: [B, K], values: positive(B * K, 0.05))
        #expect(Self.gradientError([watts]) { t, v in t.maxMinGap(v[0], terms: ul, temperature: 0.3) } < 1e-6)
        #expect(Self.gradientError([watts]) { t, v in t.maxMinGap(v[0], terms: dl, temperature: 0.3) } < 1e-6)
        let (tau, target) = (0.2, 3.0), p = positive(K, 0.05), c = positive(K * K, 1), noise = positive(K, 1)
        var b = (0..<K).map { k in target * (0..<K).reduce(noise[k]) { $0 + c[$1 + K * k] * 1000 * p[$1] } / (1000 * p[k]) }
        let tape = Tape<Double>(recordsGradients: false), x = tape.constant(Tensor(shape: [1, K], values: p))
        let equal = tape.value(tape.maxMinGap(x, terms: [SINRGapTerms(b: b, c: c, noise: noise, optimalSINR: target)], temperature: tau))
        #expect(abs(equal.values[0]) < 1e-12)
        b[K - 1] /= 2
        let halved = tape.value(tape.maxMinGap(x, terms: [SINRGapTerms(b: b, c: c, noise: noise, optimalSINR: target)], temperature: tau))
        #expect(abs(halved.values[0] - tau * Double.log((Double(K - 1) + Double.pow(2, 1 / tau)) / Double(K))) < 1e-12)
    }

    @Test func layerNorm() {
        var rng = RandomStream(seed: 4, name: "t")
        let inputs = [Self.random([2, 3, 8], &rng), Self.random([8], &rng), Self.random([8], &rng)]
        #expect(Self.gradientError(inputs) { t, v in t.layerNorm(v[0], gamma: v[1], beta: v[2]) } < 1e-6)
    }

    @Test func tokenPlumbing() {
        var rng = RandomStream(seed: 5, name: "t")
        let a = Self.random([2, 5, 3], &rng), b = Self.random([2, 5, 4], &rng), e = Self.random([2, 3], &rng)
        #expect(Self.gradientError([a, b]) { t, v in t.concatenateFeatures([v[0], v[1]]) } < 1e-6)
        #expect(Self.gradientError([b]) { t, v in t.sliceFeatures(v[0], 1..<3) } < 1e-6)
        #expect(Self.gradientError([a]) { t, v in t.meanTokens(v[0]) } < 1e-6)
        #expect(Self.gradientError([e]) { t, v in t.repeatTokens(v[0], count: 4) } < 1e-6)
        #expect(Self.gradientError([a]) { t, v in t.padTokens(v[0], extra: 1) } < 1e-6)
        let qkv = Self.random([2, 5, 12], &rng)
        #expect(Self.gradientError([qkv]) { t, v in t.mergeHeads(t.splitHeads(v[0], part: 2, heads: 2)) } < 1e-6)
        #expect(Self.gradientError([qkv]) { t, v in t.splitHeads(v[0], part: 1, heads: 2) } < 1e-6)
    }

    @Test(arguments: [nil, 1, 2] as [Int?])
    func softmaxAttention(window: Int?) {
        var rng = RandomStream(seed: 6, name: "t")
        let inputs = (0..<3).map { _ in Self.random([2, 2, 6, 3], &rng) }
        #expect(Self.gradientError(inputs) { t, v in t.softmaxAttention(v[0], v[1], v[2], window: window) } < 1e-6)
    }

    @Test(arguments: [Activation.eluPlusOne, .relu, .softplus, .sigmoid])
    func cosFormerAttention(map phi: Activation) {
        var rng = RandomStream(seed: 7, name: "t")
        let inputs = (0..<3).map { _ in Self.random([2, 2, 7, 3], &rng) }
        #expect(Self.gradientError(inputs) { t, v in
            t.linearAttention(t.cosFormerFeatures(v[0], map: phi), t.cosFormerFeatures(v[1], map: phi), v[2])
        } < 1e-6)
    }

    @Test func performerAttention() {
        var rng = RandomStream(seed: 8, name: "t")
        let omega = Self.random([8, 4], &rng)
        let inputs = (0..<3).map { _ in Self.random([1, 2, 5, 4], &rng, scale: 0.5) }
        #expect(Self.gradientError(inputs) { t, v in
            t.linearAttention(t.performerFeatures(v[0], omega: omega), t.performerFeatures(v[1], omega: omega), v[2])
        } < 1e-6)
    }
}

/// The hard mask (16) against its definition by full stable sort, with many ties.
struct HardMaskTests {
    @Test func topTauPMatchesAStableSort() {
        var rng = RandomStream(seed: 9, name: "mask")
        for trial in 0..<50 {
            let (B, K, L, tau) = (2, 1 + trial % 13, 3, 1 + trial % 5)
            let S = Tensor<Float>(shape: [B, K, L], values: (0..<(B * K * L)).map { _ in Float(Int(rng.uniform() * 6)) / 6 })
            let mask = hardClusterMask(S, tau_p: tau, mu: 0.3)
            for b in 0..<B { for l in 0..<L {
                let score = { (k: Int) in S[b, k, l] }
                let kept = Set((0..<K).sorted { score($0) > score($1) || (score($0) == score($1) && $0 < $1) }.prefix(tau))
                for k in 0..<K { #expect(mask[b, k, l] == (kept.contains(k) && score(k) > 0.3 ? 1 : 0)) }
            } }
        }
    }
}
