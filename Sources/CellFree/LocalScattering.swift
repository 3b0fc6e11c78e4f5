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

    /// A rule for E[exp(j·A·sin(φ + σx))]-type integrands: exp(jA·sin u) has Fourier content up to about
    /// A + 6 in u, hence frequencies up to ω = (A + 6)·σ in x; an n-node rule integrates exp(jωx)·φ(x) to
    /// 1e-15 once n ≳ 8 + 4.3·ω (measured for ω ≤ 16). We take 12 + 10·ω nodes (even), 16 to 200.
    public static func forPhaseSlope(_ ω: Double) -> GaussHermite {
        let n = min(200, max(16, Int((12 + 10 * ω).rounded(.up))))
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
    var firstRow = [Complex<Double>](repeating: .zero, count: N)
    firstRow[0] = .one
    // Quadrature points over (δ, ε); a zero ASD collapses its dimension to the nominal angle.
    let base = 2 * Double.pi * Δ
    let azimuths = σφ > 0 ? zip(rule.nodes, rule.weights).map { (base * Double.sin(φ + σφ * $0.0), $0.1) } : [(base * Double.sin(φ), 1.0)]
    let elevations = σθ > 0 ? zip(rule.nodes, rule.weights).map { (Double.cos(θ + σθ * $0.0), $0.1) } : [(Double.cos(θ), 1.0)]
    // exp(j·c·x) for columns c = 1..N−1 by repeated multiplication of exp(j·x): one cos and sin per node pair.
    for (s, wφ) in azimuths {
        for (c, wθ) in elevations {
            let x = s * c
            let step = Complex(Double.cos(x), Double.sin(x))
            let w = wφ * wθ
            var e = step
            for column in 1..<max(N, 1) {
                firstRow[column] += Complex(w * e.real, w * e.imaginary)
                e = e * step
            }
        }
    }
    return Matrix(rows: N, columns: N) { m, n in n >= m ? firstRow[n - m] : firstRow[m - n].conjugate }
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
        try! parallelFor(g.K, threads: threads) { k in   // the body cannot throw
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
