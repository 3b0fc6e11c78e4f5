import CellFree
import Linalg
import Testing
import TestSupport

/// The linear-attention paper's DL precoders w_k = D_kv_k/‖D_kv_k‖ (`unitNormDownlinkTerms`).
struct UnitNormPrecoderTests {
    /// Every term against w_k built explicitly from the combiners and channels, realization by realization.
    @Test func termsMatchExplicitPrecoders() throws {
        let setup = try smallSetup(L: 4, N: 2, K: 5, tau_p: 5)
        let e = try smallEstimates(setup, realizations: 40)
        let (L, N, K, nbr) = (4, 2, 5, 40)
        let beta = (0..<(L * K)).map { dbToLinear(setup.gainOverNoiseDB[$0]) }
        let D = try pilotConstrainedClusters(scores: beta, gainOverNoiseDB: setup.gainOverNoiseDB, L: L, K: K, tau_p: 3, threshold: 0)
        let powers = [Double](repeating: setup.params.p, count: K)
        let V = try centralizedCombiners(.mmse, estimates: e, clusters: D, powers: powers)
        let terms = unitNormDownlinkTerms(centralizedStatistics(combiners: V, estimates: e, clusters: D, p: setup.params.p, preLogFactor: 1))
        var mean = [Complex<Double>](repeating: .zero, count: K * K), second = [Double](repeating: 0, count: K * K)
        var portion = [Double](repeating: 0, count: L * K)
        for n in 0..<nbr {
            for k in 0..<K {
                let rows = D.servingAPs(k).flatMap { l in (l * N)..<((l + 1) * N) }
                let norm = rows.reduce(0.0) { $0 + V[$1, k, n].lengthSquared }.squareRoot()
                for i in 0..<K {
                    let g = rows.reduce(Complex<Double>.zero) { $0 + e.H[$1, i, n].conjugate * V[$1, k, n] } / Complex(norm)
                    mean[i + K * k] += g / Complex(Double(nbr))
                    second[i + K * k] += g.lengthSquared / Double(nbr)
                }
                for l in D.servingAPs(k) {
                    portion[l + L * k] += (0..<N).reduce(0.0) { $0 + V[l * N + $1, k, n].lengthSquared } / (norm * norm) / Double(nbr)
                }
            }
        }
        for k in 0..<K {
            #expect(isClose(terms.b[k], mean[k + K * k].lengthSquared, relative: 1e-12))
            for i in 0..<K {
                let expected = second[i + K * k] - (i == k ? terms.b[k] : 0)
                #expect(isClose(terms.c[k + K * i], expected, relative: 1e-10))
            }
            #expect(isClose((0..<L).reduce(0.0) { $0 + terms.portion[$1 + L * k] }, 1, relative: 1e-12))
            for l in 0..<L { #expect(isClose(terms.portion[l + L * k], portion[l + L * k], relative: 1e-12)) }
        }
    }

    /// One AP with one antenna and one UE: w = ĥ/|ĥ| (the phase of the estimate), so with the estimate
    /// ĥ ~ CN(0, γ) and the error independent of it, E[hᴴw] = E|ĥ| = √(πγ)/2: b̃ = πγ/4, below the
    /// duality precoder's with MR combining, v = ĥ: b̃ = (E|ĥ|²)²/E|ĥ|² = γ; and E|hᴴw|² = β, so c̃ = β − πγ/4.
    /// The UE sits 100 m from the AP, so that the estimate is good and the error term (variance β − γ)
    /// does not swamp the Monte Carlo mean.
    @Test func singleAntennaClosedForm() throws {
        let params = NetworkParameters(L: 1, N: 1, K: 1, tau_p: 1)
        var draw = RandomStream(seed: 7, name: "test-setup")
        var draws = SetupDraws.draw(params, using: &draw)
        draws.layout.uePositions[0] = draws.layout.apPositions[0] + Complex(100, 0)
        let setup = try NetworkSetup(params, draws: draws)
        let e = try smallEstimates(setup, realizations: 40_000)
        let (beta, gamma) = (dbToLinear(setup.gainOverNoiseDB[0]), e.B.values[0].real)
        var rng = RandomStream(seed: 3, name: "unit-norm")
        let labels = try powerLabels(setup, clusters: .full(L: 1, K: 1), method: .monteCarlo(realizations: 40_000), precoder: .unitNorm, using: &rng)
        #expect(isClose(labels.downlinkTerms.b[0], Double.pi * gamma / 4, relative: 0.02))
        #expect(isClose(labels.downlinkTerms.c[0], beta - Double.pi * gamma / 4, relative: 0.05))
        #expect(isClose(labels.downlinkTerms.portion[0], 1, relative: 1e-10))
        let duality = try powerLabels(setup, clusters: .full(L: 1, K: 1), method: .monteCarlo(realizations: 40_000, combiner: .mr), using: &rng)
        #expect(isClose(duality.downlinkTerms.b[0], gamma, relative: 0.02))
    }

    /// MR closed-form statistics have no realizations to normalize: a clear error.
    @Test func statisticsOnlyRefusesUnitNorm() throws {
        let setup = try smallSetup(L: 4, N: 2, K: 3, tau_p: 3)
        var rng = RandomStream(seed: 3, name: "unit-norm")
        #expect(throws: CellFreeError.self) {
            try powerLabels(setup, clusters: .full(L: 4, K: 3), method: .statisticsOnly, precoder: .unitNorm, using: &rng)
        }
    }

    /// Why the paper's precoders lose DL SE at small K (beyond-dl-precoders): the centralized MMSE
    /// combiner is nearly zero-forcing there, so with the duality normalization the effective gain
    /// h_kᴴw_k is nearly the same in every realization, while dividing by the instantaneous ‖v_k‖
    /// makes it fluctuate, which the UatF bound counts as self-interference c̃_kk. One papers' drop
    /// (L = 16, K = 10, CF, 100 realizations), medians over UEs (measured: c̃_kk/b̃ 0.0003 → 0.09,
    /// b̃ 5.1 → 7.0, max-min DL SE 3.84 → 1.29 bit/s/Hz).
    @Test func unitNormTradesSignalForGainUncertaintyAtSmallK() throws {
        let (L, K) = (16, 10)
        let params = NetworkParameters.papers(L: L, K: K)
        var draw = RandomStream(seed: 5, name: "unit-norm-drop")
        let setup = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &draw))
        var a = RandomStream(seed: 9, name: "unit-norm"), b = RandomStream(seed: 9, name: "unit-norm")
        let duality = try powerLabels(setup, clusters: .full(L: L, K: K), method: .monteCarlo(realizations: 100), using: &a)
        let unit = try powerLabels(setup, clusters: .full(L: L, K: K), method: .monteCarlo(realizations: 100), precoder: .unitNorm, using: &b)
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        func selfInterference(_ t: DownlinkTerms) -> Double { median((0..<K).map { t.c[$0 + K * $0] / t.b[$0] }) }
        #expect(selfInterference(duality.downlinkTerms) < 0.001 && selfInterference(unit.downlinkTerms) > 0.05)
        #expect(median(unit.downlinkTerms.b) > median(duality.downlinkTerms.b))
        #expect(unit.minimumDownlinkSEPerAP < 0.5 * duality.minimumDownlinkSEPerAP)
        // UL terms do not depend on the DL precoders (same combiners; the channel-drawing path agrees within 2 %).
        #expect(isClose(unit.minimumUplinkSE, duality.minimumUplinkSE, relative: 0.02))
    }
}
