import CellFree
import Foundation
import H5
import Linalg
import Pipeline

/// `baselines`: for each drop of its `layouts` input, the clusters of each scheme (CF: every AP
/// serves every UE; DCC: each UE's Q strongest APs, papers.md §5.6; gain-ranked: each AP keeps its τ_p
/// strongest UEs by β, orphans repaired; distance-ranked: each AP keeps its τ_p nearest UEs by the
/// positions a model sees, `ue_seen` under the layouts' σ, orphans repaired; max-min-refined: the
/// gain-ranked clusters refined for the UL max-min SINR under the labels' combining, `maxMinRefinedClusters`;
/// positions-refined: the distance-ranked clusters refined the same way on what the seen positions tell,
/// path loss without shadowing, then scored on the true channels), under a pilot model (`pilots`: the papers' orthogonal pilots,
/// or τ_p reused pilots with contaminated estimates), the closed-form max-min powers
/// (UL, DL with a total and a per-AP budget), the resulting per-UE SEs (papers.md §3), and the wall
/// time of clusters + labels per drop (the runtime a learned model competes with, Sect. VII).
public struct BaselinesStage: StageKind {
    public init() {}
    public let name = "baselines"
    public let version = 3
    public let summary = "CF and DCC clusters with closed-form max-min powers and SEs"
    public var outputs: [OutputSpec] { Self.datasets }
    static let datasets = [
        OutputSpec("<scheme>/ul_power", dims: ["sample", "ue"], units: "mW", "max-min UL powers (closed form)"),
        OutputSpec("<scheme>/dl_power_total", dims: ["sample", "ue"], units: "mW", "max-min DL powers, total budget L·P̄_DL"),
        OutputSpec("<scheme>/dl_power_per_ap", dims: ["sample", "ue"], units: "mW", "max-min DL powers, per-AP budget P̄_DL"),
        OutputSpec("<scheme>/se_ul", dims: ["sample", "ue"], units: "bit/s/Hz", "UL SE at the max-min optimum"),
        OutputSpec("<scheme>/se_dl", dims: ["sample", "ue"], units: "bit/s/Hz", "DL SE at the max-min optimum (per-AP budget)"),
        OutputSpec("<scheme>/connections", dims: ["sample"], units: "1", "AP–UE links of the scheme's clusters"),
        OutputSpec("<scheme>/label_ms", dims: ["sample"], units: "ms", "wall time of clusters + closed-form powers"),
        OutputSpec("<scheme>/pilot_conflicts", dims: ["sample"], units: "1", "co-pilot UE pairs sharing an AP (reused pilots, masks only)"),
        OutputSpec("<scheme>/clusters", dims: ["sample", "ue", "ap"], units: "1", "AP–UE links, 1 if the AP serves the UE (max-min-refined and positions-refined only: clustering targets of `train`)"),
    ]
    public struct Parameters: StageParameterSet {
        enum Scheme: String, CaseIterable, ParameterValue, Decodable {
            case cf, dcc, bookDCC = "book-dcc", gainRanked = "gain-ranked", distanceRanked = "distance-ranked"
            case refined = "max-min-refined", positionsRefined = "positions-refined"
            /// A mask under the τ_p cap (reused pilots: a cluster-aware colouring, not Algorithm 4.1).
            var isCappedMask: Bool { [.gainRanked, .distanceRanked, .refined, .positionsRefined].contains(self) }
            /// Its clusters are stored (`<scheme>/clusters`): a clustering target of `train`.
            var storesClusters: Bool { self == .refined || self == .positionsRefined }
        }
        enum Pilots: String, CaseIterable, ParameterValue, Decodable { case orthogonal, reuse }

        @ParameterGroup var network = NetworkParameterSet()
        @ParameterGroup var labels = LabelMethodParameters()
        @Parameter("schemes", "cluster schemes") var schemes: [Scheme] = [.cf, .dcc]
        @Parameter("pilots", "pilot model: the papers' orthogonal pilots (no contamination, not realizable for K > τ_p), or τ_p reused pilots")
        var pilots = Pilots.orthogonal
        @Parameter("dl_precoder", "DL precoders of the labels: the book's UL–DL duality normalization D_kv_k/sqrt(E‖D_kv_k‖²), or the linear-attention paper's unit norm per realization D_kv_k/‖D_kv_k‖ (its eqs. (7)–(8); needs method monte-carlo)")
        var dlPrecoder = DownlinkPrecoder.duality
        @Parameter("dcc_q", "APs per UE in the DCC baseline (papers.md §5.6: Q = 4, Miretti's code)", range: .atLeast(1)) var dccQ = 4
        @ParameterGroup var random = SeedParameter()
        public init() {}
    }

    /// One drop at work: the Monte Carlo channels and their estimates (realizations × L·N × K complex), the
    /// correlation and estimate-covariance matrices (L·K of N×N), and the centralized MMSE combiner's
    /// K error covariances of (L·N)² complex entries.
    public func memoryEstimate(_ p: Parameters) -> Double? {
        let (K, L, N) = (Double(p.network.K), Double(p.network.L), Double(NetworkParameters.papers(L: 1, K: 1).N))
        let realizations = p.labels.method == .monteCarlo ? Double(p.labels.realizations) : 0
        return realizations * L * N * K * 32 + L * K * N * N * 32 + K * (L * N) * (L * N) * 16
    }

    /// The network these parameters describe must be valid (e.g. L a square number on the grid).
    public func preflight(_ p: Parameters) throws {
        _ = try p.network.network(id: name)
        if p.dlPrecoder == .unitNorm && p.labels.method != .monteCarlo {
            throw PipelineError.stage(id: name, detail: "dl_precoder: unit-norm needs method: monte-carlo (MR closed-form statistics have no realizations to normalize)")
        }
    }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let schemes = p.schemes, Q = p.dccQ
        let method = p.labels.labelMethod
        var params = try p.network.network(id: context.id)
        params.pilotModel = p.pilots == .reuse ? .book : .orthogonal
        let layouts = try context.input(ofKind: "layouts")
        let file = try layouts.open()
        let drops = try readLayouts(file), seen = try readSeenLayouts(file)
        try file.close()
        guard let first = drops.first, first.layout.uePositions.count == params.K, first.layout.apPositions.count == params.L else {
            throw PipelineError.stage(id: context.id, detail: "layouts \(layouts.path) do not have K = \(params.K), L = \(params.L)")
        }
        let (K, L, count) = (params.K, params.L, drops.count)
        var results: [Parameters.Scheme: (ul: [Double], dlTotal: [Double], dlPerAP: [Double], seUL: [Double], seDL: [Double], links: [Int64],
                               ms: [Double], conflicts: [Int64], clusters: [UInt8])] = [:]
        for s in schemes { results[s] = ([], [], [], [], [], [], [], [], []) }
        for (i, draws) in drops.enumerated() {
            let setup = try NetworkSetup(params, draws: draws)
            var rng = RandomStream(seed: context.streamSeed, name: "baselines", index: UInt64(i))
            let refinementDraws = RandomStream(seed: context.streamSeed, name: "baselines-refinement", index: UInt64(i))
            for s in schemes {
                let start = DispatchTime.now().uptimeNanoseconds
                let D: ClusterMatrix
                switch s {
                case .cf: D = .full(L: L, K: K)
                case .dcc: D = try strongestAPClusters(gainOverNoiseDB: setup.gainOverNoiseDB, L: L, K: K, Q: min(Q, L))
                case .gainRanked: D = try gainRankedClusters(setup)
                case .distanceRanked: D = try distanceRankedClusters(seen[i], params)
                case .refined:
                    var draws = refinementDraws
                    D = try maxMinRefinedClusters(setup, start: try gainRankedClusters(setup), combining: method.refinementCombining,
                                                  using: &draws).clusters
                case .positionsRefined:   // what the seen positions tell: path loss only, no shadowing
                    var draws = refinementDraws
                    D = try maxMinRefinedClusters(try NetworkSetup.pathLossOnly(params, layout: seen[i]), start: try distanceRankedClusters(seen[i], params),
                                                  combining: method.refinementCombining, using: &draws).clusters
                case .bookDCC: D = setup.dcc
                }
                // Reused pilots: Algorithm 4.1 (the setup's) for CF and DCC, a cluster-aware colouring for a mask.
                var pilots: PilotAssignment?
                if params.pilotModel == .book && s.isCappedMask {
                    let coloured = clusterAwarePilots(clusters: D, gainOverNoiseDB: setup.gainOverNoiseDB, tau_p: params.tau_p)
                    pilots = coloured.assignment
                    results[s]!.conflicts.append(Int64(coloured.conflicts))
                }
                let labels = try powerLabels(setup, clusters: D, method: method, pilots: pilots, precoder: p.dlPrecoder, using: &rng)
                results[s]!.ms.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                results[s]!.ul += labels.uplinkPowers
                results[s]!.dlTotal += labels.downlinkPowersTotal
                results[s]!.dlPerAP += labels.downlinkPowersPerAP
                results[s]!.seUL += labels.optimalUplinkSE
                results[s]!.seDL += labels.optimalDownlinkSEPerAP
                results[s]!.links.append(Int64(D.serves.filter { $0 }.count))
                if s.storesClusters { results[s]!.clusters += rowMajorLinks(D).map { UInt8($0) } }
            }
            context.progress(i + 1, of: count)
        }
        for s in schemes {
            let g = try context.output.createGroup(s.rawValue), r = results[s]!
            try g.write(Self.datasets.spec("ul_power"), r.ul, shape: [count, K])
            try g.write(Self.datasets.spec("dl_power_total"), r.dlTotal, shape: [count, K])
            try g.write(Self.datasets.spec("dl_power_per_ap"), r.dlPerAP, shape: [count, K])
            try g.write(Self.datasets.spec("se_ul"), r.seUL, shape: [count, K])
            try g.write(Self.datasets.spec("se_dl"), r.seDL, shape: [count, K])
            try g.write(Self.datasets.spec("connections"), r.links, shape: [count])
            try g.write(Self.datasets.spec("label_ms"), r.ms, shape: [count])
            if !r.conflicts.isEmpty {
                try g.write(Self.datasets.spec("pilot_conflicts"), r.conflicts, shape: [count])
            }
            if !r.clusters.isEmpty { try g.write(Self.datasets.spec("clusters"), r.clusters, shape: [count, K, L]) }
        }
        try writeLabelProvenance(context.output, method: method, pilots: params.pilotModel)
        try context.output.setAttribute("dl_precoder", p.dlPrecoder == .unitNorm
            ? "unit norm per realization, D_kv_k/‖D_kv_k‖ (linear-attention paper eqs. (7)–(8))"
            : "UL–DL duality, D_kv_k/sqrt(E‖D_kv_k‖²) (book)")
    }
}

extension LabelMethod {
    /// The combining `maxMinRefinedClusters` scores with: the labels' own (MMSE with as many realizations,
    /// or MR statistics).
    var refinementCombining: RefinementCombining {
        switch self {
        case let .monteCarlo(realizations, _): .mmse(realizations: realizations)
        case .statisticsOnly: .mr
        }
    }
}

/// Gain-ranked pilot-constrained clusters: each AP keeps its τ_p strongest UEs by β (threshold 0), UEs
/// left without an AP get their strongest one (`pilotConstrainedClusters`).
func gainRankedClusters(_ setup: NetworkSetup) throws -> ClusterMatrix {
    let (L, K) = (setup.params.L, setup.params.K)
    return try pilotConstrainedClusters(scores: setup.gainOverNoiseDB.map(dbToLinear), gainOverNoiseDB: setup.gainOverNoiseDB,
                                        L: L, K: K, tau_p: setup.params.tau_p, threshold: 0)
}
