import Linalg

/// One mini-batch of layouts with the same K: normalised positions and normalised power labels.
public struct PowerBatch<T: TensorScalar>: Sendable {
    /// [B, K, 2] and [B, L, 2].
    public var ue: Tensor<T>, ap: Tensor<T>
    /// Normalised UL and DL labels [B, K]; per-UE SE [B, K] for the fairness weights (zeros if unknown).
    public var ul: Tensor<T>, dl: Tensor<T>, se: Tensor<T>

    public init(ue: Tensor<T>, ap: Tensor<T>, ul: Tensor<T>, dl: Tensor<T>, se: Tensor<T>? = nil) {
        self.ue = ue; self.ap = ap; self.ul = ul; self.dl = dl
        self.se = se ?? Tensor(shape: ul.shape)
    }
}

/// A model the trainer can fit: its parameters and its training loss on a batch.
public protocol PowerModel {
    associatedtype Scalar: TensorScalar
    var parameters: ParameterSet<Scalar> { get set }
    func loss(_ tape: Tape<Scalar>, _ p: BoundParameters, _ batch: PowerBatch<Scalar>, dropout: DropoutStream?) -> Variable
}

extension ClusterPowerNet: PowerModel {
    public func loss(_ tape: Tape<T>, _ p: BoundParameters, _ batch: PowerBatch<T>, dropout: DropoutStream?) -> Variable {
        let out = forward(tape, p, ue: tape.constant(batch.ue), ap: tape.constant(batch.ap), dropout: dropout)
        return loss(tape, out, ulTarget: batch.ul, dlTarget: batch.dl, se: batch.se).total
    }
}

extension TreeTransformer: PowerModel {
    public func loss(_ tape: Tape<T>, _ p: BoundParameters, _ batch: PowerBatch<T>, dropout: DropoutStream?) -> Variable {
        loss(tape, forward(tape, p, ue: tape.constant(batch.ue), ap: tape.constant(batch.ap), dropout: dropout),
             ulTarget: batch.ul, dlTarget: batch.dl)
    }
}

extension PowerModel {
    /// Forward, loss, backward and one AdamW update (dropout on, masks from `dropout`) on `threads`
    /// threads (the result does not depend on it). Returns the loss.
    @discardableResult
    public mutating func trainingStep(_ batch: PowerBatch<Scalar>, optimizer: inout AdamW<Scalar>, dropout: DropoutStream,
                                      threads: Int = 1) -> Scalar {
        let tape = Tape<Scalar>(threads: threads)
        let bound = parameters.bind(tape)
        let total = loss(tape, bound, batch, dropout: dropout)
        tape.backward(total)
        var gradients: [String: Tensor<Scalar>] = [:]
        for name in parameters.names { gradients[name] = tape.gradient(bound[name]) }
        optimizer.update(&parameters, gradients: gradients)
        return tape.value(total).values[0]
    }

    /// The loss in evaluation mode (dropout off, no gradients).
    public func evaluationLoss(_ batch: PowerBatch<Scalar>, threads: Int = 1) -> Scalar {
        let tape = Tape<Scalar>(recordsGradients: false, threads: threads)
        return tape.value(loss(tape, parameters.bind(tape), batch, dropout: nil)).values[0]
    }
}
