import CellFree
import Foundation
import H5
import Linalg
import Pipeline

extension CandidateScheme: ParameterValue, Decodable {}

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
    public struct Parameters: StageParameterSet {
        @Parameter("L", "APs (a square number: square grid)", range: .atLeast(1)) var L = 16
        @Parameter("N", "antennas per AP", range: .atLeast(1)) var N = 4
        @Parameter("K", "UEs; 0 = 40 % of the L·N receive antennas (papers.md §7.5)", range: .atLeast(0)) var K = 0
        @Parameter("ap_spacing", "distance between neighbouring APs", unit: "m", range: .positive) var apSpacing = 100.0
        @Parameter("schemes", "candidate schemes") var schemes: [CandidateScheme] = [.fixed, .addAP, .exhaustive]
        @Parameter("cs", "candidate set sizes CS", range: .atLeast(1)) var cs = [1, 2, 3, 4, 5]
        @Parameter("budgets_dbm", "UE power budgets p̄", unit: "dBm") var budgetsDBm = [20.0, 30.0]
        @Parameter("drops", "random drops (positions, shadowing, one fading realization)", range: .atLeast(1)) var drops = 50
        @Parameter("first", "global index of the first drop", range: .atLeast(0)) var first = 0
        @ParameterGroup var random = SeedAndReplica()
        public init() {}
    }

    /// The network of these parameters (K = 0: 40 % of the L·N antennas), with CS within 1…L and
    /// exhaustive search kept to CS ≤ 12; `id` names the stage in errors.
    func network(_ p: Parameters, id: String) throws -> NetworkParameters {
        let K = p.K > 0 ? p.K : max(1, Int(0.4 * Double(p.L * p.N)))
        for CS in p.cs where CS < 1 || CS > p.L { throw PipelineError.stage(id: id, detail: "cs: CS = \(CS) outside 1…L = \(p.L)") }
        if p.schemes.contains(.exhaustive), let big = p.cs.first(where: { $0 > 12 }) {
            throw PipelineError.stage(id: id, detail: "cs: exhaustive with CS = \(big) means \(1 << big) options per UE; keep CS ≤ 12")
        }
        var params = NetworkParameters.papers(L: p.L, K: K)
        params.N = p.N
        params.fading = .iid
        params.areaSideMeters = p.apSpacing * Double(p.L).squareRoot()
        do { try params.validate() } catch { throw PipelineError.stage(id: id, detail: "\(error)") }
        return params
    }

    public func preflight(_ p: Parameters) throws { _ = try network(p, id: name) }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (L, drops, first) = (p.L, p.drops, p.first)
        let schemes = p.schemes
        let sizes = p.cs, budgets = p.budgetsDBm
        let params = try network(p, id: context.id)
        let K = params.K

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
