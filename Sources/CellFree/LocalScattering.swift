import Linalg

/// Probabilists' Gauss–Hermite rule: ∫ f(x)·φ(x) dx ≈ Σ wᵢ f(xᵢ) for the standard normal density φ,
/// by Golub–Welsch (eigen-decomposition of the Jacobi matrix of the Hermite polynomials He_n).
public struct GaussHermite: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(order n: Int) {
        precondition(n >= 1, "Gauss–Hermite order must be positive")
        // Jacobi matrix of He_n: zero diagonal, off-diagonal sqrt(i).
        let jacobi = Matrix<Double>(rows: n, columns: n) { i, j in abs(i - j) == 1 ? Double(max(i, j)).squareRoot() : 0 }
        let e = try! jacobi.hermitianEigen()   // symmetric tridiagonal: always succeeds
        nodes = e.values
        weights = (0..<n).map { e.vectors[0, $0] * e.vectors[0, $0] }
    }

    /// The 80-node rule: matches the reference's adaptive `integral2` to about 1e-14 for N ≤ 8 and
    /// ASD ≤ 40° (reference-physics §4).
    public static let standard = GaussHermite(order: 80)

    /// A rule for the local-scattering integrand of bandwidth ω (`localScatteringBandwidth`). Node counts
    /// measured against a 240-node rule over random angles, ASD 2°–40°, N = 2–8: 12ω − 12 nodes for ω ≤ 10
    /// and 14ω − 32 above (16 to 200, even) keep the first-row error below 1e-13 for ω ≤ 10 (38 nodes and
    /// 1e-15 at N = 4, 15°), below 1.5e-12 for ω ≤ 14.7, and at 1e-11 for ω = 15.2 (N = 6, 40°).
    public static func forPhaseSlope(_ ω: Double) -> GaussHermite {
        let n = min(200, max(16, Int((ω <= 10 ? 12 * ω - 12 : 14 * ω - 32).rounded(.up))))
        return n == 80 ? standard : GaussHermite(order: n + n % 2)
    }
}

/// ω = (2πΔ(N−1) + 6)·ASD: the highest frequency, in units of the standard normal variable, of the
/// local-scattering integrand (see `GaussHermite.forPhaseSlope`).
func localScatteringBandwidth(N: Int, antennaSpacing Δ: Double, asd: Double) -> Double {
    (2 * .pi * Δ * Double(max(N - 1, 0)) + 6) * asd
}

/// Normalized local-scattering correlation R̃ (N×N, Hermitian Toeplitz) of a half-wavelength-type ULA,
/// reference (2.18): [R̃]_{m,n} = E[exp(j2πΔ(n−m)·sin(φ+δ)·cos(θ+ε))], δ ~ N(0,σ_φ²), ε ~ N(0,σ_θ²).
/// Angles and ASDs in rad, spacing Δ in wavelengths. r₁ = 1 exactly, as in the reference.
public func localScatteringCorrelation(N: Int, azimuth φ: Double, elevation θ: Double,
                                       azimuthASD σφ: Double, elevationASD σθ: Double,
                                       antennaSpacing Δ: Double = 0.5,
                                       rule: GaussHermite? = nil) -> Matrix<Complex<Double>> {
    let rule = rule ?? .forPhaseSlope(localScatteringBandwidth(N: N, antennaSpacing: Δ, asd: max(σφ, σθ)))
    // Quadrature points over (δ, ε); a zero ASD collapses its dimension to the nominal angle.
    let base = 2 * Double.pi * Δ
    let azimuths = σφ > 0 ? zip(rule.nodes, rule.weights).map { (base * Double.sin(φ + σφ * $0.0), $0.1) } : [(base * Double.sin(φ), 1.0)]
    let elevations = σθ > 0 ? zip(rule.nodes, rule.weights).map { (Double.cos(θ + σθ * $0.0), $0.1) } : [(Double.cos(θ), 1.0)]
    let row = firstRowSum(N: N, outer: azimuths.count <= elevations.count ? azimuths : elevations,
                          inner: azimuths.count <= elevations.count ? elevations : azimuths)
    return Matrix(rows: N, columns: N) { m, n in n >= m ? row[n - m] : row[m - n].conjugate }
}

/// r_c = Σ_{i,j} w_i·w_j·exp(j·(c−1)·a_i·b_j) for c = 1…N (r_1 = 1 exactly), over (a_i, w_i) ∈ outer and
/// (b_j, w_j) ∈ inner. The inner sum runs four nodes at a time through the vector `sinCos`;
/// exp(j·c·x) for c ≥ 2 follows from exp(j·x) by repeated multiplication.
func firstRowSum(N: Int, outer: [(Double, Double)], inner: [(Double, Double)]) -> [Complex<Double>] {
    var row = [Complex<Double>](repeating: .zero, count: N)
    row[0] = .one
    guard N > 1 else { return row }
    let chunks = (inner.count + 3) / 4
    // Inner nodes and weights padded with zero weight to whole chunks of four.
    var b = [SIMD4<Double>](repeating: .zero, count: chunks), wb = b
    for (j, (value, weight)) in inner.enumerated() { b[j / 4][j % 4] = value; wb[j / 4][j % 4] = weight }
    var re = [SIMD4<Double>](repeating: .zero, count: N - 1), im = re
    for (a, wa) in outer {
        for chunk in 0..<chunks {
            let (sn, cn) = sinCos(a * b[chunk])
            let w = wa * wb[chunk]
            var er = cn, ei = sn
            for c in 0..<(N - 1) {
                re[c] += w * er; im[c] += w * ei
                (er, ei) = (er * cn - ei * sn, er * sn + ei * cn)
            }
        }
    }
    for c in 1..<N { row[c] = Complex(re[c - 1].sum(), im[c - 1].sum()) }
    return row
}

/// The spatial correlation matrices R_kl = β_kl·R̃_kl of every AP–UE pair, divided by the noise power.
/// Stored N×N×L×K column-major like the reference (entry (a, b, l, k) at a + N·(b + N·(l + L·k))).
public struct CorrelationMatrices: Sendable, Equatable {
    public let N: Int, L: Int, K: Int
    public var values: [Complex<Double>]

    public init(N: Int, L: Int, K: Int, values: [Complex<Double>]? = nil) {
        self.N = N; self.L = L; self.K = K
        self.values = values ?? .init(repeating: .zero, count: N * N * L * K)
        precondition(self.values.count == N * N * L * K, "N×N×L×K storage")
    }

    @inline(__always) public func offset(_ l: Int, _ k: Int) -> Int { N * N * (l + L * k) }

    /// R_kl as an N×N matrix.
    public subscript(l: Int, k: Int) -> Matrix<Complex<Double>> {
        get { Matrix(rows: N, columns: N, columnMajor: Array(values[offset(l, k)..<(offset(l, k) + N * N)])) }
        set { values.replaceSubrange(offset(l, k)..<(offset(l, k) + N * N), with: newValue.elements) }
    }

    /// tr(R_kl), real.
    public func trace(_ l: Int, _ k: Int) -> Double {
        let o = offset(l, k)
        return (0..<N).reduce(0) { $0 + values[o + $1 * (N + 1)].real }
    }
}

/// R for every pair from the gains [dB] and angles (reference-physics §4). For `.iid`, R_kl = β_kl·I_N.
/// UEs are spread over `threads` threads; the result does not depend on the thread count.
public func correlationMatrices(gainOverNoiseDB gain: [Double], geometry g: LinkGeometry,
                                _ params: NetworkParameters, threads: Int = 1) -> CorrelationMatrices {
    var R = CorrelationMatrices(N: params.N, L: g.L, K: g.K)
    let N = params.N
    var rule: GaussHermite?
    if case let .localScattering(σφ, σθ) = params.fading {
        rule = .forPhaseSlope(localScatteringBandwidth(N: params.N, antennaSpacing: params.antennaSpacing, asd: max(σφ, σθ)))
    }
    R.values.withUnsafeMutableBufferPointer { buffer in
        let out = UncheckedSendable(value: buffer.baseAddress!)
        parallelFor(g.K, threads: threads) { k in
            for l in 0..<g.L {
                let beta = Complex(dbToLinear(gain[l + g.L * k]))
                let Rn: Matrix<Complex<Double>>
                switch params.fading {
                case .iid:
                    Rn = .identity(N)
                case let .localScattering(σφ, σθ):
                    Rn = localScatteringCorrelation(N: N, azimuth: g.azimuth[l + g.L * k], elevation: g.elevation[l + g.L * k],
                                                    azimuthASD: σφ, elevationASD: σθ, antennaSpacing: params.antennaSpacing, rule: rule)
                }
                let target = out.value + N * N * (l + g.L * k)
                for j in 0..<(N * N) { target[j] = beta * Rn.elements[j] }
            }
        }
    }
    return R
}
