extension Tape {
    /// The DL per-AP head (20), models.md §1.6: a = Ω ⊙ M̂, load_l = Σ_k a_kl, den_l = max(load_l, 1)
    /// (rescaled only above 1), p_kl = P_AP·a_kl/den_l [W]. Ω [B, K, L], mask constant.
    /// Backward: dΩ = M̂ ⊙ P_AP·(G/den − 1{load > 1}·Σ_k G_kl·a_kl/den²).
    public func perAPPowers(_ omega: Variable, mask: Tensor<T>, budget: T) -> Variable {
        let W = value(omega)
        precondition(W.shape == mask.shape && W.rank == 3, "perAPPowers: Ω \(W.shape), mask \(mask.shape)")
        let (B, K, L) = (W.shape[0], W.shape[1], W.shape[2])
        let a = zip(W.values, mask.values).map(*)
        var den = [T](repeating: 1, count: B * L), rescaled = [Bool](repeating: false, count: B * L)
        for b in 0..<B { for l in 0..<L {
            var load: T = 0
            for k in 0..<K { load += a[(b * K + k) * L + l] }
            if load > 1 { den[b * L + l] = load; rescaled[b * L + l] = true }
        } }
        let y = a.indices.map { i in budget * a[i] / den[(i / (K * L)) * L + i % L] }
        return record(Tensor(shape: W.shape, values: y), inputs: [omega]) { tape, g in
            tape.accumulate(omega) { d in
                for b in 0..<B { for l in 0..<L {
                    let dn = den[b * L + l]
                    var cross: T = 0   // Σ_k G_kl·a_kl / den² (only when rescaled)
                    if rescaled[b * L + l] {
                        for k in 0..<K { cross += g[(b * K + k) * L + l] * a[(b * K + k) * L + l] }
                        cross /= dn * dn
                    }
                    for k in 0..<K {
                        let i = (b * K + k) * L + l
                        d[i] += mask.values[i] * budget * (g[i] / dn - cross)
                    }
                } }
            }
        }
    }
}
