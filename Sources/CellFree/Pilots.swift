/// Master AP and pilot of every UE, the book's Algorithm 4.1 (reference-physics §5). 0-based.
public struct PilotAssignment: Sendable, Equatable {
    /// m_k = argmax_l β_kl (first index on ties).
    public var masterAPs: [Int]
    /// t_k ∈ 0..<τ_p.
    public var pilotIndex: [Int]
    /// Number of distinct pilot sequences.
    public var tau_p: Int
    /// Pilot length in samples, the processing gain of (4.4)–(4.6): τ_p for the book; the papers'
    /// τ_p with K orthogonal pilots (`PilotModel.orthogonal`).
    public var processingGain: Int

    public init(masterAPs: [Int], pilotIndex: [Int], tau_p: Int, processingGain: Int? = nil) {
        self.masterAPs = masterAPs; self.pilotIndex = pilotIndex; self.tau_p = tau_p
        self.processingGain = processingGain ?? tau_p
    }

    /// UEs that use pilot t, in index order.
    public func users(ofPilot t: Int) -> [Int] { pilotIndex.indices.filter { pilotIndex[$0] == t } }
}

/// Algorithm 4.1: UE k (in index order) takes its strongest AP as master; the first τ_p UEs take
/// pilots 0..τ_p−1 in order (no permutation, quirk 12.7); later UEs take the pilot with the least
/// linear interference Σ_{i<k, t_i=t} β_{i,m_k} at their master AP.
public func assignPilots(gainOverNoiseDB gain: [Double], L: Int, K: Int, tau_p: Int) -> PilotAssignment {
    let masters = masterAPs(gainOverNoiseDB: gain, L: L, K: K)
    var pilots = [Int](repeating: 0, count: K)
    for k in 0..<K {
        let m = masters[k]
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

/// Every UE its own pilot (index k), with master APs as in Algorithm 4.1 and processing gain
/// `pilotLength`: the contamination-free estimation of the papers (papers.md §2, Eq. (2)).
public func orthogonalPilots(gainOverNoiseDB gain: [Double], L: Int, K: Int, pilotLength: Int) -> PilotAssignment {
    PilotAssignment(masterAPs: masterAPs(gainOverNoiseDB: gain, L: L, K: K), pilotIndex: Array(0..<K), tau_p: K, processingGain: pilotLength)
}

/// m_k = argmax_l β_kl, the first index on ties.
public func masterAPs(gainOverNoiseDB gain: [Double], L: Int, K: Int) -> [Int] {
    (0..<K).map { k in (0..<L).max { gain[$0 + L * k] < gain[$1 + L * k] }! }
}
