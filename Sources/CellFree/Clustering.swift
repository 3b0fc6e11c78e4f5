/// Which APs serve which UEs: the L×K matrix D of the book (D(l,k) = 1 when AP l serves UE k).
public struct ClusterMatrix: Sendable, Equatable {
    public let L: Int, K: Int
    /// Index l + L·k.
    public var serves: [Bool]

    public init(L: Int, K: Int, serves: [Bool]? = nil) {
        self.L = L; self.K = K
        self.serves = serves ?? .init(repeating: false, count: L * K)
        precondition(self.serves.count == L * K, "L×K cluster matrix")
    }

    public subscript(l: Int, k: Int) -> Bool {
        get { serves[l + L * k] }
        set { serves[l + L * k] = newValue }
    }

    /// Full cooperation: every AP serves every UE.
    public static func full(L: Int, K: Int) -> ClusterMatrix { ClusterMatrix(L: L, K: K, serves: .init(repeating: true, count: L * K)) }

    /// M_k: the APs serving UE k, increasing.
    public func servingAPs(_ k: Int) -> [Int] { (0..<L).filter { serves[$0 + L * k] } }

    /// D_l: the UEs served by AP l, increasing.
    public func servedUEs(_ l: Int) -> [Int] { (0..<K).filter { serves[l + L * $0] } }

    /// P_k = {i : M_i ∩ M_k ≠ ∅}, the UEs sharing at least one AP with UE k, (5.15); includes k when M_k ≠ ∅.
    public func partialUEs(_ k: Int) -> [Int] {
        let mine = servingAPs(k)
        return (0..<K).filter { i in mine.contains { serves[$0 + L * i] } }
    }
}

/// D after the master step only: each UE served by its master AP. This is also the small-cell DCC
/// `D_small` (quirk 12.9: the strongest serving AP is always the master).
public func masterOnlyClusters(_ pilots: PilotAssignment, L: Int) -> ClusterMatrix {
    var D = ClusterMatrix(L: L, K: pilots.masterAPs.count)
    for (k, m) in pilots.masterAPs.enumerated() { D[m, k] = true }
    return D
}

/// The book's DCC (reference-physics §6.1): masters, then every AP serves the strongest UE of each
/// used pilot, with no threshold and no one-UE-per-pilot check (quirk 12.8).
public func bookDCC(gainOverNoiseDB gain: [Double], pilots: PilotAssignment, L: Int) -> ClusterMatrix {
    var D = masterOnlyClusters(pilots, L: L)
    for t in 0..<pilots.tau_p {
        let users = pilots.users(ofPilot: t)
        guard !users.isEmpty else { continue }
        for l in 0..<L {
            var best = users[0]
            for i in users.dropFirst() where gain[l + L * i] > gain[l + L * best] { best = i }
            D[l, best] = true
        }
    }
    return D
}

/// The scalable-cell-free DCC (reference-physics §6.2): masters, then AP l takes the strongest UE i*
/// of pilot t only if it serves no UE on t yet and β_{i*,l} is within `thresholdDB` (−40 dB) of
/// β_{i*} at its master.
public func thresholdDCC(gainOverNoiseDB gain: [Double], pilots: PilotAssignment, L: Int,
                         thresholdDB: Double = -40) -> ClusterMatrix {
    let masters = masterOnlyClusters(pilots, L: L)
    var D = masters
    for t in 0..<pilots.tau_p {
        let users = pilots.users(ofPilot: t)
        guard !users.isEmpty else { continue }
        for l in 0..<L where !users.contains(where: { masters[l, $0] }) {
            var best = users[0]
            for i in users.dropFirst() where gain[l + L * i] > gain[l + L * best] { best = i }
            if gain[l + L * best] - gain[pilots.masterAPs[best] + L * best] >= thresholdDB { D[l, best] = true }
        }
    }
    return D
}
