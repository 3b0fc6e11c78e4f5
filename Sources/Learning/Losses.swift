// The training losses of the two models (what `PowerModel.loss` minimises), in one place.

extension ClusterPowerNet {
    /// Loss (30) as reconstructed in models.md §1.7: ½[mean (ul − y_ul)² + mean (dl − y_dl)²]
    /// + λ·(1/B)·Σ_b Σ_k softmax_k(−se/T)·(1 − mean_l S). Returns (total, mse, fair).
    /// With `coverWeights` g [B, K, L] (each UE's row summing to 1), the cover of UE k is Σ_l g_kl·S_kl
    /// instead of the mean (g = 1/L): the gain-weighted penalty of `train` (see `ClusterPenalty`).
    public func loss(_ tape: Tape<T>, _ out: Outputs, ulTarget: Tensor<T>, dlTarget: Tensor<T>,
                     se: Tensor<T>, coverWeights: Tensor<T>? = nil) -> (total: Variable, mse: Variable, fair: Variable) {
        let mse = meanSquaredError(tape, [(out.ulNorm, ulTarget), (out.dlNorm, dlTarget)])
        let (B, K) = (se.shape[0], se.shape[1])
        var w = [T](repeating: 0, count: B * K)
        for b in 0..<B {   // w[b, ·] = softmax(−se[b, ·]/T)
            let z = (0..<K).map { -se.values[b * K + $0] / T(config.fairTemperature) }
            let top = z.max()!, e = z.map { T.exp($0 - top) }, total = e.reduce(0, +)
            for k in 0..<K { w[b * K + k] = e[k] / total }
        }
        let cover = coverWeights.map { tape.sumLast(tape.multiply(out.clusterScores, tape.constant($0))) } ?? tape.meanLast(out.clusterScores)
        let uncovered = tape.affine(cover, scale: -1, shift: 1)   // 1 − cover
        let fair = tape.affine(tape.sum(tape.multiply(uncovered, tape.constant(Tensor(shape: [B, K], values: w)))), scale: 1 / T(B))
        return (tape.add(mse, tape.affine(fair, scale: T(config.lambda))), mse, fair)
    }
}

extension TreeTransformer {
    /// MSE over the 2·B·K normalised outputs (§5.3).
    public func loss(_ tape: Tape<T>, _ out: Outputs, ulTarget: Tensor<T>, dlTarget: Tensor<T>) -> Variable {
        meanSquaredError(tape, [(out.ulNorm, ulTarget), (out.dlNorm, dlTarget)])
    }
}

/// ½·Σ_pairs mean((prediction − target)²): the mean over all 2·B·K terms for two [B, K] pairs.
public func meanSquaredError<T>(_ tape: Tape<T>, _ pairs: [(Variable, Tensor<T>)]) -> Variable {
    let terms = pairs.map { prediction, target -> Variable in
        let d = tape.subtract(prediction, tape.constant(target))
        return tape.mean(tape.multiply(d, d))
    }
    return tape.affine(terms.dropFirst().reduce(terms[0]) { tape.add($0, $1) }, scale: 1 / T(pairs.count))
}
