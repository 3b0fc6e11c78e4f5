import Linalg

/// The attention cores of models.md §2–§3.
public enum AttentionKind: Sendable, Equatable {
    /// Softmax with scale 1/√dh (§3.1).
    case softmax
    /// cosFormer with feature map φ (§3.2): elu+1 for ELU-CosFormer, relu for CosFormer, any
    /// activation for the ablation.
    case cosFormer(Activation)
    /// FAVOR+ with m fixed random features per layer (§3.3).
    case performer(features: Int)
    /// Softmax restricted to |i − j| ≤ window (§3.4).
    case slidingWindow(Int)
}

extension Tape {
    /// Multi-head attention (models.md §1.3): QKV = y·W_qkv + b_qkv, heads split by columns, core,
    /// heads merged, A = O·W_o + b_o. `prefix` names the parameters (`layers.s.attn`).
    public func multiHeadAttention(_ y: Variable, _ p: BoundParameters, prefix: String, heads: Int,
                                   kind: AttentionKind, omega: Tensor<T>? = nil) -> Variable {
        let qkv = dense(y, p[prefix + ".W_qkv"], p[prefix + ".b_qkv"])
        let q = splitHeads(qkv, part: 0, heads: heads), k = splitHeads(qkv, part: 1, heads: heads)
        let v = splitHeads(qkv, part: 2, heads: heads)
        let o: Variable
        switch kind {
        case .softmax: o = softmaxAttention(q, k, v)
        case let .slidingWindow(w): o = softmaxAttention(q, k, v, window: w)
        case let .cosFormer(phi): o = linearAttention(cosFormerFeatures(q, map: phi), cosFormerFeatures(k, map: phi), v)
        case .performer:
            guard let omega else { preconditionFailure("performer attention needs its projection Ω") }
            o = linearAttention(performerFeatures(q, omega: omega), performerFeatures(k, omega: omega), v)
        }
        return dense(mergeHeads(o), p[prefix + ".W_o"], p[prefix + ".b_o"])
    }
}

/// The fixed FAVOR+ projection Ω [m, dh] (models.md §3.3): ⌈m/dh⌉ stacked orthogonal blocks (Qᵀ of
/// the QR of a Gaussian dh×dh matrix with R's diagonal made positive), rows scaled by the norms of
/// independent N(0, I_dh) vectors. Q comes from Gram–Schmidt (twice, for orthogonality to rounding),
/// which gives exactly the sign-fixed factor.
public func performerProjection<T: TensorScalar>(features m: Int, headWidth dh: Int, using rng: inout RandomStream) -> Tensor<T> {
    var rows: [[Double]] = []
    while rows.count < m {
        var columns = (0..<dh).map { _ in (0..<dh).map { _ in rng.normal() } }
        for c in 0..<dh {
            for _ in 0..<2 {
                for p in 0..<c {
                    let dot = zip(columns[c], columns[p]).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in 0..<dh { columns[c][i] -= dot * columns[p][i] }
                }
            }
            let norm = columns[c].reduce(0) { $0 + $1 * $1 }.squareRoot()
            columns[c] = columns[c].map { $0 / norm }
        }
        rows += columns   // row c of Qᵀ is column c of Q
    }
    let values = rows.prefix(m).flatMap { row -> [T] in
        let norm = (0..<dh).map { _ in rng.normal() }.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return row.map { T($0 * norm) }
    }
    return Tensor(shape: [m, dh], values: values)
}

extension AttentionKind {
    /// The ClusterPowerNet variants of models.md §2 by name: `elu_cosformer`, `cosformer_relu`,
    /// `transformer_softmax`, `performer` (m random features) and `longformer` (one-sided window w).
    public init?(variant: String, performerFeatures m: Int = 256, window w: Int = 4) {
        switch variant {
        case "elu_cosformer": self = .cosFormer(.eluPlusOne)
        case "cosformer_relu": self = .cosFormer(.relu)
        case "transformer_softmax": self = .softmax
        case "performer": self = .performer(features: m)
        case "longformer": self = .slidingWindow(w)
        default: return nil
        }
    }

    /// The variant names `init(variant:)` accepts.
    public static let variantNames = ["elu_cosformer", "cosformer_relu", "transformer_softmax", "performer", "longformer"]
}
