import Linalg

/// What the UatF bound (Theorem 5.2, reference §8.4) needs from a set of combiners, averaged over the
/// realizations: the first and second moments of h_iᴴD_kv_k and the per-AP combiner energy.
public struct CombinerMoments: Sendable {
    public let L: Int, K: Int, realizations: Int
    /// E[h_iᴴ D_k v_k], K×K at i + K·k.
    public var signal: [Complex<Double>]
    /// E|h_iᴴ D_k v_k|², K×K at i + K·k.
    public var signal2: [Double]
    /// E‖v_kl‖², L×K at l + L·k (zero where l ∉ M_k).
    public var scaling: [Double]

    public init(L: Int, K: Int, realizations: Int, signal: [Complex<Double>], signal2: [Double], scaling: [Double]) {
        self.L = L; self.K = K; self.realizations = realizations
        self.signal = signal; self.signal2 = signal2; self.scaling = scaling
    }

    /// E‖D_k v_k‖² = Σ_l E‖v_kl‖².
    public func totalScaling(_ k: Int) -> Double { (0..<L).reduce(0) { $0 + scaling[$1 + L * k] } }
}
