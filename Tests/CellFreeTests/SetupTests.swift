import CellFree
import Linalg
import Testing
import TestSupport

@Suite struct SetupTests {
    /// Two UEs δ m apart: F₂ | F₁ ~ N(ρF₁, σ²(1 − ρ²)) with ρ = 2^(−δ/9) (reference (5.43), Kay Thm 10.2).
    @Test func shadowingOfTwoUEsIsTheConditionalGaussian() throws {
        let δ = 12.5, ρ = Double.pow(2, -δ / 9)
        let correlation = [16, 16 * ρ, 16 * ρ, 16]
        let z = [0.3, -1.2, 0.8, 0.4]   // K×L = 2×2, index k + K·l
        let s = try shadowFading(correlation: correlation, z: z, K: 2, L: 2)
        #expect(s.std[0] == 4)
        #expect(isClose(s.std[1], 4 * (1 - ρ * ρ).squareRoot(), absolute: 1e-14))
        for l in 0..<2 {
            let first = 4 * z[2 * l]
            #expect(isClose(s.realization[2 * l], first, absolute: 1e-15))
            #expect(isClose(s.mean[1 + 2 * l], ρ * first, absolute: 1e-14))
            #expect(isClose(s.realization[1 + 2 * l], (ρ * first + s.std[1] * z[1 + 2 * l]), absolute: 1e-14))
        }
    }

    /// Algorithm 4.1: the first τ_p UEs take pilots in order; each later UE takes the pilot with the least
    /// linear interference at its master AP (checked by brute force).
    @Test func pilotsFollowAlgorithm41() throws {
        let setup = try smallSetup(L: 16, N: 1, K: 20, tau_p: 4)
        let (L, pilots) = (16, setup.pilots)
        #expect(Array(pilots.pilotIndex.prefix(4)) == [0, 1, 2, 3])
        for k in 4..<20 {
            let m = pilots.masterAPs[k]
            #expect(setup.gainOverNoiseDB[m + L * k] == (0..<L).map { setup.gainOverNoiseDB[$0 + L * k] }.max())
            let interference = (0..<4).map { t in (0..<k).filter { pilots.pilotIndex[$0] == t }.reduce(0.0) { $0 + setup.gain(m, $1) } }
            #expect(interference[pilots.pilotIndex[k]] == interference.min())
        }
    }

    /// Book DCC (§6.1): every AP serves the strongest UE of every pilot, plus the masters; nothing else.
    @Test func bookDCCServesStrongestUEPerPilot() throws {
        let setup = try smallSetup(L: 16, N: 2, K: 12, tau_p: 4)
        let D = setup.dcc, L = 16
        for l in 0..<L {
            for k in 0..<12 {
                let peers = setup.pilots.users(ofPilot: setup.pilots.pilotIndex[k])
                let strongest = peers.max { setup.gainOverNoiseDB[l + L * $0] < setup.gainOverNoiseDB[l + L * $1] }!
                #expect(D[l, k] == (strongest == k || setup.pilots.masterAPs[k] == l))
            }
        }
    }

    /// A setup is a pure function of its seed; a different seed changes it.
    @Test func setupsAreReproducibleFromTheirSeed() throws {
        let a = try smallSetup(seed: 3), b = try smallSetup(seed: 3), c = try smallSetup(seed: 4)
        #expect(a.gainOverNoiseDB == b.gainOverNoiseDB && a.R == b.R && a.dcc == b.dcc)
        #expect(a.gainOverNoiseDB != c.gainOverNoiseDB)
        var rng = RandomStream(seed: 3, name: "test-setup")
        let params = NetworkParameters(L: 9, N: 2, K: 6, tau_p: 3)
        #expect(try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng), threads: 2).R == a.R)   // R on 2 threads
        let ea = try smallEstimates(a, realizations: 20), eb = try smallEstimates(b, realizations: 20)
        #expect(ea.Hhat.values == eb.Hhat.values && ea.C == eb.C)
    }

    /// Wrap-around: the nearest image is never farther than half the side in each coordinate.
    @Test func wrapAroundDistancesAreAtMostHalfTheSide() throws {
        let setup = try smallSetup(L: 25, N: 1, K: 30, tau_p: 5)
        let maxHorizontal = (2 * 500.0 * 500.0).squareRoot()
        for d in setup.geometry.distances { #expect(d <= (maxHorizontal * maxHorizontal + 100).squareRoot() + 1e-9) }
    }
}

@Suite struct ThresholdDCCTests {
    /// §6.2: beyond the masters, AP l takes the strongest UE i* of pilot t only if it serves no UE on t
    /// yet and β_{i*,l} is within −40 dB of β_{i*} at its master; nothing else is added.
    @Test func followsTheScalableRule() throws {
        let setup = try smallSetup(L: 25, N: 1, K: 30, tau_p: 5)
        let L = 25, gain = setup.gainOverNoiseDB, pilots = setup.pilots
        let D = thresholdDCC(gainOverNoiseDB: gain, pilots: pilots, L: L)
        var added = 0
        for l in 0..<L {
            for t in 0..<5 {
                let users = pilots.users(ofPilot: t)
                let mastered = users.contains { pilots.masterAPs[$0] == l }
                let strongest = users.max { gain[l + L * $0] < gain[l + L * $1] }!
                for k in users where pilots.masterAPs[k] != l {
                    let expected = !mastered && k == strongest
                        && gain[l + L * k] - gain[pilots.masterAPs[k] + L * k] >= -40
                    #expect(D[l, k] == expected, "AP \(l), UE \(k)")
                    if expected { added += 1 }
                }
            }
        }
        for k in 0..<30 { #expect(D[pilots.masterAPs[k], k]) }
        #expect(added > 0)   // the threshold does not reject every candidate in this network
        // A 0 dB threshold keeps only APs at least as strong as the master: the masters alone.
        #expect(thresholdDCC(gainOverNoiseDB: gain, pilots: pilots, L: L, thresholdDB: 0.001) == setup.masterOnly)
    }

    /// A UE served by no AP gets zero power from the heuristics instead of a crash or NaN.
    @Test func unservedUEGetsNoPower() throws {
        let setup = try smallSetup(L: 9, N: 2, K: 6, tau_p: 3)
        var D = setup.dcc
        for l in 0..<9 { D[l, 5] = false }
        let p = fractionalPowerControl(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, pMax: 100, upsilon: 0.5)
        #expect(p[5] == 0 && p.prefix(5).allSatisfy { $0 > 0 && $0 <= 100 })
        let rho = centralizedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: 200,
                                             portion: [Double](repeating: 0.1, count: 54), upsilon: -0.5, kappa: 0.5)
        #expect(rho[5] == 0 && rho.allSatisfy(\.isFinite))
    }
}
