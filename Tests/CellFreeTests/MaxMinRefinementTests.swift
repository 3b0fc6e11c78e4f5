import CellFree
import Linalg
import Testing

/// The max-min refinement of pilot-constrained clusters (`maxMinRefinedClusters`).
struct MaxMinRefinementTests {
    /// The max-min UL SINR t* of clusters D by the labels' own path (MR statistics computed for D).
    static func labelSINR(_ setup: NetworkSetup, _ D: ClusterMatrix) throws -> Double {
        var rng = RandomStream(seed: 1, name: "unused")
        let labels = try powerLabels(setup, clusters: D, method: .statisticsOnly, using: &rng)
        return labels.uplinkTerms.sinr(labels.uplinkPowers).min()!
    }

    static func gainRanked(_ s: NetworkSetup) throws -> ClusterMatrix {
        try pilotConstrainedClusters(scores: s.gainOverNoiseDB.map(dbToLinear), gainOverNoiseDB: s.gainOverNoiseDB,
                                     L: s.params.L, K: s.params.K, tau_p: s.params.tau_p, threshold: 0)
    }

    /// A tiny network (L = 4, K = 4, τ_p = 2) where every feasible clustering can be scored: the refined
    /// t* lies between the gain-ranked start and the exhaustive optimum, equals the labels' t* for its
    /// clusters (statistics restricted from all links = computed for the clusters), and keeps the cap.
    @Test func liesBetweenTheStartAndTheExhaustiveOptimum() throws {
        var params = NetworkParameters.papers(L: 4, K: 4)
        params.N = 2; params.tau_p = 2
        for seed: UInt64 in [1, 2] {
            var rng = RandomStream(seed: seed, name: "refinement")
            let setup = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
            let start = try Self.gainRanked(setup)
            var draws = RandomStream(seed: 9, name: "unused")
            let refined = try maxMinRefinedClusters(setup, start: start, minimumGain: 0, using: &draws)
            var best = 0.0
            for bits in 1..<(1 << 16) {
                let D = ClusterMatrix(L: 4, K: 4, serves: (0..<16).map { bits & (1 << $0) != 0 })
                guard (0..<4).allSatisfy({ D.servedUEs($0).count <= 2 && !D.servingAPs($0).isEmpty }) else { continue }
                best = max(best, try Self.labelSINR(setup, D))
            }
            #expect(abs(refined.startSINR - (try Self.labelSINR(setup, start))) <= 1e-9 * refined.startSINR)
            #expect(abs(refined.sinr - (try Self.labelSINR(setup, refined.clusters))) <= 1e-9 * refined.sinr)
            #expect(refined.sinr >= refined.startSINR && refined.sinr <= best * (1 + 1e-9), "seed \(seed): \(refined.startSINR) → \(refined.sinr), optimum \(best)")
            #expect((0..<4).allSatisfy { refined.clusters.servedUEs($0).count <= 2 && !refined.clusters.servingAPs($0).isEmpty })
        }
    }

    /// A papers' drop (L = 16, K = 40, τ_p = 10, N = 2): the gain-ranked clusters leave room for the
    /// bottleneck, so refinement moves links and raises t*, within the cap and never past `maxMoves`.
    @Test func raisesTheMaxMinSINROfAPapersDrop() throws {
        var params = NetworkParameters.papers(L: 16, K: 40)
        params.N = 2
        var rng = RandomStream(seed: 4, name: "refinement")
        let setup = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        var draws = RandomStream(seed: 9, name: "unused")
        let refined = try maxMinRefinedClusters(setup, start: try Self.gainRanked(setup), using: &draws)
        #expect(refined.moves > 0 && refined.sinr > refined.startSINR * 1.001)
        #expect((0..<16).allSatisfy { refined.clusters.servedUEs($0).count <= 10 })
        let capped = try maxMinRefinedClusters(setup, start: try Self.gainRanked(setup), maxMoves: 1, using: &draws)
        #expect(capped.moves == 1 && capped.sinr <= refined.sinr)
        var full = try Self.gainRanked(setup)
        for k in 0..<11 { full[0, k] = true }
        #expect(throws: CellFreeError.self) { try maxMinRefinedClusters(setup, start: full, using: &draws) }
    }

    /// MMSE scoring (the papers' combining) re-scores only the UEs a move changes: the refined t* equals
    /// the closed form on the moments of all UEs under the refined clusters, from the same draws.
    @Test func mmseScoringSplicesRowsExactly() throws {
        var params = NetworkParameters.papers(L: 9, K: 20)
        params.N = 2; params.tau_p = 5
        var rng = RandomStream(seed: 6, name: "refinement")
        let setup = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        var draws = RandomStream(seed: 10, name: "mmse-draws"), same = draws
        let refined = try maxMinRefinedClusters(setup, start: try Self.gainRanked(setup), combining: .mmse(realizations: 30), using: &draws)
        let e = try drawEstimates(R: setup.R, pilots: setup.pilots, p: params.p, realizations: 30, using: &same)
        let moments = try mmseCombinerMoments(estimates: e.Hhat, errors: e.C, clusters: refined.clusters,
                                              powers: [Double](repeating: params.p, count: 20))
        let direct = try uplinkMaxMinClosedForm(uatfTerms(moments), pMax: params.p).sinr
        #expect(refined.moves > 0 && abs(refined.sinr - direct) <= 1e-9 * direct, "\(refined.sinr) vs \(direct) after \(refined.moves) moves")
    }
}
