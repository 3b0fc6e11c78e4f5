import Linalg

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
