import CellFree
import Linalg
import Testing

/// The grouped, whitened MMSE path (`mmseCombinerMoments`) against the per-UE combiners of
/// `centralizedCombiners` + `centralizedStatistics` (the path checked against the reference simulator).
struct MMSEMomentsTests {
    /// Max |fast − per-UE| over the largest |per-UE| entry, for each moment.
    static func deviations(_ fast: CombinerMoments, _ slow: CombinerMoments) -> [Double] {
        func relative(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).map { abs($0 - $1) }.max()! / b.map(abs).max()!
        }
        let signal = zip(fast.signal, slow.signal).map { ($0 - $1).modulus }.max()! / slow.signal.map(\.modulus).max()!
        return [signal, relative(fast.signal2, slow.signal2), relative(fast.scaling, slow.scaling)]
    }

    static func estimates(_ s: NetworkSetup, realizations: Int, seed: UInt64) throws -> ChannelEstimates {
        var rng = RandomStream(seed: seed, name: "mmse-moments")
        return try channelEstimates(R: s.R, pilots: s.pilots, p: s.params.p,
                                    draws: ChannelDraws.draw(s.params, realizations: realizations, using: &rng))
    }

    /// Both forms of the group system are exercised: K = 3 < |M|N (Woodbury, K×K) and K = 14 ≥ |M|N for
    /// the masks (direct); CF, DCC with shared serving sets, a pilot-constrained mask; unequal powers;
    /// orthogonal and reused (contaminated) pilots.
    @Test(arguments: [(3, PilotModel.orthogonal), (14, .orthogonal), (14, .book)])
    func equalsThePerUEPath(K: Int, pilotModel: PilotModel) throws {
        var params = NetworkParameters.papers(L: 9, K: K)
        params.N = 2
        params.pilotModel = pilotModel
        params.tau_p = 4
        var rng = RandomStream(seed: 41, name: "mmse-moments-setup")
        let s = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        let e = try Self.estimates(s, realizations: 12, seed: 3)
        let powers: [Double] = (0..<K).map { k -> Double in
            let level = Double((k * 7) % 5) / 4
            return 100 * (0.3 + 0.7 * level)
        }
        for (name, D) in try LabelsTests.clusterings(s) {
            let slow = try centralizedStatistics(.mmse, estimates: e, clusters: D, powers: powers, p: params.p,
                                                 preLogFactor: 0.45).moments
            for threads in [1, 3] {
                let fast = try mmseCombinerMoments(estimates: e, clusters: D, powers: powers, threads: threads)
                for (what, deviation) in zip(["signal", "signal2", "scaling"], Self.deviations(fast, slow)) {
                    #expect(deviation <= 1e-10, "\(name) K=\(K) \(pilotModel) \(what): \(deviation)")
                }
                // Zero exactly where AP l does not serve UE k.
                let outside = (0..<(9 * K)).filter { !D.serves[$0] }.map { fast.scaling[$0] }
                #expect(outside.allSatisfy { $0 == 0 })
            }
            let one = try mmseCombinerMoments(estimates: e, clusters: D, powers: powers, threads: 1)
            let two = try mmseCombinerMoments(estimates: e, clusters: D, powers: powers, threads: 2)
            #expect(one.signal == two.signal && one.signal2 == two.signal2 && one.scaling == two.scaling, "thread-count independent")
        }
    }

    @Test func rejectsWrongShapes() throws {
        let s = try LabelsTests.setup()
        let e = try Self.estimates(s, realizations: 2, seed: 1)
        #expect(throws: CellFreeError.self) {
            try mmseCombinerMoments(estimates: e, clusters: .full(L: 9, K: 8), powers: [100, 100])
        }
        #expect(throws: CellFreeError.self) {
            try mmseCombinerMoments(estimates: e, clusters: .full(L: 4, K: 8), powers: .init(repeating: 100, count: 8))
        }
    }
}
