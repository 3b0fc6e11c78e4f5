@testable import CellFree
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

/// The conditional (Rao–Blackwell) moments and the estimate-only draws.
struct ConditionalMomentsTests {
    /// Conditioned on the estimates, against the per-UE combiners on the same ĥ:
    /// E[ĥ_iᴴv_k], E|ĥ_iᴴv_k|² + Σ_l v_klᴴC_ilv_kl and E‖v_kl‖², computed here term by term; both from the
    /// estimates and from estimates whitened once with their Gram matrices kept (the refinement's path),
    /// also for clusters that serve two UEs only (a refinement candidate: error terms of those UEs only).
    @Test(arguments: [(3, PilotModel.orthogonal), (14, .book)])
    func equalsThePerUEPathConditionedOnTheEstimates(K: Int, pilotModel: PilotModel) throws {
        var params = NetworkParameters.papers(L: 9, K: K)
        params.N = 2; params.tau_p = 4; params.pilotModel = pilotModel
        var rng = RandomStream(seed: 43, name: "conditional-moments")
        let s = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        let e = try MMSEMomentsTests.estimates(s, realizations: 10, seed: 4)
        let powers = [Double](repeating: 100, count: K)
        let (N, L, nbr, LN) = (2, 9, 10, 18)
        var whitened = try WhitenedChannels(e.Hhat, e.C, channels: nil, powers: powers, threads: 1)
        whitened.keepGrams()
        let dcc = try strongestAPClusters(gainOverNoiseDB: s.gainOverNoiseDB, L: L, K: K, Q: 4)
        var two = ClusterMatrix(L: L, K: K)
        for k in [0, K - 1] { for l in dcc.servingAPs(k) { two[l, k] = true } }
        for (name, D) in try LabelsTests.clusterings(s) + [("two UEs of DCC", two)] {
            let V = try centralizedCombiners(.mmse, estimates: e, clusters: D, powers: powers)
            var signal = [Complex<Double>](repeating: .zero, count: K * K), signal2 = [Double](repeating: 0, count: K * K)
            var scaling = [Double](repeating: 0, count: L * K)
            for n in 0..<nbr {
                for k in 0..<K {
                    for i in 0..<K {
                        var g = Complex<Double>.zero
                        for r in 0..<LN { g += e.Hhat[r, i, n].conjugate * V[r, k, n] }
                        signal[i + K * k] += g
                        signal2[i + K * k] += g.lengthSquared
                        for l in 0..<L {   // v_klᴴ·C_il·v_kl
                            for a in 0..<N {
                                for b in 0..<N {
                                    let c = e.C.values[e.C.offset(l, i) + a + N * b]
                                    signal2[i + K * k] += (V[l * N + a, k, n].conjugate * c * V[l * N + b, k, n]).real
                                }
                            }
                        }
                    }
                    for l in 0..<L { for a in 0..<N { scaling[l + L * k] += V[l * N + a, k, n].lengthSquared } }
                }
            }
            let slow = CombinerMoments(L: L, K: K, realizations: nbr, signal: signal.map { $0 / Complex(Double(nbr)) },
                                       signal2: signal2.map { $0 / Double(nbr) }, scaling: scaling.map { $0 / Double(nbr) })
            let fast = try mmseCombinerMoments(estimates: e.Hhat, errors: e.C, clusters: D, powers: powers, threads: 2)
            let once = try mmseCombinerMoments(whitened, errors: e.C, clusters: D)
            for (path, moments) in [("from the estimates", fast), ("whitened once", once)] {
                for (what, deviation) in zip(["signal", "signal2", "scaling"], MMSEMomentsTests.deviations(moments, slow)) {
                    #expect(deviation <= 1e-10, "\(name) K=\(K) \(pilotModel) \(path) \(what): \(deviation)")
                }
            }
        }
    }

    /// drawEstimates: B = AAᴴ equals (4.6)'s p·τ_p·R·Ψ⁻¹·R, and the sample covariances of 6,000 draws
    /// match B (own UE) and p·τ_p·R_k·Ψ⁻¹·R_i (a co-pilot pair under reuse) within 5 % of (‖B_k‖‖B_i‖)^½.
    @Test func estimatesHaveTheirCovariances() throws {
        var params = NetworkParameters.papers(L: 4, K: 6)
        params.N = 2; params.tau_p = 3; params.pilotModel = .book
        var rng = RandomStream(seed: 44, name: "draw-estimates")
        let s = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        let (B, C) = try estimationCovariances(R: s.R, pilots: s.pilots, p: 100)
        let nbr = 6000
        let e = try drawEstimates(R: s.R, pilots: s.pilots, p: 100, realizations: nbr, using: &rng, threads: 2)
        #expect(zip(e.B.values, B.values).map { ($0 - $1).modulus }.max()! <= 1e-12 * B.values.map(\.modulus).max()!)
        #expect(zip(e.C.values, C.values).map { ($0 - $1).modulus }.max()! <= 1e-12 * B.values.map(\.modulus).max()!)
        let k = 0, i = s.pilots.users(ofPilot: s.pilots.pilotIndex[0]).first { $0 != 0 }!
        for l in 0..<4 {
            // Σ_n ĥ_kl ĥ_xlᴴ / nbr against B_kl (x = k) and the co-pilot cross covariance (x = i).
            for x in [k, i] {
                var sample = [Complex<Double>](repeating: .zero, count: 4)
                for n in 0..<nbr {
                    for a in 0..<2 { for b in 0..<2 { sample[a + 2 * b] += e.Hhat[2 * l + a, k, n] * e.Hhat[2 * l + b, x, n].conjugate } }
                }
                let expected: [Complex<Double>]
                if x == k {
                    expected = B[l, k].elements
                } else {
                    var Psi = Matrix<Complex<Double>>.identity(2)
                    for u in s.pilots.users(ofPilot: s.pilots.pilotIndex[k]) { Psi = Psi + Complex(300.0) * s.R[l, u] }
                    expected = (Complex(300.0) * (s.R[l, k] * (try Psi.inversePositiveDefinite()) * s.R[l, x])).elements
                }
                // Sampling error ~ sqrt(‖B_kl‖·‖B_xl‖ / nbr) ≈ 1.3 % of that scale.
                let scale = (B[l, k].elements.map(\.modulus).max()! * B[l, x].elements.map(\.modulus).max()!).squareRoot()
                for j in 0..<4 { #expect((sample[j] / Complex(Double(nbr)) - expected[j]).modulus <= 0.05 * scale, "AP \(l) UE \(x) entry \(j)") }
            }
        }
    }
}
