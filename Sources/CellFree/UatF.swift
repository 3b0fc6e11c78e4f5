import Linalg

/// The UL use-and-then-forget terms of Theorem 5.2 / (7.2)–(7.5): SINR_k = p_k·b_k / (Σ_i p_i·c_ki + σ_k²).
public struct UatFTerms: Sendable, Equatable {
    public let K: Int
    /// b_k = |E[h_kᴴ D_k v_k]|².
    public var b: [Double]
    /// c_ki at i + K·k (the reference's `ck(i,k)`: leakage of transmitter i into UE k's receiver).
    public var c: [Double]
    /// σ_k² = E‖D_k v_k‖² (or Σ_l |a_kl|² E‖v_kl‖² with LSFD).
    public var sigma2: [Double]

    public init(K: Int, b: [Double], c: [Double], sigma2: [Double]) {
        self.K = K; self.b = b; self.c = c; self.sigma2 = sigma2
    }

    /// The denominator Σ_i p_i·c_ki + σ_k² (`ckᵀp + σ²`).
    public func interferencePlusNoise(_ powers: [Double]) -> [Double] {
        (0..<K).map { k in (0..<K).reduce(sigma2[k]) { $0 + c[$1 + K * k] * powers[$1] } }
    }

    /// SINR_k for UL powers p [mW].
    public func sinr(_ powers: [Double]) -> [Double] {
        let den = interferencePlusNoise(powers)
        return (0..<K).map { powers[$0] * b[$0] / den[$0] }
    }
}

/// SE_k = prelog·log2(1 + SINR_k) [bit/s/Hz].
public func spectralEfficiency(sinr: [Double], preLogFactor: Double) -> [Double] {
    sinr.map { preLogFactor * Double.log2(1 + $0) }
}

/// Centralized UatF terms from the statistics of combiners built with powers p (reference §8.4).
public func uatfTerms(_ s: CentralizedStatistics) -> UatFTerms { uatfTerms(s.moments) }

/// UatF terms from combiner moments (reference §8.4):
/// b_k = |E[h_kᴴD_kv_k]|², c_ki = E|h_iᴴD_kv_k|² − b_k·1{i=k}, σ_k² = E‖D_kv_k‖².
public func uatfTerms(_ s: CombinerMoments) -> UatFTerms {
    let K = s.K
    let b = (0..<K).map { s.signal[$0 + K * $0].lengthSquared }
    var c = s.signal2
    for k in 0..<K { c[k + K * k] -= b[k] }
    return UatFTerms(K: K, b: b, c: c, sigma2: (0..<K).map { s.totalScaling($0) })
}
