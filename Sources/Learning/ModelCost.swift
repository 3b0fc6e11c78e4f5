/// Floating-point operations of one ClusterPowerNet forward pass on one drop of K UEs (models.md §1–§3;
/// a multiply–add counts 2, element-wise maps and normalisations 1 per element; the Table IV "FLOPs"
/// column). Dense layers dominate for small K; the softmax core grows as K², the others as K.
public func forwardFLOPs(_ c: ClusterPowerNetConfig, K: Int) -> Int {
    let (d, dh, H, L) = (c.dModel, c.headWidth, c.heads, c.L)
    func dense(_ inputs: Int, _ outputs: Int) -> Int { 2 * K * inputs * outputs + K * outputs }
    let core: Int   // one head
    switch c.attention {
    case .softmax: core = 4 * K * K * dh + 5 * K * K                      // QKᵀ, AV, softmax
    case let .slidingWindow(w):
        let band = min(K, 2 * w + 1)
        core = 4 * K * band * dh + 5 * K * band
    case .cosFormer: core = 2 * (4 * K * dh * dh + 2 * K * dh) + 6 * K * dh  // cos and sin halves, φ and re-weighting
    case let .performer(m): core = 2 * (2 * K * dh * m + 2 * K * m) + 4 * K * m * dh + 2 * K * m
    }
    let layer = dense(d, 3 * d) + H * core + dense(d, d) + dense(d, c.dFF) + dense(c.dFF, d) + 2 * 5 * K * d + 2 * K * d
    let level = c.levelHead ? K * d + 2 * 2 * (d + 1) : 0   // mean over the tokens, then one row
    return dense(c.inputWidth, d) + c.layers * layer + dense(d, L) + dense(d, 1) + dense(d, L) + 4 * K * L + level
}
