import Linalg

/// One mini-batch of layouts with the same K: normalised positions and normalised power labels.
public struct PowerBatch<T: TensorScalar>: Sendable {
    /// [B, K, 2] and [B, L, 2].
    public var ue: Tensor<T>, ap: Tensor<T>
    /// Normalised UL and DL labels [B, K]; per-UE SE [B, K] for the fairness weights (zeros if unknown).
    public var ul: Tensor<T>, dl: Tensor<T>, se: Tensor<T>
    /// Optional per-UE weights of the APs in the clustering penalty [B, K, L] (ClusterPowerNet.loss).
    public var coverWeights: Tensor<T>?
    /// Optional 0/1 target links [B, K, L] for the clustering scores (per-link BCE in ClusterPowerNet.loss).
    public var clusterTargets: Tensor<T>?
    /// Optional UL and DL SINR terms of each sample's labels, for the max-min gap term (ClusterPowerNet.loss).
    public var gapTerms: (ul: [SINRGapTerms], dl: [SINRGapTerms])?

    public init(ue: Tensor<T>, ap: Tensor<T>, ul: Tensor<T>, dl: Tensor<T>, se: Tensor<T>? = nil, coverWeights: Tensor<T>? = nil,
                clusterTargets: Tensor<T>? = nil, gapTerms: (ul: [SINRGapTerms], dl: [SINRGapTerms])? = nil) {
        self.ue = ue; self.ap = ap; self.ul = ul; self.dl = dl
        self.se = se ?? Tensor(shape: ul.shape)
        self.coverWeights = coverWeights
        self.clusterTargets = clusterTargets
        self.gapTerms = gapTerms
    }
}

/// A model the trainer can fit: its parameters and its training loss on a batch.
public protocol PowerModel {
    associatedtype Scalar: TensorScalar
    var parameters: ParameterSet<Scalar> { get set }
    func loss(_ tape: Tape<Scalar>, _ p: BoundParameters, _ batch: PowerBatch<Scalar>, dropout: DropoutStream?) -> Variable
}

/// A model of static supervision (the Tree paper's): normalised UL and DL powers [B, K] in [0, 1]
/// from normalised positions, in evaluation mode.
public protocol StaticPowerModel: PowerModel {
    func normalisedPowers(ue: Tensor<Scalar>, ap: Tensor<Scalar>) -> (ul: [Scalar], dl: [Scalar])
}

extension ClusterPowerNet: PowerModel {
    public func loss(_ tape: Tape<T>, _ p: BoundParameters, _ batch: PowerBatch<T>, dropout: DropoutStream?) -> Variable {
        let out = forward(tape, p, ue: tape.constant(batch.ue), ap: tape.constant(batch.ap), dropout: dropout)
        return loss(tape, out, ulTarget: batch.ul, dlTarget: batch.dl, se: batch.se, coverWeights: batch.coverWeights,
                    clusterTargets: batch.clusterTargets, gapTerms: batch.gapTerms).total
    }
}

extension TreeTransformer: StaticPowerModel {
    public func loss(_ tape: Tape<T>, _ p: BoundParameters, _ batch: PowerBatch<T>, dropout: DropoutStream?) -> Variable {
        loss(tape, forward(tape, p, ue: tape.constant(batch.ue), ap: tape.constant(batch.ap), dropout: dropout),
             ulTarget: batch.ul, dlTarget: batch.dl)
    }

    public func normalisedPowers(ue: Tensor<T>, ap: Tensor<T>) -> (ul: [T], dl: [T]) {
        let tape = Tape<T>(recordsGradients: false)
        let out = forward(tape, parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
        return (tape.value(out.ulNorm).values, tape.value(out.dlNorm).values)
    }
}

extension PowerBatch {
    /// Samples `range` of the batch.
    public func samples(_ range: Range<Int>) -> PowerBatch {
        func rows(_ t: Tensor<T>) -> Tensor<T> {
            let per = t.count / max(1, t.shape[0])
            return Tensor(shape: [range.count] + t.shape.dropFirst(), values: Array(t.values[range.lowerBound * per..<range.upperBound * per]))
        }
        return PowerBatch(ue: rows(ue), ap: rows(ap), ul: rows(ul), dl: rows(dl), se: rows(se), coverWeights: coverWeights.map(rows),
                          clusterTargets: clusterTargets.map(rows), gapTerms: gapTerms.map { (Array($0.ul[range]), Array($0.dl[range])) })
    }
}

/// Gradient shards of a training step: the batch is cut into this many contiguous parts whose
/// forward and backward passes are independent (data parallelism: one per thread when there are
/// threads) and whose gradients are summed in shard order. The loss (30) is a mean over samples, so
/// the sum weighted by shard sizes is the full-batch gradient; and since the shards do not depend on
/// the thread count, neither does the result.
public let trainingShards = 2

extension PowerModel {
    /// Forward, loss, backward and one AdamW update (dropout on, masks from `dropout`) on `threads`
    /// threads (the result does not depend on it). Returns the loss.
    @discardableResult
    public mutating func trainingStep(_ batch: PowerBatch<Scalar>, optimizer: inout AdamW<Scalar>, dropout: DropoutStream,
                                      threads: Int = 1) -> Scalar {
        let B = batch.ue.shape[0], shards = max(1, min(trainingShards, B))
        // One draw from the step's stream keys every shard's dropout masks, so steps differ and shards never overlap.
        let stepKey = dropout.rng.nextUInt64()
        var losses = [Scalar](repeating: 0, count: shards)
        var gradients = [[String: Tensor<Scalar>]](repeating: [:], count: shards)
        let model = self
        let names = parameters.names
        let innerThreads = max(1, threads / shards)
        losses.withUnsafeMutableBufferPointer { lossOut in
            gradients.withUnsafeMutableBufferPointer { gradOut in
                let out = UncheckedSendable(value: (lossOut.baseAddress!, gradOut.baseAddress!))
                parallelFor(shards, threads: min(threads, shards)) { c in
                    let range = (B * c / shards)..<(B * (c + 1) / shards)
                    let tape = Tape<Scalar>(threads: innerThreads)
                    let bound = model.parameters.bind(tape)
                    let total = model.loss(tape, bound, batch.samples(range), dropout: DropoutStream(RandomStream(key: stepKey, index: UInt64(c))))
                    tape.backward(total)
                    var g: [String: Tensor<Scalar>] = [:]
                    for name in names { g[name] = tape.gradient(bound[name]) }
                    out.value.0[c] = tape.value(total).values[0]
                    out.value.1[c] = g
                }
            }
        }
        // Σ_c (n_c / B)·∇L_c, in shard order.
        var combined = gradients[0]
        var loss: Scalar = 0
        for c in 0..<shards {
            let weight = Scalar(B * (c + 1) / shards - B * c / shards) / Scalar(B)
            loss += weight * losses[c]
            for name in names {
                guard let g = gradients[c][name] else { continue }
                if c == 0 {
                    combined[name] = Tensor(shape: g.shape, values: g.values.map { weight * $0 })
                } else {
                    combined[name]!.values.withUnsafeMutableBufferPointer { acc in
                        g.values.withUnsafeBufferPointer { gi in
                            for i in 0..<acc.count { acc[i] += weight * gi[i] }
                        }
                    }
                }
            }
        }
        optimizer.update(&parameters, gradients: combined, threads: threads)
        return loss
    }

    /// The loss in evaluation mode (dropout off, no gradients).
    public func evaluationLoss(_ batch: PowerBatch<Scalar>, threads: Int = 1) -> Scalar {
        let tape = Tape<Scalar>(recordsGradients: false, threads: threads)
        return tape.value(loss(tape, parameters.bind(tape), batch, dropout: nil)).values[0]
    }
}
