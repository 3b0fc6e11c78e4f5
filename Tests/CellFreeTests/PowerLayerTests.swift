import CellFree
import Linalg
import Testing
import TestSupport

/// The max-min power layer (`maxMinPowerLayer`): the closed form on the MR statistics of the path loss
/// at the given positions, blind to the shadowing.
struct PowerLayerTests {
    static func params(K: Int) -> NetworkParameters {
        var p = NetworkParameters.papers(L: 9, K: K)
        p.N = 2
        return p
    }

    /// What the positions tell: exactly the MR closed-form labels of the shadow-free set-up (every UE
    /// at the common SINR, the bottleneck at P̄_UL = 100 mW, the busiest AP at P̄_DL = 200 mW), whatever
    /// the shadowing of the true set-up.
    @Test func isTheShadowFreeClosedFormOfThePositions() throws {
        let p = Self.params(K: 7)
        var rng = RandomStream(seed: 5, name: "power-layer")
        let draws = SetupDraws.draw(p, using: &rng)
        let D = try NetworkSetup(p, draws: draws).dcc
        let layer = try maxMinPowerLayer(draws.layout, params: p, clusters: D)
        let clean = try NetworkSetup(p, draws: SetupDraws(layout: draws.layout, shadowZ: [Double](repeating: 0, count: 7 * 9)))
        var unused = RandomStream(seed: 1, name: "unused")
        let labels = try powerLabels(clean, clusters: D, method: .statisticsOnly, using: &unused)
        #expect(layer.uplink == labels.uplinkPowers && layer.downlink == labels.downlinkPowersPerAP)
        #expect(isClose(layer.uplink.max()!, 100, relative: 1e-12))
        #expect(isClose(labels.downlinkTerms.apPowers(layer.downlink).max()!, 200, relative: 1e-11))
        let se = labels.uplinkSE(layer.uplink)
        #expect((se.max()! - se.min()!) / se.max()! < 1e-10)
    }

    /// Two UEs at one position, served by the same APs, are the same UE twice: both at P̄_UL in UL and
    /// at equal ρ in DL (by symmetry of the max-min optimum).
    @Test func twinUEsGetEqualPowers() throws {
        let p = Self.params(K: 2)
        let aps = gridAPPositions(L: 9, side: p.areaSideMeters)
        let ue = Complex(123.0, 456.0)
        let layer = try maxMinPowerLayer(Layout(apPositions: aps, uePositions: [ue, ue]), params: p, clusters: .full(L: 9, K: 2))
        #expect(isClose(layer.uplink[0], 100, relative: 1e-12) && isClose(layer.uplink[1], 100, relative: 1e-12))
        #expect(isClose(layer.downlink[0], layer.downlink[1], relative: 1e-12))
    }
}
