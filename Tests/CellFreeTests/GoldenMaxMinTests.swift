import CellFree
import H5
import Linalg
import Testing
import TestSupport

/// The closed-form max-min solutions on the golden cases' stored UatF and DL terms: equal to the
/// book's fixed points run to convergence (1e-9), and consistent with the golden fixed-point results,
/// which stop once max SINR − min SINR ≤ 0.01 (quirk 12.12).
struct GoldenMaxMinTests {
    struct Stored {
        let L: Int, K: Int, p: Double, rhoTot: Double
        let uplink: [(tag: String, terms: UatFTerms, goldenSINR: [Double])]
        let downlink: DownlinkTerms
        let downlinkGoldenSINR: [Double]

        init(_ name: String) throws {
            let file = try OctaveFile(Fixtures.reference(name + ".h5"))
            let K = Int(try file.scalar("K"))
            L = Int(try file.scalar("L")); self.K = K
            p = try file.scalar("p"); rhoTot = try file.scalar("rho_tot")
            let values = { (name: String) throws -> [Double] in try file.real(name).values }
            uplink = try [("PMMSE", "cent"), ("nopt_LPMMSE", "dist")].map { tag, side in
                (tag, UatFTerms(K: K, b: try values("ULPC_bk_" + side), c: try values("ULPC_ck_" + side),
                                sigma2: try values("ULPC_sigma2_" + side)),
                 try values("ULPC_SINR_\(tag)_maxmin"))
            }
            downlink = DownlinkTerms(L: L, K: K, b: try values("DLPC_bk_PMMSE"), c: try values("DLPC_ck_PMMSE"),
                                     sigma2: try values("DLPC_sigma2_PMMSE"), portion: try values("DLPC_portionScaling_PMMSE"))
            downlinkGoldenSINR = try values("DLPC_SINR_PMMSE_maxmin")
        }
    }

    /// The golden run stops with spread ≤ 0.01 on feasible powers, so its worst SINR lies in [t* − 0.01, t*].
    static func bracketsGolden(_ t: Double, _ golden: [Double]) -> Bool {
        golden.min()! <= t * (1 + 1e-12) && golden.min()! >= t - 0.01 - 1e-12
    }

    @Test(arguments: ReferenceFileTests.cases)
    func uplinkClosedFormOnGoldenTerms(_ name: String) throws {
        let stored = try Stored(name)
        for (tag, terms, golden) in stored.uplink {
            let closed = try uplinkMaxMinClosedForm(terms, pMax: stored.p)
            let fixed = uplinkMaxMin(terms, pMax: stored.p, tolerance: 1e-12 * closed.sinr)
            #expect(relativeError(closed.powers, fixed.powers) < 1e-9, "\(name) \(tag)")
            #expect(Self.bracketsGolden(closed.sinr, golden), "\(name) \(tag): t* = \(closed.sinr), golden \(golden)")
            #expect(isClose(closed.powers.max()!, stored.p, relative: 1e-12))
        }
    }

    @Test(arguments: ReferenceFileTests.cases)
    func downlinkClosedFormOnGoldenTerms(_ name: String) throws {
        let stored = try Stored(name)
        let closed = try downlinkMaxMinClosedForm(stored.downlink, budget: .perAP(stored.rhoTot))
        let fixed = downlinkMaxMin(stored.downlink, rhoMax: stored.rhoTot, tolerance: 1e-12 * closed.sinr)
        #expect(relativeError(closed.powers, fixed.powers) < 1e-9, "\(name)")
        #expect(Self.bracketsGolden(closed.sinr, stored.downlinkGoldenSINR), "\(name): t* = \(closed.sinr)")
        #expect(isClose(stored.downlink.apPowers(closed.powers).max()!, stored.rhoTot, relative: 1e-12))
        // Total budget L·ρ_tot: the powers sum to it, and the common SINR is at least the per-AP one.
        let total = try downlinkMaxMinClosedForm(stored.downlink, budget: .total(Double(stored.L) * stored.rhoTot))
        #expect(isClose(total.powers.reduce(0, +), Double(stored.L) * stored.rhoTot, absolute: 1e-12 * Double(stored.L) * stored.rhoTot))
        #expect(total.sinr >= closed.sinr * (1 - 1e-12))
    }
}
