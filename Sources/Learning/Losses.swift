// The training losses of the two models (what `PowerModel.loss` minimises), in one place.

extension ClusterPowerNet {
    /// Loss (30) as reconstructed in models.md §1.7: ½[mean (ul − y_ul)² + mean (dl − y_dl)²]
    /// + λ·(1/B)·Σ_b Σ_k softmax_k(−se/T)·(1 − mean_l S). Returns (total, mse, fair).
    /// With `coverWeights` g [B, K, L] (each UE's row summing to 1), the cover of UE k is Σ_l g_kl·S_kl
    /// instead of the mean (g = 1/L): the gain-weighted penalty of `train` (see `ClusterPenalty`).
    /// With `clusterTargets` t [B, K, L] (0/1 links of a target clustering) the clustering term is
    /// instead the per-link binary cross-entropy of the scores S against t (`fair` then holds it).
    /// With `relativePowers` both sides of the MSE are centred per drop (mean over the UEs removed).
    /// With `quantileWeight` w > 0, w × the same MSE between each drop's sorted outputs and its sorted
    /// labels (the squared 1-D Wasserstein-2 distance of the two per-drop power distributions) is added.
    /// With `levelHead`, the MSE of the predicted levels against the labels' (each drop's mean normalised
    /// log label) is added (its head alone learns from it).
    /// With `gapTerms` and γ = `sinrWeight` > 0, γ·½(gap_UL + gap_DL) of the predicted powers
    /// (`Tape.maxMinGap`) is added to the power term (`mse` then holds both).
    public func loss(_ tape: Tape<T>, _ out: Outputs, ulTarget: Tensor<T>, dlTarget: Tensor<T>,
                     se: Tensor<T>, coverWeights: Tensor<T>? = nil, clusterTargets: Tensor<T>? = nil,
                     gapTerms: (ul: [SINRGapTerms], dl: [SINRGapTerms])? = nil) -> (total: Variable, mse: Variable, fair: Variable) {
        let pairs = config.relativePowers   // each drop's powers relative to their mean (`relativePowers`)
            ? [(tape.centredLast(out.ulNorm), ulTarget.centredRows), (tape.centredLast(out.dlNorm), dlTarget.centredRows)]
            : [(out.ulNorm, ulTarget), (out.dlNorm, dlTarget)]
        var mse = meanSquaredError(tape, pairs)
        if config.quantileWeight > 0 {   // each drop's sorted powers against its sorted labels (`quantileWeight`)
            let quantiles = meanSquaredError(tape, pairs.map { (tape.sortedLast($0.0), $0.1.sortedRows) })
            mse = tape.add(mse, tape.affine(quantiles, scale: T(config.quantileWeight)))
        }
        if let level = out.level {   // each drop's mean normalised log label, UL and DL (`levelHead`)
            let B = ulTarget.shape[0], means = [ulTarget, dlTarget].map { $0.rowMeans }
            let target = Tensor<T>(shape: [B, 2], values: (0..<B).flatMap { [means[0][$0], means[1][$0]] })
            mse = tape.add(mse, meanSquaredError(tape, [(level, target)]))
        }
        if let gapTerms, config.sinrWeight > 0 {
            let (tau, half) = (config.sinrTemperature, T(config.sinrWeight / 2))
            let gap = tape.add(tape.maxMinGap(out.ulPower, terms: gapTerms.ul, temperature: tau),
                               tape.maxMinGap(out.dlPower, terms: gapTerms.dl, temperature: tau))
            mse = tape.add(mse, tape.affine(gap, scale: half))
        }
        if let clusterTargets {
            let bce = tape.binaryCrossEntropy(out.clusterScores, targets: clusterTargets)
            return (tape.add(mse, tape.affine(bce, scale: T(config.lambda))), mse, bce)
        }
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

extension Tape {
    /// Mean binary cross-entropy −[t·ln p + (1 − t)·ln(1 − p)] of probabilities p (clamped to
    /// [1e-6, 1 − 1e-6]) against targets t of the same shape, a scalar.
    public func binaryCrossEntropy(_ p: Variable, targets t: Tensor<T>) -> Variable {
        let P = value(p)
        precondition(P.shape == t.shape, "binaryCrossEntropy: \(P.shape) vs targets \(t.shape)")
        let eps = T(1e-6), n = T(P.count)
        let clamped = P.values.map { min(max($0, eps), 1 - eps) }
        var total = T(0)
        for i in 0..<P.count { total -= t.values[i] * T.log(clamped[i]) + (1 - t.values[i]) * T.log(1 - clamped[i]) }
        return record(.scalar(total / n), inputs: [p]) { tape, g in
            tape.accumulate(p) { d in
                for i in 0..<d.count { d[i] += g[0] * (clamped[i] - t.values[i]) / (clamped[i] * (1 - clamped[i]) * n) }
            }
        }
    }
}
