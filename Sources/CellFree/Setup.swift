import Linalg

/// The random draws of one setup, in the reference's order (reference-physics §2): L AP x-coordinates,
/// L AP y-coordinates, then per UE its x, y and L standard normals for shadowing.
public struct SetupDraws: Sendable, Equatable {
    public var layout: Layout
    /// Raw N(0,1) shadowing draws z_kl, K×L (index k + K·l).
    public var shadowZ: [Double]

    public init(layout: Layout, shadowZ: [Double]) {
        self.layout = layout; self.shadowZ = shadowZ
    }

    /// Uniform positions in [0, side)² and shadowing normals from `rng`, in the reference's order.
    /// With a grid AP layout no AP coordinates are drawn.
    public static func draw(_ params: NetworkParameters, using rng: inout RandomStream) -> SetupDraws {
        let S = params.areaSideMeters
        let aps: [Complex<Double>]
        switch params.apLayout {
        case .uniform:
            let xs = (0..<params.L).map { _ in S * rng.uniform() }
            let ys = (0..<params.L).map { _ in S * rng.uniform() }
            aps = zip(xs, ys).map { Complex($0, $1) }
        case .grid:
            aps = gridAPPositions(L: params.L, side: S)
        }
        var ues: [Complex<Double>] = [], z = [Double](repeating: 0, count: params.K * params.L)
        for k in 0..<params.K {
            let x = S * rng.uniform(), y = S * rng.uniform()
            ues.append(Complex(x, y))
            for l in 0..<params.L { z[k + params.K * l] = rng.normal() }
        }
        return SetupDraws(layout: Layout(apPositions: aps, uePositions: ues), shadowZ: z)
    }
}

/// One network of the reference simulator (`generateSetup`): geometry, large-scale fading,
/// correlation matrices, pilots and clusters. All 0-based.
public struct NetworkSetup: Sendable {
    public let params: NetworkParameters
    public let layout: Layout
    public let geometry: LinkGeometry
    /// Shadowing covariance across UEs (K×K) and the shadow fading itself.
    public let shadowCorrelation: [Double]
    public let shadowing: ShadowFading
    /// β_kl/σ² [dB], L×K (index l + L·k).
    public let gainOverNoiseDB: [Double]
    public let R: CorrelationMatrices
    public let pilots: PilotAssignment
    public let masterOnly: ClusterMatrix
    /// The book DCC (§6.1) and the small-cell DCC (= master only).
    public let dcc: ClusterMatrix
    public var smallCell: ClusterMatrix { masterOnly }

    /// Builds the setup from its draws, reference-physics §2–§6.1; R is computed on `threads` threads.
    public init(_ params: NetworkParameters, draws: SetupDraws, threads: Int = 1) throws {
        try params.validate()
        guard draws.layout.apPositions.count == params.L, draws.layout.uePositions.count == params.K else {
            throw CellFreeError.shapeMismatch(what: "setup positions", expected: "L = \(params.L) APs and K = \(params.K) UEs",
                                              got: "\(draws.layout.apPositions.count) APs and \(draws.layout.uePositions.count) UEs")
        }
        guard draws.shadowZ.count == params.K * params.L else {
            throw CellFreeError.shapeMismatch(what: "shadowing draws", expected: "K×L = \(params.K * params.L)", got: "\(draws.shadowZ.count)")
        }
        self.params = params
        layout = draws.layout
        geometry = linkGeometry(layout, params)
        shadowCorrelation = CellFree.shadowCorrelation(ueDistances: ueDistances(layout, params), params)
        shadowing = try shadowFading(correlation: shadowCorrelation, z: draws.shadowZ, K: params.K, L: params.L)
        gainOverNoiseDB = CellFree.gainOverNoiseDB(geometry: geometry, shadowing: shadowing, params)
        R = correlationMatrices(gainOverNoiseDB: gainOverNoiseDB, geometry: geometry, params, threads: threads)
        switch params.pilotModel {
        case .book: pilots = assignPilots(gainOverNoiseDB: gainOverNoiseDB, L: params.L, K: params.K, tau_p: params.tau_p)
        case .orthogonal: pilots = orthogonalPilots(gainOverNoiseDB: gainOverNoiseDB, L: params.L, K: params.K, pilotLength: params.tau_p)
        }
        masterOnly = masterOnlyClusters(pilots, L: params.L)
        dcc = bookDCC(gainOverNoiseDB: gainOverNoiseDB, pilots: pilots, L: params.L)
    }

    /// The set-up of `layout` without shadowing: what positions alone tell (path loss only; the papers'
    /// shadowing is what no position reveals).
    public static func pathLossOnly(_ params: NetworkParameters, layout: Layout) throws -> NetworkSetup {
        try NetworkSetup(params, draws: SetupDraws(layout: layout, shadowZ: [Double](repeating: 0, count: params.K * params.L)))
    }

    /// β_kl/σ², linear.
    public func gain(_ l: Int, _ k: Int) -> Double { dbToLinear(gainOverNoiseDB[l + params.L * k]) }
}
