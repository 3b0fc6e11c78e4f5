import Linalg

/// Joint max-min power control and AP clustering with uplink MRC and instantaneous CSI
/// (Jayawardane et al., papers.md §7). Channels are gains over the noise, so σ² = 1 by default.

/// The affine interference functions of every UE under each of its cluster options, (11)/(14):
/// I_k(p, D) = Σ_{i≠k} B_ki(D)·p_i + z_k(D), B_ki = |h_kᴴD h_i|² / ‖D h_k‖⁴, z_k = σ² / ‖D h_k‖².
public struct ClusterInterference: Sendable {
    public let K: Int
    /// Per UE: its options × K matrix of rows B_k(D) (B_kk = 0), and z_k(D) per option.
    public var rows: [Matrix<Double>]
    public var z: [[Double]]
    public let options: ClusterOptions

    /// I_k(p, D) for every option D of UE k.
    public func candidates(_ k: Int, _ p: [Double]) -> [Double] {
        var values = z[k]
        rows[k].multiplyAdd(.none, p, into: &values, beta: 1)
        return values
    }

    /// I_k(p) = min_{D ∈ 𝒟_k} I_k(p, D) (8).
    public func interference(_ k: Int, _ p: [Double]) -> Double { candidates(k, p).min()! }
}

/// Builds the interference functions of realization `n` of `H` for the cluster options:
/// per AP the norms ‖h_kl‖² and inner products h_klᴴh_il, summed over each option's APs.
public func clusterInterference(channels H: ChannelTensor, realization n: Int, options: ClusterOptions,
                                noise sigma2: Double = 1) throws -> ClusterInterference {
    let L = H.L, N = H.N, K = H.K
    guard options.L == L, options.K == K else {
        throw CellFreeError.shapeMismatch(what: "cluster options", expected: "L = \(L), K = \(K)", got: "L = \(options.L), K = \(options.K)")
    }
    guard n >= 0, n < H.realizations else {
        throw CellFreeError.invalidParameter(field: "realization", value: "\(n)", expected: "0..<\(H.realizations)")
    }
    // inner[l + L·(i + K·k)] = h_klᴴ h_il (so the norm ‖h_kl‖² is the i = k entry).
    var inner = [Complex<Double>](repeating: .zero, count: L * K * K)
    for k in 0..<K {
        for i in 0..<K {
            for l in 0..<L {
                var s = Complex<Double>.zero
                for a in 0..<N { s += H[l * N + a, k, n].conjugate * H[l * N + a, i, n] }
                inner[l + L * (i + K * k)] = s
            }
        }
    }
    var rows: [Matrix<Double>] = [], z: [[Double]] = []
    for k in 0..<K {
        var B = Matrix<Double>(rows: options.options[k].count, columns: K)
        var zk: [Double] = []
        for (o, aps) in options.options[k].enumerated() {
            let gain = aps.reduce(0.0) { $0 + inner[$1 + L * (k + K * k)].real }   // ‖D h_k‖²
            guard gain > 0, gain.isFinite else {
                throw CellFreeError.numerical(what: "cluster option \(aps) of UE \(k)", detail: "‖D h_k‖² = \(gain): MRC has no signal")
            }
            zk.append(sigma2 / gain)
            for i in 0..<K where i != k {
                let cross = aps.reduce(Complex<Double>.zero) { $0 + inner[$1 + L * (i + K * k)] }   // h_kᴴ D h_i
                B[o, i] = cross.lengthSquared / (gain * gain)
            }
        }
        rows.append(B)
        z.append(zk)
    }
    return ClusterInterference(K: K, rows: rows, z: z, options: options)
}

/// The outcome of a joint max-min power and cluster optimization.
public struct JointMaxMinResult: Sendable, Equatable {
    /// p* [mW], with max_k p_k = p̄.
    public var powers: [Double]
    /// Index of each UE's chosen option in `ClusterOptions.options[k]`.
    public var choice: [Int]
    /// t*, the max-min SINR (linear); every UE reaches it.
    public var sinr: Double
    public var iterations: Int
    /// False when the iteration limit stopped the algorithm before its stopping rule.
    public var converged = true
}

/// Algorithm 1 (papers.md §7.3): from p = p̄·1, I_k(p) = min_{D ∈ 𝒟_k} I_k(p, D) (8), then the
/// normalized update p ← p̄·I(p)/‖I(p)‖_∞ (10), until ‖Δp‖₂/‖p‖₂ ≤ `tolerance`.
/// t* = min_k p_k/I_k(p) at the final p.
public func jointMaxMinFixedPoint(_ f: ClusterInterference, pMax: Double, tolerance: Double = 1e-12,
                                  maxIterations: Int = 1_000_000) -> JointMaxMinResult {
    let K = f.K
    var p = [Double](repeating: pMax, count: K)
    var choice = [Int](repeating: 0, count: K)
    // I(p) (8) and the minimizing option of every UE.
    func interference(_ p: [Double]) -> [Double] {
        (0..<K).map { k in
            let values = f.candidates(k, p)
            choice[k] = values.indices.min { values[$0] < values[$1] }!
            return values[choice[k]]
        }
    }
    var I = interference(p)
    var iterations = 0, converged = false
    while iterations < maxIterations {
        iterations += 1
        let top = I.max()!
        let next = I.map { pMax * $0 / top }
        var change = 0.0, size = 0.0
        for k in 0..<K { change += (next[k] - p[k]) * (next[k] - p[k]); size += p[k] * p[k] }
        p = next
        I = interference(p)
        if change.squareRoot() <= tolerance * size.squareRoot() { converged = true; break }
    }
    let sinr = (0..<K).map { p[$0] / I[$0] }.min()!
    return JointMaxMinResult(powers: p, choice: choice, sinr: sinr, iterations: iterations, converged: converged)
}

/// For fixed clusters D: λ(D) = max_j ρ(Λ_j(D)), Λ_j = B(D) + z(D)·e_jᵀ/p̄ (19), with its Perron vector.
func perronSolution(_ f: ClusterInterference, choice: [Int], pMax: Double) throws -> MaxMinSolution {
    let K = f.K
    let B = Matrix<Double>(rows: K, columns: K) { k, i in f.rows[k][choice[k], i] }
    let caps = (0..<K).map { j in (0..<K).map { $0 == j ? 1 / pMax : 0 } }
    return try maxMinPerronRoots(M: B, u: (0..<K).map { f.z[$0][choice[$0]] }, constraints: caps)
}

/// The spectral-radius characterization, Proposition 3 (16)–(18): t* = 1 / min_D max_j ρ(Λ_j(D)),
/// computed without the fixed point by policy iteration over the cluster choice: solve the fixed-cluster
/// problem by its Perron roots, let every UE switch to the option minimizing I_k(p(D), ·), repeat
/// until no UE improves. λ(D) decreases strictly at every switch, so it ends at min_D λ(D).
public func jointMaxMinSpectral(_ f: ClusterInterference, pMax: Double) throws -> JointMaxMinResult {
    let K = f.K
    var choice = [Int](repeating: 0, count: K)
    let limit = 10_000
    for iterations in 1...limit {
        let solution = try perronSolution(f, choice: choice, pMax: pMax)
        var switched = false
        for k in 0..<K {
            let values = f.candidates(k, solution.powers)
            let best = values.indices.min { values[$0] < values[$1] }!
            if values[best] < values[choice[k]] * (1 - 1e-12) { choice[k] = best; switched = true }
        }
        if !switched {
            return JointMaxMinResult(powers: solution.powers, choice: choice, sinr: solution.sinr, iterations: iterations)
        }
    }
    throw CellFreeError.numerical(what: "spectral-radius characterization", detail: "no fixed cluster choice after \(limit) policy switches")
}

/// min_D max_j ρ(Λ_j(D)) by enumerating every combination of options (∏_k |𝒟_k| Perron problems):
/// the ground truth on tiny networks. Throws beyond `limit` combinations.
public func jointMaxMinBruteForce(_ f: ClusterInterference, pMax: Double, limit: Int = 1_000_000) throws -> JointMaxMinResult {
    let counts = f.options.options.map(\.count)
    let total = counts.reduce(1.0) { $0 * Double($1) }
    guard total <= Double(limit) else {
        throw CellFreeError.invalidParameter(field: "cluster options", value: "\(total) combinations", expected: "at most \(limit) for brute force")
    }
    var choice = [Int](repeating: 0, count: f.K)
    var best: JointMaxMinResult?
    var visited = 0
    while true {
        visited += 1
        let solution = try perronSolution(f, choice: choice, pMax: pMax)
        if best == nil || solution.sinr > best!.sinr {
            best = JointMaxMinResult(powers: solution.powers, choice: choice, sinr: solution.sinr, iterations: visited)
        }
        // Next combination, UE 0 fastest.
        var k = 0
        while k < f.K {
            choice[k] += 1
            if choice[k] < counts[k] { break }
            choice[k] = 0
            k += 1
        }
        if k == f.K { break }
    }
    best!.iterations = visited
    return best!
}
