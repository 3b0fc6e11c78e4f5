import Linalg

/// Small-scale fading model of every AP–UE channel.
public enum Fading: Sendable, Equatable {
    /// Uncorrelated Rayleigh fading: R_kl = β_kl·I_N.
    case iid
    /// Gaussian local scattering around the nominal angles, reference (2.18); angular standard
    /// deviations in radians (0 disables that dimension).
    case localScattering(azimuthASD: Double, elevationASD: Double)
}

/// Everything that defines one network of the reference simulator, with the book's defaults
/// (reference-physics.md §1). Distances in m, powers in mW, gains relative to the noise power.
public struct NetworkParameters: Sendable, Equatable {
    /// Number of APs L, antennas per AP N, UEs K, orthogonal pilots τ_p.
    public var L: Int
    public var N: Int
    public var K: Int
    public var tau_p: Int
    /// Coherence block length τ_c in samples.
    public var tau_c: Int = 200
    /// UL transmit power p per UE for data and pilots [mW].
    public var p: Double = 100
    /// Maximum DL power ρ_tot per AP [mW].
    public var rho_tot: Double = 200
    /// Side of the square area [m]; a torus when `wrapAround` is true.
    public var areaSideMeters: Double = 1000
    public var wrapAround = true
    /// Height of every AP above every UE [m].
    public var heightDifferenceMeters: Double = 10
    /// 3GPP UMi path loss β[dB] = constant − slope·log10(d / 1 m), reference (5.42).
    public var pathLossConstantDB: Double = -30.5
    public var pathLossSlopeDB: Double = 36.7
    /// Shadow fading standard deviation [dB] and its decorrelation distance across UEs [m], (5.43).
    public var shadowStdDB: Double = 4
    public var shadowDecorrelationMeters: Double = 9
    public var bandwidthHz: Double = 20e6
    public var noiseFigureDB: Double = 7
    /// ULA antenna spacing in wavelengths.
    public var antennaSpacing: Double = 0.5
    public var fading: Fading = .localScattering(azimuthASD: 15 * .pi / 180, elevationASD: 15 * .pi / 180)

    public init(L: Int, N: Int, K: Int, tau_p: Int) {
        self.L = L; self.N = N; self.K = K; self.tau_p = tau_p
    }

    /// Receiver noise power σ² [dBm] = −174 + 10·log10(B) + NF.
    public var noisePowerDBm: Double { -174 + 10 * Double.log10(bandwidthHz) + noiseFigureDB }

    /// The prelog factor (1 − τ_p/τ_c), shared by UL and DL (quirk 12.2: no UL/DL split).
    public var preLogFactor: Double { Double(tau_c - tau_p) / Double(tau_c) }

    /// Throws when a count or length is not usable.
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ value: Any, _ expected: String) throws {
            if !ok { throw CellFreeError.invalidParameter(field: field, value: "\(value)", expected: expected) }
        }
        try require(L >= 1, "L", L, "at least 1 AP")
        try require(N >= 1, "N", N, "at least 1 antenna")
        try require(K >= 1, "K", K, "at least 1 UE")
        try require(tau_p >= 1, "tau_p", tau_p, "at least 1 pilot")
        try require(tau_c > tau_p, "tau_c", tau_c, "more than tau_p = \(tau_p) samples")
        try require(p > 0 && p.isFinite, "p", p, "a positive UL power in mW")
        try require(rho_tot > 0 && rho_tot.isFinite, "rho_tot", rho_tot, "a positive DL power in mW")
        try require(areaSideMeters > 0, "areaSideMeters", areaSideMeters, "a positive side length")
    }
}

/// Errors of the physics, each naming the quantity at fault.
public enum CellFreeError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(field: String, value: String, expected: String)
    case shapeMismatch(what: String, expected: String, got: String)
    case numerical(what: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidParameter(field, value, expected): "parameter \(field) = \(value): expected \(expected)"
        case let .shapeMismatch(what, expected, got): "\(what): expected \(expected), got \(got)"
        case let .numerical(what, detail): "\(what): \(detail)"
        }
    }
}
