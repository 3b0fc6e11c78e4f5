import Linalg

/// AP and UE positions in the plane, x + j·y [m].
public struct Layout: Sendable, Equatable {
    public var apPositions: [Complex<Double>]
    public var uePositions: [Complex<Double>]
    public init(apPositions: [Complex<Double>], uePositions: [Complex<Double>]) {
        self.apPositions = apPositions
        self.uePositions = uePositions
    }
}

/// AP l = i + √L·j at the centre ((i + ½)·side/√L, (j + ½)·side/√L) of its grid cell [m]
/// (papers.md §3.4). L must be a square number.
public func gridAPPositions(L: Int, side: Double) -> [Complex<Double>] {
    let n = Int(Double(L).squareRoot().rounded()), cell = side / Double(n)
    precondition(n * n == L, "a grid AP layout needs a square number of APs")
    return (0..<L).map { l in Complex((Double(l % n) + 0.5) * cell, (Double(l / n) + 0.5) * cell) }
}

/// Positions as a model sees them: each UE (and, if `apStdMeters` > 0, each AP) coordinate plus
/// N(0, σ²) [m], papers.md §5.3 Eq. (28). The physics keeps the true layout.
public func noisyLayout(_ layout: Layout, ueStdMeters: Double, apStdMeters: Double = 0, using rng: inout RandomStream) -> Layout {
    func perturb(_ z: Complex<Double>, _ sigma: Double) -> Complex<Double> {
        sigma > 0 ? Complex(z.real + sigma * rng.normal(), z.imaginary + sigma * rng.normal()) : z
    }
    return Layout(apPositions: layout.apPositions.map { perturb($0, apStdMeters) },
                  uePositions: layout.uePositions.map { perturb($0, ueStdMeters) })
}

/// The wrap-around images of the square area, in the reference's order (x, y) / side:
/// (−1,−1), (−1,0), (−1,1), (0,−1), (0,0), (0,1), (1,−1), (1,0), (1,1) (reference-physics §2).
func imageOffsets(side: Double, wrapAround: Bool) -> [Complex<Double>] {
    guard wrapAround else { return [.zero] }
    var offsets: [Complex<Double>] = []
    for a in -1...1 { for b in -1...1 { offsets.append(Complex(Double(a) * side, Double(b) * side)) } }
    return offsets
}

/// AP–UE geometry through the nearest wrap-around image of each AP; every array is L×K with
/// index l + L·k.
public struct LinkGeometry: Sendable, Equatable {
    public let L: Int, K: Int
    /// 3-D distance d_kl = sqrt(h² + d_horizontal²) [m].
    public var distances: [Double]
    /// 0-based index of the nearest image in `imageOffsets` order (first on ties).
    public var wrapIndex: [Int]
    /// Azimuth φ_kl = arg(z_UE − z_AP image) [rad], from the AP image to the UE.
    public var azimuth: [Double]
    /// Elevation θ_kl = asin(h / d_kl) [rad].
    public var elevation: [Double]
}

/// Distances and angles of every AP–UE pair, reference-physics §2.
public func linkGeometry(_ layout: Layout, _ params: NetworkParameters) -> LinkGeometry {
    let L = layout.apPositions.count, K = layout.uePositions.count
    let offsets = imageOffsets(side: params.areaSideMeters, wrapAround: params.wrapAround)
    let h = params.heightDifferenceMeters
    var g = LinkGeometry(L: L, K: K, distances: .init(repeating: 0, count: L * K),
                         wrapIndex: .init(repeating: 0, count: L * K),
                         azimuth: .init(repeating: 0, count: L * K), elevation: .init(repeating: 0, count: L * K))
    for k in 0..<K {
        let ue = layout.uePositions[k]
        for l in 0..<L {
            var best = 0, bestDistance = Double.infinity
            for (j, o) in offsets.enumerated() {
                let d = (ue - (layout.apPositions[l] + o)).length
                if d < bestDistance { best = j; bestDistance = d }
            }
            let d3 = (h * h + bestDistance * bestDistance).squareRoot()
            let i = l + L * k
            g.distances[i] = d3
            g.wrapIndex[i] = best
            let v = ue - (layout.apPositions[l] + offsets[best])
            g.azimuth[i] = Double.atan2(y: v.imaginary, x: v.real)
            g.elevation[i] = Double.asin(h / d3)
        }
    }
    return g
}

/// Horizontal UE–UE distances with wrap-around, K×K (index i + K·k) [m].
public func ueDistances(_ layout: Layout, _ params: NetworkParameters) -> [Double] {
    let K = layout.uePositions.count
    let offsets = imageOffsets(side: params.areaSideMeters, wrapAround: params.wrapAround)
    var d = [Double](repeating: 0, count: K * K)
    for k in 0..<K {
        for i in 0..<K {
            d[i + K * k] = offsets.map { (layout.uePositions[k] - layout.uePositions[i] + $0).length }.min()!
        }
    }
    return d
}
