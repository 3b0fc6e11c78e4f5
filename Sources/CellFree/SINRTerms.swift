import Linalg

// The SINR terms every power-control formula works on, UL (UatF) and DL (centralized precoding),
// and the SE they give.

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

/// Normalized DL terms of centralized precoding w_k = sqrt(ρ_k)·v̄_k/sqrt(E‖v̄_k‖²) (Theorem 6.1,
/// reference-physics §10.3): SINR_k = ρ_k·b̃_k / (Σ_i c̃(i,k)·ρ_i + 1).
public struct DownlinkTerms: Sendable, Equatable {
    public let L: Int, K: Int
    /// b̃_k = |E[h_kᴴD_kv_k]|² / E‖D_kv_k‖².
    public var b: [Double]
    /// c̃(k,i) at k + K·i: E|h_iᴴD_kv_k|²/E‖D_kv_k‖² for i ≠ k; the diagonal is the variance
    /// (E|h_kᴴv_k|² − |E h_kᴴv_k|²)/E‖v_k‖² (the reference's `ck` of Alg. 7.3).
    public var c: [Double]
    /// E‖D_kv_k‖², the precoder normalization.
    public var sigma2: [Double]
    /// ω_lk = E‖v_kl‖²/E‖v_k‖² at l + L·k (`portionScaling`).
    public var portion: [Double]

    public init(L: Int, K: Int, b: [Double], c: [Double], sigma2: [Double], portion: [Double]) {
        self.L = L; self.K = K; self.b = b; self.c = c; self.sigma2 = sigma2; self.portion = portion
    }

    /// SINR_k for DL powers ρ [mW].
    public func sinr(_ rho: [Double]) -> [Double] {
        (0..<K).map { k in rho[k] * b[k] / ((0..<K).reduce(1.0) { $0 + c[$1 + K * k] * rho[$1] }) }
    }

    /// The share of UE k's power spent at AP l, p_{k,l} = ρ_k·ω_lk [mW] (l + L·k; papers.md §3.3).
    public func perAPSplit(_ rho: [Double]) -> [Double] {
        (0..<(L * K)).map { portion[$0] * rho[$0 / L] }
    }

    /// Per-AP transmit power Σ_k ω_lk·ρ_k [mW].
    public func apPowers(_ rho: [Double]) -> [Double] {
        (0..<L).map { l in (0..<K).reduce(0.0) { $0 + portion[l + L * $1] * rho[$1] } }
    }
}
