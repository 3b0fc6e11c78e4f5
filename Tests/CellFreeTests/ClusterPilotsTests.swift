import CellFree
import Linalg
import Testing

/// The cluster-aware pilot assignment: a proper τ_p-colouring of the "shares an AP" graph whenever one
/// exists, and the least conflicts otherwise.
struct ClusterPilotsTests {
    /// β [dB] with every UE strongest at AP k mod L (so masters are well defined), L×K.
    static func gains(L: Int, K: Int) -> [Double] {
        (0..<(L * K)).map { j in let (l, k) = (j % L, j / L); return l == k % L ? -60 : -80 - Double((l + 3 * k) % 7) }
    }

    static func mask(L: Int, K: Int, _ links: [(Int, [Int])]) -> ClusterMatrix {
        var D = ClusterMatrix(L: L, K: K)
        for (l, ues) in links { for k in ues { D[l, k] = true } }
        return D
    }

    /// Six UEs on a ring of APs (AP l serves UEs l and l+1 mod 6) plus chords: an even cycle with two
    /// triangles, 3-colourable, on which first-fit in index order with Algorithm 4.1's least-interference
    /// pilot would not be guided. The search must find a proper colouring with τ_p = 3.
    @Test func findsAProperColouringWhenOneExists() {
        let (L, K) = (8, 6)
        let D = Self.mask(L: L, K: K, [(0, [0, 1]), (1, [1, 2]), (2, [2, 3]), (3, [3, 4]), (4, [4, 5]), (5, [5, 0]),
                                        (6, [0, 2, 4]), (7, [1, 3])])
        let result = clusterAwarePilots(clusters: D, gainOverNoiseDB: Self.gains(L: L, K: K), tau_p: 3)
        #expect(result.conflicts == 0)
        for l in 0..<L {
            let pilots = D.servedUEs(l).map { result.assignment.pilotIndex[$0] }
            #expect(Set(pilots).count == pilots.count, "AP \(l) combines two co-pilot UEs: \(pilots)")
        }
        #expect(result.assignment.pilotIndex.allSatisfy { (0..<3).contains($0) } && result.assignment.tau_p == 3)
        #expect(result.assignment.masterAPs == (0..<K).map { $0 % L })
    }

    /// A pilot-constrained mask (each AP at most τ_p UEs) of a real drop, K = 40, τ_p = 10: the reported
    /// conflicts are the co-pilot pairs sharing an AP, and fewer than Algorithm 4.1's pilots leave.
    @Test func pilotConstrainedMaskOfADrop() throws {
        let params = NetworkParameters.papers(L: 16, K: 40)
        var rng = RandomStream(seed: 3, name: "cluster-pilots")
        let s = try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
        let D = try pilotConstrainedClusters(scores: s.gainOverNoiseDB.map(dbToLinear), gainOverNoiseDB: s.gainOverNoiseDB,
                                             L: 16, K: 40, tau_p: 10, threshold: 0)
        let result = clusterAwarePilots(clusters: D, gainOverNoiseDB: s.gainOverNoiseDB, tau_p: 10)
        var counted = 0
        for i in 0..<40 {
            for k in (i + 1)..<40 where result.assignment.pilotIndex[i] == result.assignment.pilotIndex[k] {
                if (0..<16).contains(where: { D[$0, i] && D[$0, k] }) { counted += 1 }
            }
        }
        #expect(counted == result.conflicts)
        let book = s.params.pilotModel == .orthogonal
            ? assignPilots(gainOverNoiseDB: s.gainOverNoiseDB, L: 16, K: 40, tau_p: 10) : s.pilots
        let bookConflicts = (0..<40).reduce(0) { n, i in
            n + ((i + 1)..<40).filter { k in
                book.pilotIndex[i] == book.pilotIndex[k] && (0..<16).contains { D[$0, i] && D[$0, k] }
            }.count
        }
        #expect(result.conflicts < bookConflicts, "\(result.conflicts) vs Algorithm 4.1's \(bookConflicts)")
    }

    /// Four UEs all served by one AP cannot get distinct pilots out of three: exactly one conflict remains.
    @Test func reportsTheConflictsThatRemain() {
        let D = Self.mask(L: 2, K: 4, [(0, [0, 1, 2, 3]), (1, [0])])
        let result = clusterAwarePilots(clusters: D, gainOverNoiseDB: Self.gains(L: 2, K: 4), tau_p: 3)
        #expect(result.conflicts == 1)
    }

    /// Labels accept the assignment under reused pilots, and contamination lowers the CF max-min SE.
    @Test func reusedPilotsLowerTheMaxMinSE() throws {
        var params = NetworkParameters.papers(L: 9, K: 12)
        params.N = 2; params.tau_p = 4
        var rng = RandomStream(seed: 5, name: "cluster-pilots-labels")
        let draws = SetupDraws.draw(params, using: &rng)
        let orthogonal = try NetworkSetup(params, draws: draws)
        params.pilotModel = .book
        let reuse = try NetworkSetup(params, draws: draws)
        var a = RandomStream(seed: 1, name: "l"), b = a
        let clean = try powerLabels(orthogonal, clusters: .full(L: 9, K: 12), method: .monteCarlo(realizations: 200), using: &a)
        let contaminated = try powerLabels(reuse, clusters: .full(L: 9, K: 12), method: .monteCarlo(realizations: 200), using: &b)
        #expect(contaminated.minimumUplinkSE < clean.minimumUplinkSE)
        #expect(throws: CellFreeError.self) {
            try powerLabels(reuse, clusters: .full(L: 9, K: 12), method: .statisticsOnly, pilots: orthogonal.pilots, using: &a)
        }
    }
}
