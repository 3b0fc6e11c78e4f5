import Linalg

/// τ_p pilots for a cluster mask and the conflicts that remain: pairs of UEs served by a common AP that
/// share a pilot (each such pair contaminates the other's estimate at an AP that combines both).
public struct ClusterPilots: Sendable, Equatable {
    public var assignment: PilotAssignment
    /// Pairs {i, k} with M_i ∩ M_k ≠ ∅ and t_i = t_k.
    public var conflicts: Int
}

/// Cluster-aware pilot assignment: a colouring of the conflict graph (UEs adjacent when they share a
/// serving AP) with τ_p colours, so that no AP combines two co-pilot UEs. First an exact DSatur
/// backtracking search (Brélaz's order: most distinct neighbour pilots first), which finds a proper
/// colouring whenever one exists and the search ends within `searchBudget` nodes; otherwise DSatur
/// with the least-contaminating pilot, then single-UE moves while they lower the weighted conflicts.
/// Among the pilots a UE may take, it takes the one with the least interference Σ_{i: t_i = t} β_{i,m_k}
/// at its master AP, as in Algorithm 4.1. Master APs as in Algorithm 4.1; processing gain τ_p.
public func clusterAwarePilots(clusters D: ClusterMatrix, gainOverNoiseDB gain: [Double], tau_p: Int,
                               searchBudget: Int = 2_000) -> ClusterPilots {
    let (L, K) = (D.L, D.K)
    let masters = masterAPs(gainOverNoiseDB: gain, L: L, K: K)
    var neighbours = [[Int]](repeating: [], count: K)
    var adjacent = [Bool](repeating: false, count: K * K)
    for l in 0..<L {
        let served = D.servedUEs(l)
        for (a, i) in served.enumerated() {
            for k in served[(a + 1)...] where !adjacent[i + K * k] {
                adjacent[i + K * k] = true; adjacent[k + K * i] = true
                neighbours[i].append(k); neighbours[k].append(i)
            }
        }
    }
    // Weight of a conflict between k and i: i's gain at k's serving APs plus k's at i's (linear).
    func weight(_ k: Int, _ i: Int) -> Double {
        (0..<L).reduce(0.0) { w, l in
            w + (D[l, k] ? dbToLinear(gain[l + L * i]) : 0) + (D[l, i] ? dbToLinear(gain[l + L * k]) : 0)
        }
    }
    // Interference at k's master AP of the UEs already on each pilot (Algorithm 4.1's criterion).
    func preference(_ k: Int, _ pilots: [Int]) -> [Int] {
        var load = [Double](repeating: 0, count: tau_p)
        for i in 0..<K where pilots[i] >= 0 && i != k { load[pilots[i]] += dbToLinear(gain[masters[k] + L * i]) }
        return (0..<tau_p).sorted { load[$0] < load[$1] || (load[$0] == load[$1] && $0 < $1) }
    }
    var pilots = [Int](repeating: -1, count: K)
    var nodes = 0
    /// The uncoloured UE with the most distinct neighbour pilots (then most neighbours, then lowest index).
    func nextUE(_ pilots: [Int]) -> Int? {
        var best: Int?, bestKey = (-1, -1)
        for k in 0..<K where pilots[k] < 0 {
            let saturation = Set(neighbours[k].compactMap { pilots[$0] >= 0 ? pilots[$0] : nil }).count
            let key = (saturation, neighbours[k].count)
            if key > bestKey { best = k; bestKey = key }
        }
        return best
    }
    func search() -> Bool {
        guard let k = nextUE(pilots) else { return true }
        nodes += 1
        if nodes > searchBudget { return false }
        let taken = Set(neighbours[k].map { pilots[$0] })
        for t in preference(k, pilots) where !taken.contains(t) {
            pilots[k] = t
            if search() { return true }
            if nodes > searchBudget { break }
        }
        pilots[k] = -1
        return false
    }
    if !search() {
        // No proper colouring found: DSatur with the least weighted conflict, then improving moves.
        pilots = [Int](repeating: -1, count: K)
        while let k = nextUE(pilots) {
            let order = preference(k, pilots)
            var cost = [Double](repeating: 0, count: tau_p)
            for i in neighbours[k] where pilots[i] >= 0 { cost[pilots[i]] += weight(k, i) }
            pilots[k] = order.min { cost[$0] < cost[$1] }!
        }
        var improved = true, sweeps = 0
        while improved && sweeps < 20 {
            improved = false; sweeps += 1
            for k in 0..<K {
                var cost = [Double](repeating: 0, count: tau_p)
                for i in neighbours[k] { cost[pilots[i]] += weight(k, i) }
                let best = (0..<tau_p).min { cost[$0] < cost[$1] }!
                if cost[best] < cost[pilots[k]] * (1 - 1e-12) { pilots[k] = best; improved = true }
            }
        }
    }
    let conflicts = (0..<K).reduce(0) { n, k in n + neighbours[k].filter { $0 > k && pilots[$0] == pilots[k] }.count }
    return ClusterPilots(assignment: PilotAssignment(masterAPs: masters, pilotIndex: pilots, tau_p: tau_p), conflicts: conflicts)
}
