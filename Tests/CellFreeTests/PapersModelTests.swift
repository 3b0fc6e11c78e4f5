import CellFree
import Linalg
import Testing
import TestSupport

/// The papers' network model (papers.md §2, §3.4) and the clustering schemes (§5.2, §5.6, §7.2).
struct PapersModelTests {
    static func setup(L: Int = 16, K: Int, fading: Fading? = nil, seed: UInt64 = 5) throws -> NetworkSetup {
        var params = NetworkParameters.papers(L: L, K: K)
        if let fading { params.fading = fading }
        var rng = RandomStream(seed: seed, name: "test-papers-model")
        return try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
    }

    @Test func defaultsAreThePapers() throws {
        let p = NetworkParameters.papers(K: 20)
        #expect(p.L == 16 && p.N == 4 && p.tau_p == 10 && p.tau_c == 200 && p.p == 100 && p.rho_tot == 200)
        #expect(p.uplinkPreLogFactor == 0.45 && p.downlinkPreLogFactor == 0.5)
        #expect(isClose(p.noisePowerDBm, -93.98970004336019, absolute: 1e-12))
        #expect(p.areaSideMeters == 500 && !p.wrapAround && p.apLayout == .grid && p.pilotModel == .orthogonal)
        var bad = NetworkParameters.papers(L: 10, K: 4)
        #expect(throws: CellFreeError.self) { try bad.validate() }
        bad = NetworkParameters.papers(L: 9, K: 4)
        bad.tau_d = 150
        #expect(throws: CellFreeError.self) { try bad.validate() }
    }

    @Test func gridAPsAndNoWrapAround() throws {
        let s = try Self.setup(L: 16, K: 8)
        #expect(s.layout.apPositions[0] == Complex(62.5, 62.5) && s.layout.apPositions[5] == Complex(187.5, 187.5))
        #expect(s.layout.apPositions[15] == Complex(437.5, 437.5))
        for k in 0..<8 {
            let ue = s.layout.uePositions[k]
            #expect(ue.real >= 0 && ue.real < 500 && ue.imaginary >= 0 && ue.imaginary < 500)
            for l in 0..<16 {
                let d = (ue - s.layout.apPositions[l]).length
                #expect(isClose(s.geometry.distances[l + 16 * k], (d * d + 100).squareRoot(), absolute: 1e-12))
                // β [dB] = −30.5 − 36.7·log10(d) + F − σ² (papers.md §3.4).
                let beta = -30.5 - 36.7 * Double.log10(s.geometry.distances[l + 16 * k]) + s.shadowing.realization[k + 8 * l] + 93.98970004336019
                #expect(isClose(s.gainOverNoiseDB[l + 16 * k], beta, absolute: 1e-9))
            }
        }
    }

    /// Orthogonal pilots: B_kl = β²·τ_p·p/(β·τ_p·p + 1)·I_N for i.i.d. fading, no contamination.
    @Test func orthogonalPilotsHaveProcessingGainTauP() throws {
        let s = try Self.setup(L: 4, K: 12, fading: .iid)
        #expect(s.pilots.tau_p == 12 && s.pilots.processingGain == 10 && s.pilots.pilotIndex == Array(0..<12))
        let e = try smallEstimates(s, realizations: 2)
        for k in 0..<12 {
            for l in 0..<4 {
                let beta = s.gain(l, k), expected = beta * beta * 1000 / (beta * 1000 + 1)
                #expect(isClose(e.B[l, k][0, 0].real, expected, relative: 1e-12))
                #expect(abs(e.B[l, k][0, 1].length) <= 1e-15 * expected)
            }
        }
    }

    @Test func positionNoiseHasTheRequestedSpread() {
        var rng = RandomStream(seed: 3, name: "test-noise")
        let layout = Layout(apPositions: gridAPPositions(L: 4, side: 500), uePositions: [Complex<Double>](repeating: Complex(250, 250), count: 20_000))
        let noisy = noisyLayout(layout, ueStdMeters: 5, using: &rng)
        #expect(noisy.apPositions == layout.apPositions)
        let dx = noisy.uePositions.map { $0.real - 250 }, dy = noisy.uePositions.map { $0.imaginary - 250 }
        let variance = (dx + dy).reduce(0) { $0 + $1 * $1 } / 40_000
        #expect(isClose(variance.squareRoot(), 5, absolute: 0.05))   // 40,000 draws: standard error 0.018 m
    }

    @Test func strongestAPClustersTakeTheQBest() throws {
        let s = try Self.setup(K: 10)
        let D = try strongestAPClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: 16, K: 10, Q: 4)
        for k in 0..<10 {
            let serving = D.servingAPs(k)
            #expect(serving.count == 4)
            let weakestServed = serving.map { s.gainOverNoiseDB[$0 + 16 * k] }.min()!
            #expect((0..<16).filter { !serving.contains($0) }.allSatisfy { s.gainOverNoiseDB[$0 + 16 * k] <= weakestServed })
            #expect(serving.contains(s.pilots.masterAPs[k]))
        }
        #expect(throws: CellFreeError.self) { try strongestAPClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: 16, K: 10, Q: 17) }
    }

    @Test(arguments: [(4, 5), (4, 20), (9, 40), (16, 160), (4, 25)])
    func pilotConstrainedMaskRespectsTauP(L: Int, K: Int) throws {
        let tau_p = 5
        var rng = RandomStream(seed: UInt64(L * 1000 + K), name: "test-mask")
        for trial in 0..<20 {
            let gain = (0..<(L * K)).map { _ in -10 + 40 * rng.uniform() }
            let scores = (0..<(L * K)).map { _ in rng.uniform() }
            let threshold = [0.0, 0.5, 0.9, 1.1][trial % 4]   // 1.1: nothing passes, every UE is an orphan
            let D = try pilotConstrainedClusters(scores: scores, gainOverNoiseDB: gain, L: L, K: K, tau_p: tau_p, threshold: threshold)
            for l in 0..<L { #expect(D.servedUEs(l).count <= tau_p, "AP \(l) serves \(D.servedUEs(l).count) UEs") }
            let unserved = (0..<K).filter { D.servingAPs($0).isEmpty }.count
            #expect(unserved == max(0, K - L * tau_p))
            // Threshold 0 keeps exactly the top-τ_p of every AP.
            if threshold == 0 && K >= tau_p { #expect((0..<L).allSatisfy { D.servedUEs($0).count == tau_p }) }
        }
        #expect(throws: CellFreeError.self) {
            try pilotConstrainedClusters(scores: [Double](repeating: .nan, count: L * K), gainOverNoiseDB: [Double](repeating: 0, count: L * K),
                                         L: L, K: K, tau_p: tau_p, threshold: 0.5)
        }
    }

    /// Distance-ranked UC: every AP keeps exactly its τ_p nearest UEs (by the layout given, here positions
    /// under a 5 m error) when no UE is left without an AP, and never more than τ_p UEs.
    @Test(arguments: [20, 60])
    func distanceRankedClustersKeepTheNearest(K: Int) throws {
        let s = try Self.setup(K: K)
        var rng = RandomStream(seed: 4, name: "test-seen")
        let seen = noisyLayout(s.layout, ueStdMeters: 5, using: &rng)
        let D = try distanceRankedClusters(seen, s.params)
        let tau_p = s.params.tau_p
        let nearest = (0..<16).map { l in
            Set((0..<K).sorted { (seen.uePositions[$0] - seen.apPositions[l]).length < (seen.uePositions[$1] - seen.apPositions[l]).length }.prefix(tau_p))
        }
        #expect((0..<16).allSatisfy { D.servedUEs($0).count == tau_p })
        #expect((0..<K).allSatisfy { !D.servingAPs($0).isEmpty })
        if (0..<K).allSatisfy({ k in nearest.contains { $0.contains(k) } }) {
            #expect((0..<16).allSatisfy { Set(D.servedUEs($0)) == nearest[$0] })
        }
    }

    @Test func candidateSetsHaveThePaperSizes() throws {
        let s = try Self.setup(L: 9, K: 4)
        for CS in 1...5 {
            let fixed = try candidateClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: 9, K: 4, candidateSize: CS, scheme: .fixed)
            let add = try candidateClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: 9, K: 4, candidateSize: CS, scheme: .addAP)
            let exhaustive = try candidateClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: 9, K: 4, candidateSize: CS, scheme: .exhaustive)
            for k in 0..<4 {
                #expect(fixed.options[k].count == 1 && add.options[k].count == CS && exhaustive.options[k].count == (1 << CS) - 1)
                #expect(add.options[k].last == fixed.options[k][0] && add.options[k][0] == [s.pilots.masterAPs[k]])
                #expect(Set(exhaustive.options[k].map { Set($0) }).count == (1 << CS) - 1)
                #expect(exhaustive.options[k].allSatisfy { Set($0).isSubset(of: fixed.options[k][0]) })
            }
        }
    }
}
