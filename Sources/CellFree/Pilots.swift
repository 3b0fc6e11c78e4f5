/// Master AP and pilot of every UE, the book's Algorithm 4.1 (reference-physics §5). 0-based.
public struct PilotAssignment: Sendable, Equatable {
    /// m_k = argmax_l β_kl (first index on ties).
    public var masterAPs: [Int]
    /// t_k ∈ 0..<τ_p.
    public var pilotIndex: [Int]
    public var tau_p: Int

    public init(masterAPs: [Int], pilotIndex: [Int], tau_p: Int) {
        self.masterAPs = masterAPs; self.pilotIndex = pilotIndex; self.tau_p = tau_p
    }

    /// UEs that use pilot t, in index order.
    public func users(ofPilot t: Int) -> [Int] { pilotIndex.indices.filter { pilotIndex[$0] == t } }
}

/// Algorithm 4.1: UE k (in index order) takes its strongest AP as master; the first τ_p UEs take
/// pilots 0..τ_p−1 in order (no permutation, quirk 12.7); later UEs take the pilot with the least
/// linear interference Σ_{i<k, t_i=t} β_{i,m_k} at their master AP.
public func assignPilots(gainOverNoiseDB gain: [Double], L: Int, K: Int, tau_p: Int) -> PilotAssignment {
    var masters = [Int](repeating: 0, count: K), pilots = [Int](repeating: 0, count: K)
    for k in 0..<K {
        var m = 0
        for l in 1..<L where gain[l + L * k] > gain[m + L * k] { m = l }
        masters[k] = m
        if k < tau_p {
            pilots[k] = k
        } else {
            var interference = [Double](repeating: 0, count: tau_p)
            for i in 0..<k { interference[pilots[i]] += dbToLinear(gain[m + L * i]) }
            var best = 0
            for t in 1..<tau_p where interference[t] < interference[best] { best = t }
            pilots[k] = best
        }
    }
    return PilotAssignment(masterAPs: masters, pilotIndex: pilots, tau_p: tau_p)
}
