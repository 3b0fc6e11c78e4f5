import Linalg

/// Pilot-constrained clusters refined for the max-min SE (ours; issue 18's clustering target, the max-min
/// clustering paper's add-AP idea (papers.md §7.2) under the τ_p cap of the linear-attention paper).
public struct RefinedClusters: Sendable {
    public var clusters: ClusterMatrix
    /// The closed-form max-min UL SINR t* (linear) of the starting and of the refined clusters.
    public var startSINR: Double, sinr: Double
    /// Links moved (each accepted move adds, swaps or drops one link).
    public var moves: Int
}

/// The UL combining under which `maxMinRefinedClusters` scores clusters.
public enum RefinementCombining: Sendable, Equatable {
    /// MR with the exact statistics of Corollary 5.6, computed once for every link.
    case mr
    /// Centralized MMSE (the papers') with moments conditioned on `realizations` drawn estimates, the
    /// same draws for every candidate (common random numbers).
    case mmse(realizations: Int)
}

/// UatF rows of chosen UEs under any clusters: a UE's row (b_k, c_k·, σ_k²) depends on its own
/// serving APs only, so a move re-scores the one or two UEs it changes.
private struct UatFRows {
    let K: Int
    let rows: (ClusterMatrix) throws -> UatFTerms

    init(_ setup: NetworkSetup, pilots: PilotAssignment, combining: RefinementCombining, using rng: inout RandomStream) throws {
        let (L, K, p) = (setup.params.L, setup.params.K, setup.params.p)
        self.K = K
        switch combining {
        case .mr:
            let (B, _) = try estimationCovariances(R: setup.R, pilots: pilots, p: p)
            let statistics = try mrClosedFormStatistics(R: setup.R, B: B, pilots: pilots, clusters: .full(L: L, K: K))
            rows = { D in distributedUatFTerms(statistics, clusters: D, weights: noLSFDWeights(clusters: D)) }
        case let .mmse(realizations):
            let e = try drawEstimates(R: setup.R, pilots: pilots, p: p, realizations: realizations, using: &rng)
            let full = [Double](repeating: p, count: K)   // combiners at full UL power, as the labels
            var whitened = try WhitenedChannels(e.Hhat, e.C, channels: nil, powers: full, threads: 1)
            whitened.keepGrams()   // whitened once per drop: a candidate then costs its own UEs' systems only
            rows = { [whitened] D in uatfTerms(try mmseCombinerMoments(whitened, errors: e.C, clusters: D)) }
        }
    }

    /// `terms` with the rows of `ues` replaced by theirs under D.
    func replacing(_ ues: [Int], of terms: UatFTerms, under D: ClusterMatrix) throws -> UatFTerms {
        var only = ClusterMatrix(L: D.L, K: K)
        for k in ues { for l in D.servingAPs(k) { only[l, k] = true } }
        let fresh = try rows(only)
        var t = terms
        for k in ues {
            (t.b[k], t.sigma2[k]) = (fresh.b[k], fresh.sigma2[k])
            for i in 0..<K { t.c[i + K * k] = fresh.c[i + K * k] }
        }
        return t
    }
}

/// Greedy refinement of `start` for the UL max-min SINR, never more than τ_p UEs per AP and every UE
/// served: at the closed-form optimum (papers.md §3.2) exactly one UE transmits at P̄_UL, the bottleneck.
/// It tries every single-link move of its own: take an AP with room; take the place, at a full AP, of
/// the UE to which that AP brings the smallest share of its β (a UE that keeps another AP); or give up
/// one of its APs. The move with the highest new t* is kept if it raises t* by more than `minimumGain`
/// (relative), and the search goes on from the new bottleneck; at most `maxMoves` moves (default 2K).
/// Each candidate re-scores only the UEs it changes (`combining`), then solves the closed form.
/// The setup's pilots unless `pilots` replaces them; Monte Carlo draws (MMSE) come from `rng`.
public func maxMinRefinedClusters(_ setup: NetworkSetup, start: ClusterMatrix, combining: RefinementCombining = .mr,
                                  pilots: PilotAssignment? = nil, maxMoves: Int? = nil, minimumGain: Double = 1e-3,
                                  using rng: inout RandomStream) throws -> RefinedClusters {
    let params = setup.params, (L, K, tau_p) = (setup.params.L, setup.params.K, setup.params.tau_p)
    guard start.L == L, start.K == K else {
        throw CellFreeError.shapeMismatch(what: "cluster matrix", expected: "L×K = \(L)×\(K)", got: "\(start.L)×\(start.K)")
    }
    if let l = (0..<L).first(where: { start.servedUEs($0).count > tau_p }) {
        throw CellFreeError.invalidParameter(field: "start", value: "AP \(l) serves \(start.servedUEs(l).count) UEs", expected: "at most τ_p = \(tau_p)")
    }
    if let k = (0..<K).first(where: { start.servingAPs($0).isEmpty }) {
        throw CellFreeError.invalidParameter(field: "start", value: "UE \(k) served by no AP", expected: "every UE served by at least one AP")
    }
    let scorer = try UatFRows(setup, pilots: pilots ?? setup.pilots, combining: combining, using: &rng)
    let beta = setup.gainOverNoiseDB.map(dbToLinear)
    var D = start, terms = try scorer.rows(start)
    var best = try uplinkMaxMinClosedForm(terms, pMax: params.p), moves = 0
    let startSINR = best.sinr
    while moves < (maxMoves ?? 2 * K) {
        let k = best.tightConstraint   // the UE at P̄_UL
        let mine = D.servingAPs(k)
        var candidates: [(D: ClusterMatrix, changed: [Int])] = []
        for l in 0..<L where !D[l, k] {
            var next = D, changed = [k]
            let served = D.servedUEs(l)
            if served.count >= tau_p {   // a full AP: the UE it matters least to gives up its place
                let movable = served.filter { D.servingAPs($0).count >= 2 }
                func share(_ j: Int) -> Double { beta[l + L * j] / D.servingAPs(j).reduce(0) { $0 + beta[$1 + L * j] } }
                guard let j = movable.min(by: { share($0) < share($1) }) else { continue }
                next[l, j] = false
                changed.append(j)
            }
            next[l, k] = true
            candidates.append((next, changed))
        }
        if mine.count >= 2 {
            for l in mine { var next = D; next[l, k] = false; candidates.append((next, [k])) }
        }
        var improved: (D: ClusterMatrix, terms: UatFTerms, solution: MaxMinSolution)?
        for candidate in candidates {
            let t = try scorer.replacing(candidate.changed, of: terms, under: candidate.D)
            let solution = try uplinkMaxMinClosedForm(t, pMax: params.p)
            if solution.sinr > (improved?.solution.sinr ?? best.sinr * (1 + minimumGain)) { improved = (candidate.D, t, solution) }
        }
        guard let improved else { break }
        (D, terms, best, moves) = (improved.D, improved.terms, improved.solution, moves + 1)
    }
    return RefinedClusters(clusters: D, startSINR: startSINR, sinr: best.sinr, moves: moves)
}
