import Linalg

/// 3GPP Urban Microcell path loss [dB], reference (5.42) without shadowing: constant − slope·log10(d).
public func pathLossDB(distanceMeters d: Double, _ params: NetworkParameters) -> Double {
    params.pathLossConstantDB - params.pathLossSlopeDB * Double.log10(d)
}

/// Shadow-fading covariance across UEs [dB²], (5.43): σ_sf²·2^(−δ_ki / d_decorr), K×K (index i + K·k).
public func shadowCorrelation(ueDistances: [Double], _ params: NetworkParameters) -> [Double] {
    let variance = params.shadowStdDB * params.shadowStdDB
    return ueDistances.map { variance * Double.pow(2, -$0 / params.shadowDecorrelationMeters) }
}

/// Shadow fading F_kl [dB] drawn UE by UE from its conditional Gaussian given the earlier UEs
/// (Kay, Thm 10.2; reference-physics §3.2). Arrays are K×L with index k + K·l, like the reference.
public struct ShadowFading: Sendable, Equatable {
    public let K: Int, L: Int
    /// Conditional mean cᵀΣ⁻¹F_{1:k−1,l} [dB].
    public var mean: [Double]
    /// Conditional standard deviation sqrt(σ² − cᵀΣ⁻¹c) per UE [dB].
    public var std: [Double]
    /// The realization F = mean + std·z [dB].
    public var realization: [Double]
}

/// Sequential conditional-Gaussian shadowing from standard normals `z` (K×L, index k + K·l) and the
/// UE covariance `correlation` (K×K, index i + K·k).
public func shadowFading(correlation: [Double], z: [Double], K: Int, L: Int) throws -> ShadowFading {
    var s = ShadowFading(K: K, L: L, mean: .init(repeating: 0, count: K * L),
                         std: .init(repeating: 0, count: K), realization: .init(repeating: 0, count: K * L))
    // No shadowing (σ_sf = 0, e.g. `shadowing_db: 0`): F = 0, and Σ would be singular.
    if correlation.allSatisfy({ $0 == 0 }) { return s }
    for k in 0..<K {
        var term = [Double](repeating: 0, count: k)   // cᵀΣ⁻¹ over the earlier UEs
        var explained = 0.0
        if k > 0 {
            let sigma = Matrix<Double>(rows: k, columns: k) { i, j in correlation[i + K * j] }
            let c = Matrix<Double>(rows: k, columns: 1) { i, _ in correlation[i + K * k] }
            let x = try sigma.solvePositiveDefinite(c)
            term = x.elements
            for i in 0..<k { explained += term[i] * c.elements[i] }
        }
        let sd = (correlation[k + K * k] - explained).squareRoot()
        s.std[k] = sd
        for l in 0..<L {
            var m = 0.0
            for i in 0..<k { m += term[i] * s.realization[i + K * l] }
            s.mean[k + K * l] = m
            s.realization[k + K * l] = m + sd * z[k + K * l]
        }
    }
    return s
}

/// Large-scale gain over noise β_kl / σ² [dB], L×K (index l + L·k): path loss + shadowing − σ².
public func gainOverNoiseDB(geometry g: LinkGeometry, shadowing: ShadowFading?, _ params: NetworkParameters) -> [Double] {
    var gain = [Double](repeating: 0, count: g.L * g.K)
    let noise = params.noisePowerDBm
    for k in 0..<g.K {
        for l in 0..<g.L {
            let f = shadowing.map { $0.realization[k + g.K * l] } ?? 0
            gain[l + g.L * k] = pathLossDB(distanceMeters: g.distances[l + g.L * k], params) + f - noise
        }
    }
    return gain
}

/// 10^(x/10), the reference's `db2pow`.
@inline(__always) public func dbToLinear(_ x: Double) -> Double { Double.pow(10, x / 10) }
