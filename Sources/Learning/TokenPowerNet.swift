import Linalg

/// Settings of the Tree paper's Table II baselines (papers.md §4.6): one token per UE of 2(L + 1)
/// features (its (x, y) and every AP's), an embedding to d, S encoder layers of some attention, and
/// Linear(d → 2) + sigmoid for the normalised UL and DL powers, as the Tree model's outputs.
public struct TokenPowerNetConfig: Sendable, Equatable {
    public var attention: AttentionKind = .softmax
    public var L = 16, dModel = 64, heads = 4, layers = 3, dFF = 2048
    /// Post-LN blocks (PyTorch's default `nn.TransformerEncoderLayer`) or pre-LN (models.md §1.2).
    public var postNorm = true
    /// Label normalisers [W] and the total DL budget [W] of the rescaler, as `TreeTransformerConfig`.
    public var pULMin = 0.0, pULMax = 0.1, pDLMin = 0.0, pDLMax = 0.2, pDLTotal = 3.2
    public var dropout = 0.1

    public init() {}
    public var headWidth: Int { dModel / heads }
    public var inputWidth: Int { 2 * (L + 1) }

    /// Table II's Transformer: 3 post-LN layers, d_ff 2048 (845,826 parameters at L = 16).
    public static var transformer: TokenPowerNetConfig { TokenPowerNetConfig() }

    /// Table II's CosFormer (ReLU map, cos re-weighting) and Performer (F = 256): 2 pre-LN layers,
    /// d_ff 256 (102,338 parameters each at L = 16).
    public static func linear(_ attention: AttentionKind) -> TokenPowerNetConfig {
        var c = TokenPowerNetConfig()
        (c.attention, c.layers, c.dFF, c.postNorm) = (attention, 2, 256, false)
        return c
    }
}

/// A per-UE-token encoder that regresses UL and DL powers: the Tree paper's Transformer, CosFormer
/// and Performer baselines (Table II). Unlike the Tree model its input width fixes L.
public struct TokenPowerNet<T: TensorScalar>: Sendable {
    public var config: TokenPowerNetConfig
    public var parameters: ParameterSet<T>
    /// The Performer's fixed projections, one per layer; empty otherwise.
    public var omegas: [Tensor<T>]

    public init(config: TokenPowerNetConfig, parameters: ParameterSet<T>, omegas: [Tensor<T>] = []) {
        self.config = config; self.parameters = parameters; self.omegas = omegas
    }

    /// Fresh parameters with PyTorch's default initialisation (§0.2).
    public init(config c: TokenPowerNetConfig, using rng: inout RandomStream) {
        var p = ParameterSet<T>()
        p.addTokenEncoder(inputWidth: c.inputWidth, dModel: c.dModel, layers: c.layers, dFF: c.dFF, using: &rng)
        p.addDense("power_head", c.dModel, 2, using: &rng)
        self.init(config: c, parameters: p, omegas: attentionProjections(c.attention, layers: c.layers, headWidth: c.headWidth, using: &rng))
    }

    /// Normalised UL and DL powers [B, K] in [0, 1] from normalised positions ue [B, K, 2], ap [B, L, 2].
    public func forward(_ tape: Tape<T>, _ p: BoundParameters, ue: Variable, ap: Variable,
                        dropout: DropoutStream? = nil) -> (ulNorm: Variable, dlNorm: Variable) {
        let c = config
        let (B, K) = (tape.shape(ue)[0], tape.shape(ue)[1])
        precondition(tape.shape(ap) == [B, c.L, 2], "ap_pos must be [B, L = \(c.L), 2], got \(tape.shape(ap))")
        func drop(_ v: Variable) -> Variable {
            guard let dropout else { return v }
            return tape.dropout(v, rate: c.dropout, using: &dropout.rng)
        }
        func norm(_ x: Variable, _ name: String) -> Variable { tape.layerNorm(x, gamma: p[name + ".gamma"], beta: p[name + ".beta"]) }
        let x = tape.concatenateFeatures([ue, tape.repeatTokens(tape.reshape(ap, [B, 2 * c.L]), count: K)])
        var E = tape.dense(x, p["embed.W"], p["embed.b"])
        for s in 0..<c.layers {
            let l = "layers.\(s)"
            func attention(_ y: Variable) -> Variable {
                tape.multiHeadAttention(y, p, prefix: l + ".attn", heads: c.heads, kind: c.attention, omega: omegas.isEmpty ? nil : omegas[s])
            }
            func feedForward(_ y: Variable) -> Variable {
                tape.dense(drop(tape.activation(tape.dense(y, p[l + ".ffn.l1.W"], p[l + ".ffn.l1.b"]), .relu)), p[l + ".ffn.l2.W"], p[l + ".ffn.l2.b"])
            }
            if c.postNorm {   // x = LN(x + Drop(Attn(x))); x = LN(x + Drop(FFN(x)))
                E = norm(tape.add(E, drop(attention(E))), l + ".ln1")
                E = norm(tape.add(E, drop(feedForward(E))), l + ".ln2")
            } else {          // x = x + Drop(Attn(LN(x))); x = x + Drop(FFN(LN(x)))
                E = tape.add(E, drop(attention(norm(E, l + ".ln1"))))
                E = tape.add(E, drop(feedForward(norm(E, l + ".ln2"))))
            }
        }
        let out = tape.activation(tape.dense(E, p["power_head.W"], p["power_head.b"]), .sigmoid)
        return (tape.reshape(tape.sliceFeatures(out, 0..<1), [B, K]), tape.reshape(tape.sliceFeatures(out, 1..<2), [B, K]))
    }
}

extension TokenPowerNet: StaticPowerModel {
    public func normalisedPowers(ue: Tensor<T>, ap: Tensor<T>) -> (ul: [T], dl: [T]) {
        let tape = Tape<T>(recordsGradients: false)
        let out = forward(tape, parameters.bind(tape), ue: tape.constant(ue), ap: tape.constant(ap))
        return (tape.value(out.ulNorm).values, tape.value(out.dlNorm).values)
    }

    /// MSE over the 2·B·K normalised outputs, as the Tree model's (§5.3).
    public func loss(_ tape: Tape<T>, _ p: BoundParameters, _ batch: PowerBatch<T>, dropout: DropoutStream?) -> Variable {
        let out = forward(tape, p, ue: tape.constant(batch.ue), ap: tape.constant(batch.ap), dropout: dropout)
        return meanSquaredError(tape, [(out.ulNorm, batch.ul), (out.dlNorm, batch.dl)])
    }
}
