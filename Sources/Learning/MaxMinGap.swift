/// The UatF SINR of one drop in the form SINR_k = x_k·b_k / (Σ_i c[i + K·k]·x_i + n_k) for powers x
/// [mW] (UL: n = σ², DL: n = 1; papers.md §3.2–3.3), with t*, the common SINR of the closed-form
/// max-min optimum. DL terms carry the duality portions ω_lk (l + L·k) and the per-AP budget [mW]:
/// the powers are first rescaled so that the busiest AP spends the budget, as `evaluate` does.
public struct SINRGapTerms: Sendable {
    public var K: Int
    public var b: [Double], c: [Double], noise: [Double]
    public var optimalSINR: Double
    public var portions: [Double]?, L: Int, budget: Double

    public init(b: [Double], c: [Double], noise: [Double], optimalSINR: Double, portions: [Double]? = nil, L: Int = 0, budget: Double = 0) {
        precondition(c.count == b.count * b.count && noise.count == b.count, "SINRGapTerms: K = \(b.count), c \(c.count), noise \(noise.count)")
        precondition(portions.map { $0.count == L * b.count && budget > 0 } ?? true, "SINRGapTerms: portions must be L·K with a budget > 0")
        (K, self.b, self.c, self.noise, self.optimalSINR) = (b.count, b, c, noise, optimalSINR)
        (self.portions, self.L, self.budget) = (portions, L, budget)
    }
}

extension Tape {
    /// The max-min gap of powers P [B, K] in W (ours, `sinr_weight`): with z_k = ln(SINR_k/t*), per
    /// drop τ·ln mean_k exp(−z_k/τ), a soft maximum of −z_k (≥ −min_k z_k − τ·ln K, → it as τ → 0):
    /// 0 when every UE reaches t*, ln 2 when the worst reaches half of it. Mean over the batch. UEs
    /// with zero power (no AP in the hard mask) are left out. Backward with w = softmax(−z/τ):
    /// ∂/∂y_j = −w_j/y_j + Σ_k w_k·c[j + K·k]/den_k, then through the DL rescaling y = s(x)·x.
    public func maxMinGap(_ powers: Variable, terms: [SINRGapTerms], temperature tau: Double) -> Variable {
        let P = value(powers)
        precondition(P.rank == 2 && P.shape[0] == terms.count && terms.allSatisfy { $0.K == P.shape[1] },
                     "maxMinGap: powers \(P.shape) vs \(terms.count) drops of K = \(terms.first?.K ?? 0)")
        let (B, K) = (P.shape[0], P.shape[1])
        var total = 0.0
        var grad = [Double](repeating: 0, count: B * K)   // ∂(loss)/∂P [per W], before the incoming gradient
        for (bIndex, t) in terms.enumerated() {
            let x = (0..<K).map { 1000 * Double(P.values[bIndex * K + $0]) }
            var s = 1.0, busiest = 0, load = 0.0
            if let w = t.portions {   // y = s·x with s = budget / max_l Σ_k ω_lk·x_k
                let loads = (0..<t.L).map { l in (0..<K).reduce(0.0) { $0 + w[l + t.L * $1] * x[$1] } }
                busiest = loads.indices.max { loads[$0] < loads[$1] }!
                load = loads[busiest]
                if load > 0 { s = t.budget / load }
            }
            let y = x.map { s * $0 }
            let den = (0..<K).map { k in (0..<K).reduce(t.noise[k]) { $0 + t.c[$1 + K * k] * y[$1] } }
            let active = (0..<K).filter { y[$0] > 0 }
            guard !active.isEmpty else { continue }
            let a = active.map { k in -Double.log(y[k] * t.b[k] / den[k] / t.optimalSINR) / tau }   // −z_k/τ
            let top = a.max()!, e = a.map { Double.exp($0 - top) }, sum = e.reduce(0, +)
            total += tau * (top + Double.log(sum / Double(active.count)))
            var gy = [Double](repeating: 0, count: K)
            for (n, k) in active.enumerated() {
                let w = e[n] / sum
                gy[k] -= w / y[k]
                for j in 0..<K { gy[j] += w * t.c[j + K * k] / den[k] }
            }
            var gx = gy.map { s * $0 }
            if let w = t.portions, load > 0 {   // ∂s/∂x_j = −s·ω_{l*j}/load
                let inner = (0..<K).reduce(0.0) { $0 + gy[$1] * x[$1] }
                for j in 0..<K { gx[j] -= s * w[busiest + t.L * j] / load * inner }
            }
            for j in 0..<K { grad[bIndex * K + j] = 1000 * gx[j] / Double(B) }
        }
        return record(.scalar(T(total / Double(B))), inputs: [powers]) { tape, g in
            tape.accumulate(powers) { d in
                for i in 0..<d.count { d[i] += g[0] * T(grad[i]) }
            }
        }
    }
}
