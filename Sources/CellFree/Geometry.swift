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
