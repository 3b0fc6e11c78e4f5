import CellFree
import Linalg
import Testing
import TestSupport

/// The joint power/cluster fixed point (papers.md §7.3) against its spectral-radius characterization
/// (§7.4) and against brute force over every cluster combination.
struct JointClusteringTests {
    /// The papers' model with i.i.d. Rayleigh (papers.md §7.1: R = β·I) and `drops` fading realizations.
    static func network(L: Int, N: Int, K: Int, drops: Int, seed: UInt64) throws -> (NetworkSetup, ChannelTensor) {
        var params = NetworkParameters.papers(L: L, K: K)
        params.N = N
        params.fading = .iid
        var rng = RandomStream(seed: seed, name: "test-joint-clustering")
        let setup = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        let draws = ChannelDraws.draw(params, realizations: drops, using: &rng)
        return (setup, try channelEstimates(R: setup.R, pilots: setup.pilots, p: params.p, draws: draws).H)
    }

    @Test(arguments: CandidateScheme.allCases)
    func fixedPointReachesTheSpectralRadiusOptimum(scheme: CandidateScheme) throws {
        let (setup, H) = try Self.network(L: 9, N: 2, K: 6, drops: 4, seed: 21)
        for CS in 1...4 {
            let options = try candidateClusters(gainOverNoiseDB: setup.gainOverNoiseDB, L: 9, K: 6, candidateSize: CS, scheme: scheme)
            for n in 0..<H.realizations {
                let f = try clusterInterference(channels: H, realization: n, options: options)
                let fixed = jointMaxMinFixedPoint(f, pMax: 100)
                let spectral = try jointMaxMinSpectral(f, pMax: 100)
                #expect(isClose(fixed.sinr, spectral.sinr, relative: 1e-6), "\(scheme) CS = \(CS), drop \(n)")
                #expect(fixed.converged && isClose(fixed.powers.max()!, 100, absolute: 1e-9))
                let spread = zip(fixed.powers, fixed.powers.indices.map { f.interference($0, fixed.powers) }).map { $0 / $1 }
                #expect(spread.max()! - spread.min()! <= 1e-6 * fixed.sinr, "every UE at t*")
            }
        }
    }

    /// Nested option sets: fixed ⊂ add-AP ⊂ exhaustive, so their optima are ordered.
    @Test func richerOptionSetsNeverLose() throws {
        let (setup, H) = try Self.network(L: 9, N: 2, K: 6, drops: 3, seed: 22)
        var gains: [Double] = []
        for n in 0..<H.realizations {
            let t = try CandidateScheme.allCases.map { scheme in
                let options = try candidateClusters(gainOverNoiseDB: setup.gainOverNoiseDB, L: 9, K: 6, candidateSize: 4, scheme: scheme)
                return try jointMaxMinSpectral(try clusterInterference(channels: H, realization: n, options: options), pMax: 100).sinr
            }
            gains.append(t[2] / t[0])
            #expect(t[0] <= t[2] * (1 + 1e-12) && t[1] <= t[2] * (1 + 1e-12), "fixed \(t[0]), add \(t[1]), exhaustive \(t[2])")
        }
        // Interference coordination matters (paper's Fig. 3b): here exhaustive gains 1.3× and 2.1× on two drops.
        #expect(gains.filter { $0 > 1.2 }.count >= 2)
    }

    /// Tiny network (L = 4, K = 3): every UE may use any non-empty AP subset (15³ combinations).
    @Test func bruteForceNeverBeatsTheExhaustiveScheme() throws {
        let (setup, H) = try Self.network(L: 4, N: 2, K: 3, drops: 5, seed: 23)
        let options = try candidateClusters(gainOverNoiseDB: setup.gainOverNoiseDB, L: 4, K: 3, candidateSize: 4, scheme: .exhaustive)
        #expect(options.options.allSatisfy { $0.count == 15 })
        for n in 0..<H.realizations {
            let f = try clusterInterference(channels: H, realization: n, options: options)
            let brute = try jointMaxMinBruteForce(f, pMax: 100)
            #expect(brute.iterations == 3375)
            let fixed = jointMaxMinFixedPoint(f, pMax: 100)
            let spectral = try jointMaxMinSpectral(f, pMax: 100)
            #expect(brute.sinr <= fixed.sinr * (1 + 1e-6), "drop \(n): brute force \(brute.sinr) > algorithm \(fixed.sinr)")
            #expect(isClose(brute.sinr, spectral.sinr, absolute: 1e-12 * brute.sinr))
        }
    }

    /// For one option per UE the joint problem is the fixed-cluster closed form of papers.md §3.
    @Test func fixedClustersReduceToTheClosedForm() throws {
        let (setup, H) = try Self.network(L: 9, N: 2, K: 6, drops: 1, seed: 24)
        let options = try candidateClusters(gainOverNoiseDB: setup.gainOverNoiseDB, L: 9, K: 6, candidateSize: 3, scheme: .fixed)
        let f = try clusterInterference(channels: H, realization: 0, options: options)
        let B = Matrix<Double>(rows: 6, columns: 6) { k, i in f.rows[k][0, i] }
        let closed = try maxMinClosedForm(M: B, u: f.z.map { $0[0] }, constraints: (0..<6).map { j in (0..<6).map { $0 == j ? 0.01 : 0 } })
        let fixed = jointMaxMinFixedPoint(f, pMax: 100)
        #expect(isClose(closed.sinr, fixed.sinr, absolute: 1e-9 * closed.sinr))
        #expect(zip(closed.powers, fixed.powers).allSatisfy { isClose($0, $1, absolute: 1e-8 * 100) })
        // And the instantaneous MRC SINR (3) computed directly from H agrees with p_k / I_k.
        let D = options.clusters(choice: [Int](repeating: 0, count: 6))
        for k in 0..<6 {
            func dot(_ a: Int, _ b: Int) -> Complex<Double> {
                D.servingAPs(k).reduce(.zero) { s, l in (0..<2).reduce(s) { $0 + H[l * 2 + $1, a, 0].conjugate * H[l * 2 + $1, b, 0] } }
            }
            let own = dot(k, k).real
            let interference = (0..<6).filter { $0 != k }.reduce(own) { $0 + fixed.powers[$1] * dot(k, $1).lengthSquared }
            #expect(isClose(fixed.powers[k] * own * own / interference, fixed.sinr, relative: 1e-9))
        }
    }
}
