import Linalg

/// Settings of ClusterPowerNet (models.md §1, §7), the keys of the golden files' `config`.
public struct ClusterPowerNetConfig: Sendable, Equatable {
    public var attention: AttentionKind = .cosFormer(.eluPlusOne)
    public var L = 16, dModel = 64, heads = 4, layers = 2, dFF = 256
    /// τ_p (UEs kept per AP) and the strict score threshold μ of the hard mask (§1.4).
    public var tau_p = 10
    public var mu = 0.5
    /// UL label normaliser [W], per-AP DL budget [W], DL normaliser [W] (§1.5–1.6).
    public var pULMin = 0.0, pULMax = 0.1, pAP = 0.2, dlNormMin = 0.0, dlNormMax = 3.2
    /// Loss weight λ and fairness temperature T [bit/s/Hz] (§1.7), dropout rate.
    public var lambda = 0.1, fairTemperature = 1.0, dropout = 0.1
    /// 0: the normalised UL and DL powers are linear in watts, as (18) and models.md §1.5–1.6. A floor
    /// f > 0 [W] (ours, documented as `power_scale: log`): they are log-linear instead,
    /// (log p − log f)/(log p_max − log f) with p clamped to ≥ f, so MSE weighs every decade of the
    /// max-min labels alike.
    public var logPowerFloor = 0.0
    /// Ours (`power_scale: log-relative`, with a log floor): the power loss compares each drop's
    /// normalised log powers after removing their mean over the UEs, so it fits the powers of the UEs
    /// relative to one another and not the drop's overall level (which a max-min optimum sets by its
    /// weakest UE); the UL output is then scaled so that the strongest UE of each drop transmits at
    /// p_ul_max, as at the max-min optimum (papers.md §3.2), and the DL level is the per-AP budget's.
    public var relativePowers = false
    /// Ours (`power_scale: log-relative-level`, with relative powers): a level head predicts each drop's
    /// level, the mean over its UEs of the normalised log labels, from the mean of the UE tokens (detached
    /// from the encoder) and log10 K; the outputs are scaled to it (`levelFactor`) instead of putting the
    /// strongest UE at p_ul_max, never above p_ul_max (DL: never above the per-AP budgets). The max-min
    /// optimum lowers the powers of most UEs far below its bottleneck UE's (1.6–2 decades at K ≥ 60),
    /// while per-UE outputs shrunk toward the drop's mean (least squares under shadowing) put them
    /// closer to it: anchored at the top, the whole distribution sits too high (LA Fig. 8).
    public var levelHead = false
    /// Weight γ of the max-min gap term of the loss (ours, `sinr_weight`; 0: not used) and its soft
    /// maximum's temperature τ [nats] (`Tape.maxMinGap`).
    public var sinrWeight = 0.0, sinrTemperature = 0.1
    /// Weight w of the quantile term of the loss (ours, `quantile_weight`; 0: not used): the power MSE
    /// between each drop's sorted outputs and its sorted labels. Least squares alone shrinks the
    /// predictions toward each drop's mean when the labels are uncertain given the inputs (shadowing);
    /// this term asks for the labels' spread as well, the per-drop power distribution of LA Fig. 8.
    public var quantileWeight = 0.0
    /// Ours (not models.md): each UE token also carries ½·log10 of its distance to every AP, from the
    /// positions it is given (normalised; floored at 10⁻³), the quantity path loss is a function of.
    public var distanceFeatures = false
    /// Ours (not models.md): each UE token also carries sin and cos of 2π·n·x and 2π·n·y, n = 1…H, of its
    /// normalised position (0: none): the wrap-around square is a torus, and the path loss to a grid of
    /// APs is periodic in x and y, which raw coordinates make a network slow to learn.
    public var fourierHarmonics = 0

    public init() {}

    /// A UL power [W] as the UL head's normalised output (and label) represents it.
    public func normalisedUL(_ watts: Double) -> Double { normalised(watts, min: pULMin, max: pULMax) }
    /// A DL power per UE [W] as `dlNorm` represents it.
    public func normalisedDL(_ watts: Double) -> Double { normalised(watts, min: dlNormMin, max: dlNormMax + 1e-8) }

    private func normalised(_ watts: Double, min lo: Double, max hi: Double) -> Double {
        guard logPowerFloor > 0 else { return (watts - lo) / (hi - lo) }
        return (Double.log(Swift.max(watts, logPowerFloor)) - Double.log(logPowerFloor)) / (Double.log(hi) - Double.log(logPowerFloor))
    }
    /// The level head's normalised level as the mean of ln p [W], UL and DL (the inverse of `normalised`'s log scale).
    public func ulLevelLogWatts(_ level: Double) -> Double { levelLogWatts(level, max: pULMax) }
    public func dlLevelLogWatts(_ level: Double) -> Double { levelLogWatts(level, max: dlNormMax + 1e-8) }

    private func levelLogWatts(_ level: Double, max hi: Double) -> Double {
        Double.log(logPowerFloor) + level * (Double.log(hi) - Double.log(logPowerFloor))
    }
    public var headWidth: Int { dModel / heads }
    public var inputWidth: Int { 2 * (L + 1) + (distanceFeatures ? L : 0) + 4 * fourierHarmonics }
}

/// The joint clustering and UL/DL power model of the linear-attention paper (models.md §1), with any
/// attention core. Parameters follow §1.8; `omegas` holds the Performer's fixed projections.
public struct ClusterPowerNet<T: TensorScalar>: Sendable {
    public var config: ClusterPowerNetConfig
    public var parameters: ParameterSet<T>
    public var omegas: [Tensor<T>]

    public init(config: ClusterPowerNetConfig, parameters: ParameterSet<T>, omegas: [Tensor<T>] = []) {
        self.config = config; self.parameters = parameters; self.omegas = omegas
    }

    /// Fresh parameters with PyTorch's default initialisation (§0.2).
    public init(config c: ClusterPowerNetConfig, using rng: inout RandomStream) {
        var p = ParameterSet<T>()
        p.addTokenEncoder(inputWidth: c.inputWidth, dModel: c.dModel, layers: c.layers, dFF: c.dFF, using: &rng)
        p.addDense("cluster_head", c.dModel, c.L, using: &rng)
        p.addDense("ul_head", c.dModel, 1, using: &rng)
        p.addDense("dl_head", c.dModel, c.L, using: &rng)
        let omegas: [Tensor<T>] = attentionProjections(c.attention, layers: c.layers, headWidth: c.headWidth, using: &rng)
        // Drawn last, so every other parameter starts as without it.
        if c.levelHead { p.addDense("level_head", c.dModel + 1, 2, using: &rng) }
        self.init(config: c, parameters: p, omegas: omegas)
    }

    /// The outputs of §1.1 as tape variables; `clusterMask` is a constant (no gradient).
    public struct Outputs {
        public let clusterScores, ulNorm, ulPower, dlWeights, dlPerAP, dlPower, dlNorm: Variable
        public let clusterMask: Tensor<T>
        /// With `levelHead`: [B, 2], each drop's predicted level, the mean over its UEs of the normalised
        /// log UL and DL powers.
        public let level: Variable?
    }

    /// Forward pass on normalised positions ue [B, K, 2], ap [B, L, 2]. With a `dropout` stream the
    /// model is in training mode (dropout on), otherwise in evaluation mode.
    public func forward(_ tape: Tape<T>, _ p: BoundParameters, ue: Variable, ap: Variable,
                        dropout: DropoutStream? = nil) -> Outputs {
        let c = config
        let (B, K) = (tape.shape(ue)[0], tape.shape(ue)[1])
        precondition(tape.shape(ap) == [B, c.L, 2], "ap_pos must be [B, L = \(c.L), 2], got \(tape.shape(ap))")
        // x[b, k] = [ue (x, y), ap_0 (x, y), …, ap_{L−1} (x, y)] (§1.1).
        var parts = [ue, tape.repeatTokens(tape.reshape(ap, [B, 2 * c.L]), count: K)]
        if c.distanceFeatures { parts.append(tape.constant(logDistances(tape.value(ue), tape.value(ap)))) }
        if c.fourierHarmonics > 0 { parts.append(tape.constant(fourierFeatures(tape.value(ue), harmonics: c.fourierHarmonics))) }
        let x = tape.concatenateFeatures(parts)
        var E = tape.dense(x, p["embed.W"], p["embed.b"])
        func drop(_ v: Variable) -> Variable {
            guard let dropout else { return v }
            return tape.dropout(v, rate: c.dropout, using: &dropout.rng)
        }
        for s in 0..<c.layers {   // pre-LN blocks (§1.2)
            let l = "layers.\(s)"
            let y = tape.layerNorm(E, gamma: p[l + ".ln1.gamma"], beta: p[l + ".ln1.beta"])
            let A = tape.multiHeadAttention(y, p, prefix: l + ".attn", heads: c.heads, kind: c.attention,
                                            omega: omegas.isEmpty ? nil : omegas[s])
            E = tape.add(E, drop(A))
            let h = tape.activation(tape.dense(tape.layerNorm(E, gamma: p[l + ".ln2.gamma"], beta: p[l + ".ln2.beta"]),
                                               p[l + ".ffn.l1.W"], p[l + ".ffn.l1.b"]), .relu)
            E = tape.add(E, drop(tape.dense(h, p[l + ".ffn.l2.W"], p[l + ".ffn.l2.b"])))
        }
        // Level head (ours): [mean over the UE tokens (no gradient into the encoder), log10 K] → [B, 2].
        var level: Variable?
        if c.levelHead {
            let pooled = tape.constant(tape.value(tape.meanTokens(E)))
            let logK = tape.constant(Tensor(shape: [B, 1], values: [T](repeating: T(Double.log10(Double(K))), count: B)))
            level = tape.dense(tape.concatenateFeatures([pooled, logK]), p["level_head.W"], p["level_head.b"])
        }
        // Clustering head (15)–(16).
        let S = tape.activation(tape.dense(E, p["cluster_head.W"], p["cluster_head.b"]), .sigmoid)
        let mask = hardClusterMask(tape.value(S), tau_p: c.tau_p, mu: T(c.mu))
        // UL head (17)–(18).
        let ulNorm = tape.reshape(tape.activation(tape.dense(E, p["ul_head.W"], p["ul_head.b"]), .sigmoid), [B, K])
        // (18); on the log scale p = f·(p_max/f)^ul_norm, which no loss differentiates (relative: the
        // strongest UE of each drop at p_max).
        let ulPower = c.logPowerFloor > 0
            ? tape.constant(logScalePowers(tape.value(ulNorm), config: c, level: level.map { tape.value($0) }))
            : tape.affine(ulNorm, scale: T(c.pULMax - c.pULMin), shift: T(c.pULMin))
        // DL per-AP head (19)–(20).
        let omega = tape.activation(tape.dense(E, p["dl_head.W"], p["dl_head.b"]), .sigmoid)
        let perAP = tape.perAPPowers(omega, mask: mask, budget: T(c.pAP))
        let dlPower = tape.sumLast(perAP)
        let span = c.dlNormMax - c.dlNormMin + 1e-8
        let dlNorm = c.logPowerFloor > 0
            ? tape.logNormalised(dlPower, floor: T(c.logPowerFloor), max: T(c.dlNormMax + 1e-8))
            : tape.affine(dlPower, scale: T(1 / span), shift: T(-c.dlNormMin / span))
        return Outputs(clusterScores: S, ulNorm: ulNorm, ulPower: ulPower, dlWeights: omega, dlPerAP: perAP,
                       dlPower: dlPower, dlNorm: dlNorm, clusterMask: mask, level: level)
    }
}

/// sin 2πnx, cos 2πnx, sin 2πny, cos 2πny for n = 1…H of normalised positions [B, K, 2] → [B, K, 4H].
public func fourierFeatures<T: TensorScalar>(_ ue: Tensor<T>, harmonics H: Int) -> Tensor<T> {
    let (B, K) = (ue.shape[0], ue.shape[1])
    var out = Tensor<T>(shape: [B, K, 4 * H])
    for t in 0..<(B * K) {
        let (x, y) = (Double(ue.values[2 * t]), Double(ue.values[2 * t + 1]))
        for n in 1...H {
            let (ax, ay) = (2 * Double.pi * Double(n) * x, 2 * Double.pi * Double(n) * y), o = t * 4 * H + 4 * (n - 1)
            (out.values[o], out.values[o + 1], out.values[o + 2], out.values[o + 3]) = (T(Double.sin(ax)), T(Double.cos(ax)), T(Double.sin(ay)), T(Double.cos(ay)))
        }
    }
    return out
}

/// UL powers [W] of normalised log outputs [B, K]: f·(p_max/f)^ul_norm, each row scaled so that its
/// largest is p_max when the config's powers are relative, or to the level head's level (`level`
/// [B, 2], column 0) when there is one, as long as its largest stays at most p_max.
func logScalePowers<T: TensorScalar>(_ ulNorm: Tensor<T>, config c: ClusterPowerNetConfig, level: Tensor<T>? = nil) -> Tensor<T> {
    var p = ulNorm.values.map { c.logPowerFloor * Double.pow(c.pULMax / c.logPowerFloor, Double($0)) }
    if c.relativePowers {
        let K = ulNorm.lastDimension
        for (b, row) in stride(from: 0, to: p.count, by: K).enumerated() {
            let powers = p[row..<(row + K)], full = c.pULMax / powers.max()!
            let scale = level.map { min(levelFactor(Array(powers), meanLog: c.ulLevelLogWatts(Double($0.values[2 * b]))), full) } ?? full
            for i in row..<(row + K) { p[i] *= scale }
        }
    }
    return Tensor(shape: ulNorm.shape, values: p.map { T($0) })
}

/// The factor that brings the mean of ln p over the positive powers to `meanLog` (same unit); 1 when
/// none is positive.
public func levelFactor(_ powers: [Double], meanLog: Double) -> Double {
    let logs = powers.filter { $0 > 0 }.map { Double.log($0) }
    guard !logs.isEmpty else { return 1 }
    return Double.exp(meanLog - logs.reduce(0, +) / Double(logs.count))
}

/// ½·log10 of every UE–AP distance (`distanceFeatures`): ue [B, K, 2], ap [B, L, 2] → [B, K, L], with
/// the papers' wrap-around on positions normalised by the area side (a square of side 1).
public func logDistances<T: TensorScalar>(_ ue: Tensor<T>, _ ap: Tensor<T>) -> Tensor<T> {
    let (B, K, L) = (ue.shape[0], ue.shape[1], ap.shape[1])
    var out = Tensor<T>(shape: [B, K, L])
    func wrapped(_ d: Double) -> Double { let r = abs(d).truncatingRemainder(dividingBy: 1); return Swift.min(r, 1 - r) }
    for b in 0..<B { for k in 0..<K { for l in 0..<L {
        let dx = wrapped(Double(ue.values[(b * K + k) * 2] - ap.values[(b * L + l) * 2]))
        let dy = wrapped(Double(ue.values[(b * K + k) * 2 + 1] - ap.values[(b * L + l) * 2 + 1]))
        out.values[(b * K + k) * L + l] = T(0.5 * Double.log10(Swift.max((dx * dx + dy * dy).squareRoot(), 1e-3)))
    } } }
    return out
}

/// The hard mask of (16), models.md §1.4: per sample and AP, the min(τ_p, K) highest scores (ties to
/// the lower UE index), then strictly above μ. S [B, K, L] → 0/1 [B, K, L].
public func hardClusterMask<T: TensorScalar>(_ S: Tensor<T>, tau_p: Int, mu: T) -> Tensor<T> {
    let (B, K, L) = (S.shape[0], S.shape[1], S.shape[2]), keep = min(tau_p, K)
    var mask = Tensor<T>(shape: S.shape)
    var top = [Int]()   // the current best `keep` UEs of one AP, best first
    top.reserveCapacity(keep + 1)
    for b in 0..<B {
        for l in 0..<L {
            // Insertion into a sorted list of length ≤ τ_p: O(K·τ_p); a later UE displaces an earlier
            // one only with a strictly higher score, so ties go to the lower index.
            top.removeAll(keepingCapacity: true)
            for k in 0..<K {
                let score = S.values[(b * K + k) * L + l]
                if top.count == keep, let last = top.last, !(score > S.values[(b * K + last) * L + l]) { continue }
                var position = top.count
                while position > 0 && score > S.values[(b * K + top[position - 1]) * L + l] { position -= 1 }
                top.insert(k, at: position)
                if top.count > keep { top.removeLast() }
            }
            for k in top where S.values[(b * K + k) * L + l] > mu { mask.values[(b * K + k) * L + l] = 1 }
        }
    }
    return mask
}

extension ParameterSet {
    /// The embedding and the encoder blocks of the per-UE-token models (ClusterPowerNet, models.md §1.2,
    /// and the Tree paper's baselines), in the golden files' order: `embed`, then per layer s
    /// `layers.s.ln1`, `.attn.W_qkv/b_qkv`, `.attn.W_o/b_o`, `.ln2`, `.ffn.l1`, `.ffn.l2`.
    mutating func addTokenEncoder(inputWidth: Int, dModel d: Int, layers: Int, dFF: Int, using rng: inout RandomStream) {
        addDense("embed", inputWidth, d, using: &rng)
        for s in 0..<layers {
            let l = "layers.\(s)"
            addLayerNorm(l + ".ln1", d)
            addDense(weight: l + ".attn.W_qkv", bias: l + ".attn.b_qkv", d, 3 * d, using: &rng)
            addDense(weight: l + ".attn.W_o", bias: l + ".attn.b_o", d, d, using: &rng)
            addLayerNorm(l + ".ln2", d)
            addDense(l + ".ffn.l1", d, dFF, using: &rng)
            addDense(l + ".ffn.l2", dFF, d, using: &rng)
        }
    }
}

/// The fixed projections of an attention core, one per layer: the Performer's Ω (§3.3); none otherwise.
func attentionProjections<T: TensorScalar>(_ attention: AttentionKind, layers: Int, headWidth: Int, using rng: inout RandomStream) -> [Tensor<T>] {
    guard case let .performer(m) = attention else { return [] }
    return (0..<layers).map { _ in performerProjection(features: m, headWidth: headWidth, using: &rng) }
}
