import Linalg

/// Settings of the Tree-Transformer (models.md §5, Table I of the Tree paper).
public struct TreeTransformerConfig: Sendable, Equatable {
    public var dEnc = 32, dModel = 64, heads = 4, layers = 2, dFF = 2048
    /// Label normalisers [W] and the total DL budget P_tot = Σ_l P̄_l [W] of the rescaler (§5.2).
    public var pULMin = 0.0, pULMax = 0.1, pDLMin = 0.0, pDLMax = 0.2, pDLTotal = 3.2
    public var dropout = 0.1

    public init() {}
}

/// The hybrid power-allocation model of the Tree paper (models.md §5): AP encoder with mean pooling,
/// UE embedding, a binary-tree compressor to one root token, S post-LN Transformer layers on the root,
/// and a shared per-UE decoder. Any K ≥ 1 and L ≥ 1.
public struct TreeTransformer<T: TensorScalar>: Sendable {
    public var config: TreeTransformerConfig
    public var parameters: ParameterSet<T>

    public init(config: TreeTransformerConfig, parameters: ParameterSet<T>) {
        self.config = config; self.parameters = parameters
    }

    /// Fresh parameters (§0.2, Tree rules): dense layers PyTorch-default; W_qkv Xavier-uniform with
    /// b_qkv = 0; W_o U(±1/√d) with b_o = 0.
    public init(config c: TreeTransformerConfig, using rng: inout RandomStream) {
        var p = ParameterSet<T>()
        p.addDense("ap_l1", 2, c.dEnc, using: &rng)
        p.addDense("ap_l2", c.dEnc, c.dEnc, using: &rng)
        p.addDense("ue_embed", 2, c.dEnc, using: &rng)
        p.addDense("tree_in", 2 * c.dEnc, c.dModel, using: &rng)
        p.addDense("tree_merge", 2 * c.dModel, c.dModel, using: &rng)
        let d = c.dModel
        for s in 0..<c.layers {
            let l = "layers.\(s)"
            p.add(l + ".attn.W_qkv", .uniform([d, 3 * d], bound: (6.0 / Double(4 * d)).squareRoot(), using: &rng))
            p.add(l + ".attn.b_qkv", Tensor(shape: [3 * d]))
            p.add(l + ".attn.W_o", .uniform([d, d], bound: 1 / Double(d).squareRoot(), using: &rng))
            p.add(l + ".attn.b_o", Tensor(shape: [d]))
            p.addLayerNorm(l + ".ln1", d)
            p.addDense(l + ".ffn.l1", d, c.dFF, using: &rng)
            p.addDense(l + ".ffn.l2", c.dFF, d, using: &rng)
            p.addLayerNorm(l + ".ln2", d)
        }
        p.addDense("dec_l1", 2 * c.dEnc + d, d, using: &rng)
        p.addDense("dec_l2", d, 2, using: &rng)
        self.init(config: c, parameters: p)
    }

    public struct Outputs {
        public let ulNorm, ulPower, dlNorm: Variable
        /// The root token after the compressor and after each Transformer layer [B, 1, d_mod].
        public let root: [Variable]
    }

    public func forward(_ tape: Tape<T>, _ p: BoundParameters, ue: Variable, ap: Variable,
                        dropout: DropoutStream? = nil) -> Outputs {
        let c = config
        let (B, K) = (tape.shape(ue)[0], tape.shape(ue)[1])
        func drop(_ v: Variable) -> Variable {
            guard let dropout else { return v }
            return tape.dropout(v, rate: c.dropout, using: &dropout.rng)
        }
        func dense(_ x: Variable, _ name: String) -> Variable { tape.dense(x, p[name + ".W"], p[name + ".b"]) }
        // a) AP encoder and mean pooling; b) UE embedding; c) fusion.
        let apCode = tape.meanTokens(dense(tape.activation(dense(ap, "ap_l1"), .relu), "ap_l2"))
        let z = tape.concatenateFeatures([dense(ue, "ue_embed"), tape.repeatTokens(apCode, count: K)])
        // d) binary-tree compressor: pad odd levels with a zero token, merge pairs (no activation).
        var t = dense(z, "tree_in"), n = K
        while n > 1 {
            if n % 2 == 1 { t = tape.padTokens(t, extra: 1); n += 1 }
            t = dense(tape.reshape(t, [B, n / 2, 2 * c.dModel]), "tree_merge")
            n /= 2
        }
        var roots = [t]
        // e) post-LN Transformer layers on the root sequence of length 1.
        for s in 0..<c.layers {
            let l = "layers.\(s)"
            let a = tape.multiHeadAttention(t, p, prefix: l + ".attn", heads: c.heads, kind: .softmax)
            t = tape.layerNorm(tape.add(t, drop(a)), gamma: p[l + ".ln1.gamma"], beta: p[l + ".ln1.beta"])
            let f = dense(drop(tape.activation(dense(t, l + ".ffn.l1"), .relu)), l + ".ffn.l2")
            t = tape.layerNorm(tape.add(t, drop(f)), gamma: p[l + ".ln2.gamma"], beta: p[l + ".ln2.beta"])
            roots.append(t)
        }
        // f) shared per-UE decoder.
        let h = tape.concatenateFeatures([z, tape.repeatTokens(t, count: K)])
        let out = tape.activation(dense(tape.activation(dense(h, "dec_l1"), .relu), "dec_l2"), .sigmoid)
        let ulNorm = tape.reshape(tape.sliceFeatures(out, 0..<1), [B, K])
        let dlNorm = tape.reshape(tape.sliceFeatures(out, 1..<2), [B, K])
        return Outputs(ulNorm: ulNorm, ulPower: tape.affine(ulNorm, scale: T(c.pULMax - c.pULMin), shift: T(c.pULMin)),
                       dlNorm: dlNorm, root: roots)
    }

    /// The rescaler (§5.2): dl_chk = p_min + (p_max − p_min)·dl_norm, dl_power = dl_chk·P_tot/Σ_j dl_chk [W].
    public func downlinkPowers(dlNorm: Tensor<T>) -> Tensor<T> {
        let (B, K) = (dlNorm.shape[0], dlNorm.shape[1]), c = config
        var out = dlNorm
        for b in 0..<B {
            let chk = (0..<K).map { T(c.pDLMin) + T(c.pDLMax - c.pDLMin) * dlNorm.values[b * K + $0] }
            let total = chk.reduce(0, +)
            for k in 0..<K { out.values[b * K + k] = chk[k] * T(c.pDLTotal) / total }
        }
        return out
    }
}
