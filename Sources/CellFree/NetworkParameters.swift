import Linalg

/// Small-scale fading model of every AP–UE channel.
public enum Fading: Sendable, Equatable {
    /// Uncorrelated Rayleigh fading: R_kl = β_kl·I_N.
    case iid
    /// Gaussian local scattering around the nominal angles, reference (2.18); angular standard
    /// deviations in radians (0 disables that dimension).
    case localScattering(azimuthASD: Double, elevationASD: Double)
}

/// Where the APs stand.
public enum APLayout: String, Sendable, Equatable, CaseIterable {
    /// Uniform in the square, drawn before the UEs (the reference simulator).
    case uniform
    /// One AP at the centre of each cell of a regular √L×√L grid (papers.md §3.4); L must be a square.
    case grid
}

/// How the UL pilots are shared, which decides pilot contamination in the MMSE estimates.
public enum PilotModel: String, Sendable, Equatable {
    /// τ_p pilots shared by the book's Algorithm 4.1 (reference-physics §5).
    case book
    /// Every UE its own pilot with processing gain τ_p and no contamination: Q_lk = R_lk + I/(τ_p·p),
    /// the estimator of the papers (papers.md §2, Eq. (2)).
    case orthogonal
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
    public var apLayout: APLayout = .uniform
    public var pilotModel: PilotModel = .book
    /// UL and DL data samples τ_u, τ_d per block; nil uses the book's shared prelog (τ_c − τ_p)/τ_c.
    public var tau_u: Int? = nil
    public var tau_d: Int? = nil

    public init(L: Int, N: Int, K: Int, tau_p: Int) {
        self.L = L; self.N = N; self.K = K; self.tau_p = tau_p
    }

    /// The network model of the three papers (papers.md §2, §3.4, §4.5): a 500 m × 500 m square
    /// without wrap-around, APs on a √L×√L grid, N = 4, τ_c = 200, τ_p = 10, τ_u = 90, τ_d = 100,
    /// P̄_UL = 100 mW per UE, P̄_DL = 200 mW per AP, UMi path loss at 2 GHz (−30.5 dB, 36.7 dB/decade)
    /// with 10 m height difference, 4 dB shadowing correlated as 2^(−δ/9 m), −94 dBm noise, orthogonal
    /// pilots. Spatial correlation (papers.md §9.3, NOT FOUND): the papers write R_lk "spatial
    /// correlation matrices", so the default is the book's local scattering with 15° ASD; pass
    /// `.iid` for Miretti's i.i.d. Rayleigh.
    public static func papers(L: Int = 16, K: Int) -> NetworkParameters {
        var p = NetworkParameters(L: L, N: 4, K: K, tau_p: 10)
        p.areaSideMeters = 500
        p.wrapAround = false
        p.apLayout = .grid
        p.pilotModel = .orthogonal
        p.tau_u = 90
        p.tau_d = 100
        return p
    }

    /// Receiver noise power σ² [dBm] = −174 + 10·log10(B) + NF.
    public var noisePowerDBm: Double { -174 + 10 * Double.log10(bandwidthHz) + noiseFigureDB }

    /// The prelog factor (1 − τ_p/τ_c), shared by UL and DL (quirk 12.2: no UL/DL split).
    public var preLogFactor: Double { Double(tau_c - tau_p) / Double(tau_c) }
    /// UL prelog τ_u/τ_c (papers.md §2 (3)), or the shared one.
    public var uplinkPreLogFactor: Double { tau_u.map { Double($0) / Double(tau_c) } ?? preLogFactor }
    /// DL prelog τ_d/τ_c (papers.md §2 (6)), or the shared one.
    public var downlinkPreLogFactor: Double { tau_d.map { Double($0) / Double(tau_c) } ?? preLogFactor }
    /// Distinct pilot sequences: τ_p for the book, K with orthogonal pilots.
    public var pilotSequences: Int { pilotModel == .book ? tau_p : K }

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
        let side = Int(Double(L).squareRoot().rounded())
        try require(apLayout != .grid || side * side == L, "L", L, "a square number (1, 4, 9, 16, …) for a grid AP layout")
        if let tau_u { try require(tau_u >= 0, "tau_u", tau_u, "a non-negative number of UL samples") }
        if let tau_d { try require(tau_d >= 0, "tau_d", tau_d, "a non-negative number of DL samples") }
        try require(tau_p + (tau_u ?? 0) + (tau_d ?? 0) <= tau_c, "tau_c", tau_c, "at least τ_p + τ_u + τ_d samples")
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
