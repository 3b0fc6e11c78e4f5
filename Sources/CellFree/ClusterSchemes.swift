/// The clustering schemes of the papers (papers.md §5.2, §5.6, §7.2). Gains and scores are L×K
/// arrays with index l + L·k.

/// APs of UE k ordered by decreasing β_kl (lower index first on ties).
func strongestAPs(_ k: Int, gain: [Double], L: Int) -> [Int] {
    (0..<L).sorted { gain[$0 + L * k] > gain[$1 + L * k] || (gain[$0 + L * k] == gain[$1 + L * k] && $0 < $1) }
}

/// The DCC baseline of the linear-attention paper: each UE served by its Q strongest APs
/// (Miretti's `Q` strongest, papers.md §3.4 and §5.6; Q = 1 is the small-cell association).
public func strongestAPClusters(gainOverNoiseDB gain: [Double], L: Int, K: Int, Q: Int) throws -> ClusterMatrix {
    guard Q >= 1, Q <= L else { throw CellFreeError.invalidParameter(field: "Q", value: "\(Q)", expected: "1…L = \(L) APs per UE") }
    var D = ClusterMatrix(L: L, K: K)
    for k in 0..<K { for l in strongestAPs(k, gain: gain, L: L).prefix(Q) { D[l, k] = true } }
    return D
}

/// The pilot-constrained mask of the linear-attention paper (papers.md §5.2, (15)–(16)): each AP keeps
/// the UEs with its `tau_p` largest scores (lower UE index on ties), then only those whose score is at
/// least `threshold` η. A UE left with no AP gets its strongest AP (by β) that can take it: one with
/// fewer than τ_p UEs, or else one of whose UEs is also served elsewhere (the lowest-scored such UE
/// gives up its place). No AP ever serves more than τ_p UEs (no pilot contamination); every UE is
/// served when K ≤ L·τ_p, and exactly K − L·τ_p UEs stay unserved otherwise.
public func pilotConstrainedClusters(scores: [Double], gainOverNoiseDB gain: [Double], L: Int, K: Int,
                                     tau_p: Int, threshold: Double) throws -> ClusterMatrix {
    guard scores.count == L * K, gain.count == L * K else {
        throw CellFreeError.shapeMismatch(what: "cluster scores and gains", expected: "L×K = \(L * K) each",
                                          got: "\(scores.count) scores, \(gain.count) gains")
    }
    guard tau_p >= 1 else { throw CellFreeError.invalidParameter(field: "tau_p", value: "\(tau_p)", expected: "at least 1 UE per AP") }
    if let bad = scores.firstIndex(where: { $0.isNaN }) {
        throw CellFreeError.numerical(what: "cluster scores", detail: "score of AP \(bad % L), UE \(bad / L) is NaN")
    }
    var D = ClusterMatrix(L: L, K: K)
    var served = [[Int]](repeating: [], count: L)                // D_l
    var apCount = [Int](repeating: 0, count: K)                  // |M_k|
    for l in 0..<L {
        let ranked = (0..<K).sorted { scores[l + L * $0] > scores[l + L * $1] || (scores[l + L * $0] == scores[l + L * $1] && $0 < $1) }
        for k in ranked.prefix(tau_p) where scores[l + L * k] >= threshold {
            D[l, k] = true; served[l].append(k); apCount[k] += 1
        }
    }
    for k in 0..<K where apCount[k] == 0 {
        for l in strongestAPs(k, gain: gain, L: L) {
            if served[l].count >= tau_p {
                let shared = served[l].filter { apCount[$0] >= 2 }
                guard let j = shared.min(by: { scores[l + L * $0] < scores[l + L * $1] }) else { continue }
                D[l, j] = false; served[l].removeAll { $0 == j }; apCount[j] -= 1
            }
            D[l, k] = true; served[l].append(k); apCount[k] += 1
            break
        }
    }
    return D
}

/// AP subset selection of the max-min clustering paper (papers.md §7.2).
public enum CandidateScheme: String, Sendable, CaseIterable {
    /// One cluster: all CS candidate APs.
    case fixed
    /// CS clusters: the m strongest candidates, m = 1…CS.
    case addAP = "add-AP"
    /// All 2^CS − 1 non-empty subsets of the candidates.
    case exhaustive
}

/// The clusters each UE may choose from, 𝒟_k: per UE a list of AP sets (increasing AP indices).
public struct ClusterOptions: Sendable, Equatable {
    public let L: Int, K: Int
    public var options: [[[Int]]]

    public init(L: Int, K: Int, options: [[[Int]]]) {
        self.L = L; self.K = K; self.options = options
    }

    /// The cluster matrix that gives UE k its option `choice[k]`.
    public func clusters(choice: [Int]) -> ClusterMatrix {
        var D = ClusterMatrix(L: L, K: K)
        for k in 0..<K { for l in options[k][choice[k]] { D[l, k] = true } }
        return D
    }
}

/// 𝒟_k for every UE: the candidate set 𝒜_k is its CS strongest APs, and `scheme` picks the subsets.
public func candidateClusters(gainOverNoiseDB gain: [Double], L: Int, K: Int, candidateSize CS: Int,
                              scheme: CandidateScheme) throws -> ClusterOptions {
    guard CS >= 1, CS <= L else {
        throw CellFreeError.invalidParameter(field: "candidateSize", value: "\(CS)", expected: "1…L = \(L)")
    }
    guard scheme != .exhaustive || CS <= 16 else {
        throw CellFreeError.invalidParameter(field: "candidateSize", value: "\(CS)", expected: "at most 16 for the exhaustive scheme (2^CS − 1 subsets)")
    }
    let options = (0..<K).map { k -> [[Int]] in
        let candidates = Array(strongestAPs(k, gain: gain, L: L).prefix(CS))
        switch scheme {
        case .fixed: return [candidates.sorted()]
        case .addAP: return (1...CS).map { candidates.prefix($0).sorted() }
        case .exhaustive:
            return (1..<(1 << CS)).map { mask in (0..<CS).filter { mask & (1 << $0) != 0 }.map { candidates[$0] }.sorted() }
        }
    }
    return ClusterOptions(L: L, K: K, options: options)
}

/// Distance-ranked pilot-constrained clusters: each AP keeps its `tau_p` nearest UEs (wrap-around
/// distances of `layout`, e.g. the positions a model sees), UEs left without an AP get their nearest
/// one that can take it (`pilotConstrainedClusters` with scores 1/d). What a model of positions alone
/// should at least match.
public func distanceRankedClusters(_ layout: Layout, _ params: NetworkParameters) throws -> ClusterMatrix {
    let d = linkGeometry(layout, params).distances
    return try pilotConstrainedClusters(scores: d.map { 1 / $0 }, gainOverNoiseDB: d.map { -10 * Double.log10($0) },
                                        L: layout.apPositions.count, K: layout.uePositions.count, tau_p: params.tau_p, threshold: 0)
}
