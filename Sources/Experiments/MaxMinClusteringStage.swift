import CellFree
import Foundation
import H5
import Linalg
import Pipeline

/// `maxmin-clustering` (max-min clustering paper, papers.md §7): per drop (positions, shadowing and
/// one i.i.d. Rayleigh realization, perfect CSI, MRC), the joint max-min power and cluster choice of
/// Algorithm 1 (fixed point (10)) and of the spectral-radius characterization (Prop. 3), for each
/// candidate scheme (fixed, add-AP, exhaustive), candidate size CS and power budget p̄.
///
/// Documented defaults where the paper is silent (papers.md §7.5): APs on a square grid with
/// `ap_spacing` between neighbours (the paper: hexagonal, 100 m); the papers' path loss, shadowing and
/// noise (§4); exhaustive limited to CS ≤ 5 as in the paper.
public struct MaxMinClusteringStage: StageKind {
    public init() {}
    public let name = "maxmin-clustering"
    public let version = 1
    public let summary = "joint max-min power control and clustering: fixed point vs spectral radius"
    public let parameters: [ParameterSpec] = [
        ParameterSpec("L", .int, default: .int(16), "APs (a square number: square grid)"),
        ParameterSpec("N", .int, default: .int(4), "antennas per AP"),
        ParameterSpec("K", .int, default: .int(0), "UEs; 0 = 40 % of the L·N receive antennas (papers.md §7.5)"),
        ParameterSpec("ap_spacing", .double, default: .double(100), "distance between neighbouring APs [m]"),
        ParameterSpec("schemes", .list(.string), default: .list([.string("fixed"), .string("add-AP"), .string("exhaustive")]),
                      "candidate schemes: fixed, add-AP, exhaustive"),
        ParameterSpec("cs", .list(.int), default: .list([1, 2, 3, 4, 5].map(ParamValue.int)), "candidate set sizes CS"),
        ParameterSpec("budgets_dbm", .list(.double), default: .list([.double(20), .double(30)]), "UE power budgets p̄ [dBm]"),
        ParameterSpec("drops", .int, default: .int(50), "random drops (positions, shadowing, one fading realization)"),
        ParameterSpec("first", .int, default: .int(0), "global index of the first drop"),
        .seed,
        .replica,
    ]

    public func run(_ context: StageContext) throws {
        let p = context.params
        let (L, N, drops, first) = (try p.int("L"), try p.int("N"), try p.int("drops"), try p.int("first"))
        let K = try p.int("K") > 0 ? try p.int("K") : max(1, Int(0.4 * Double(L * N)))
        let schemes = try p.strings("schemes").map { name -> CandidateScheme in
            guard let s = CandidateScheme(rawValue: name) else {
                throw PipelineError.stage(id: context.id, detail: "unknown scheme '\(name)' (fixed, add-AP, exhaustive)")
            }
            return s
        }
        let sizes = try p.ints("cs"), budgets = try p.doubles("budgets_dbm")
        for CS in sizes where CS < 1 || CS > L { throw PipelineError.stage(id: context.id, detail: "CS = \(CS) outside 1…L = \(L)") }
        if schemes.contains(.exhaustive), let big = sizes.first(where: { $0 > 12 }) {
            throw PipelineError.stage(id: context.id, detail: "exhaustive with CS = \(big) means \(1 << big) options per UE; keep CS ≤ 12")
        }
        var params = NetworkParameters.papers(L: L, K: K)
        params.N = N
        params.fading = .iid
        params.areaSideMeters = try p.double("ap_spacing") * Double(L).squareRoot()
        do { try params.validate() } catch { throw PipelineError.stage(id: context.id, detail: "\(error)") }

        // [scheme, CS, budget, drop]
        let shape = [schemes.count, sizes.count, budgets.count, drops]
        var fixed = [Double](repeating: 0, count: shape.reduce(1, *)), spectral = fixed, iterations = [Int32](repeating: 0, count: fixed.count)
        for d in 0..<drops {
            var rng = RandomStream(seed: context.streamSeed, name: "maxmin-clustering", index: UInt64(first + d))
            let setup = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
            let H = try channelEstimates(R: setup.R, pilots: setup.pilots, p: params.p,
                                         draws: ChannelDraws.draw(params, realizations: 1, using: &rng)).H
            for (s, scheme) in schemes.enumerated() {
                for (c, CS) in sizes.enumerated() {
                    let options = try candidateClusters(gainOverNoiseDB: setup.gainOverNoiseDB, L: L, K: K, candidateSize: CS, scheme: scheme)
                    let f = try clusterInterference(channels: H, realization: 0, options: options)
                    for (b, dBm) in budgets.enumerated() {
                        let pMax = pow(10, dBm / 10)   // mW
                        let i = ((s * sizes.count + c) * budgets.count + b) * drops + d
                        let algorithm = jointMaxMinFixedPoint(f, pMax: pMax, tolerance: 1e-10)
                        fixed[i] = algorithm.sinr
                        iterations[i] = Int32(algorithm.iterations)
                        spectral[i] = try jointMaxMinSpectral(f, pMax: pMax).sinr
                    }
                }
            }
            context.progress(d + 1, of: drops)
        }
        let out = context.output
        try out.write("sinr_fixed_point", fixed, shape: shape).setAttribute("dims", "scheme,cs,budget,drop")
        try out.write("sinr_spectral", spectral, shape: shape).setAttribute("dims", "scheme,cs,budget,drop")
        try out.write("iterations", iterations, shape: shape).setAttribute("dims", "scheme,cs,budget,drop")
        try out.setAttribute("schemes", schemes.map(\.rawValue).joined(separator: ","))
        try out.write("cs", sizes.map(Int32.init), shape: [sizes.count])
        try out.write("budgets_dbm", budgets, shape: [budgets.count])
        try out.write("K", scalar: Int32(K))
    }
}
