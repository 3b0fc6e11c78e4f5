import Linalg

/// How the UatF terms behind the labels are obtained.
public enum LabelMethod: Sendable, Equatable {
    /// Centralized combining restricted to D_k (MMSE by default, papers.md §2 (5)) built at full UL
    /// power, with the expectations averaged over `realizations` Monte Carlo draws. MMSE draws the
    /// estimates alone and conditions the moments on them (`drawEstimates`, `mmseCombinerMoments`);
    /// the other combiners draw channels and estimates (`channelEstimates`).
    case monteCarlo(realizations: Int, combiner: CentralizedScheme = .mmse)
    /// MR combining v_k = D_kĥ_k with the exact statistics of Corollary 5.6: no realizations drawn.
    case statisticsOnly
}

/// The DL precoders of the labels: the book's UL–DL duality w_k = D_kv_k/sqrt(E‖D_kv_k‖²), or the
/// linear-attention paper's w_k = D_kv_k/‖D_kv_k‖, unit-norm in every realization (its eqs. (7)–(8);
/// `unitNormDownlinkTerms`), which needs drawn channels.
public enum DownlinkPrecoder: String, Sendable, CaseIterable {
    case duality, unitNorm = "unit-norm"
}

/// The supervision targets of one layout and cluster matrix (papers.md §2 (8)–(9), §3): optimal
/// max-min UL powers, DL powers for both constraint variants, and the resulting SEs. The terms are
/// kept so that any other powers (e.g. a model's predictions) can be scored with `uplinkSE(_:)`.
public struct PowerLabels: Sendable {
    /// p^UL [mW], max_k p_k = P̄_UL (papers.md §3.2).
    public var uplinkPowers: [Double]
    /// ρ [mW] with Σ_k ρ_k = L·P̄_DL (total budget, Tree Eq. (9)).
    public var downlinkPowersTotal: [Double]
    /// ρ [mW] with max_l Σ_k ω_lk·ρ_k = P̄_DL (per-AP budgets).
    public var downlinkPowersPerAP: [Double]
    public var uplinkTerms: UatFTerms
    public var downlinkTerms: DownlinkTerms
    public var uplinkPreLogFactor: Double
    public var downlinkPreLogFactor: Double

    /// SE_k^UL = (τ_u/τ_c)·log2(1 + SINR_k) [bit/s/Hz] for any UL powers [mW].
    public func uplinkSE(_ powers: [Double]) -> [Double] {
        spectralEfficiency(sinr: uplinkTerms.sinr(powers), preLogFactor: uplinkPreLogFactor)
    }
    /// SE_k^DL = (τ_d/τ_c)·log2(1 + SINR_k) [bit/s/Hz] for any DL powers [mW].
    public func downlinkSE(_ rho: [Double]) -> [Double] {
        spectralEfficiency(sinr: downlinkTerms.sinr(rho), preLogFactor: downlinkPreLogFactor)
    }

    public var optimalUplinkSE: [Double] { uplinkSE(uplinkPowers) }
    public var optimalDownlinkSETotal: [Double] { downlinkSE(downlinkPowersTotal) }
    public var optimalDownlinkSEPerAP: [Double] { downlinkSE(downlinkPowersPerAP) }
    /// The max-min objective: min_k SE_k at the optimum [bit/s/Hz].
    public var minimumUplinkSE: Double { optimalUplinkSE.min()! }
    public var minimumDownlinkSETotal: Double { optimalDownlinkSETotal.min()! }
    public var minimumDownlinkSEPerAP: Double { optimalDownlinkSEPerAP.min()! }
    /// p_{k,l} = ρ_k·ω_lk [mW], L×K at l + L·k, of the per-AP solution.
    public var downlinkPerAPSplit: [Double] { downlinkTerms.perAPSplit(downlinkPowersPerAP) }
}

/// Labels for one layout and any cluster matrix (CF = `.full`, DCC, a predicted mask): UatF terms of
/// combiners fixed at full UL power P̄_UL (Miretti's convention, papers.md §2), then the closed-form
/// max-min powers of papers.md §3.2–3.3. The DL uses `precoder`: by default the UL–DL duality
/// precoders w_k = D_kv_k/sqrt(E‖D_kv_k‖²) (book normalization; papers.md §9.2). Monte Carlo draws come from
/// `rng`; every UE must be served by at least one AP. `pilots` replaces the setup's pilot assignment
/// (e.g. a cluster-aware one, `clusterAwarePilots`); its pilot count must match the setup's model.
public func powerLabels(_ setup: NetworkSetup, clusters D: ClusterMatrix, method: LabelMethod,
                        pilots: PilotAssignment? = nil, precoder: DownlinkPrecoder = .duality,
                        using rng: inout RandomStream, threads: Int = 1) throws -> PowerLabels {
    let params = setup.params, pilots = pilots ?? setup.pilots
    guard pilots.pilotIndex.count == params.K, pilots.tau_p == params.pilotSequences,
          pilots.pilotIndex.allSatisfy({ (0..<pilots.tau_p).contains($0) }) else {
        throw CellFreeError.shapeMismatch(what: "pilot assignment", expected: "K = \(params.K) pilots in 0..<\(params.pilotSequences)",
                                          got: "\(pilots.pilotIndex.count) pilots, τ_p = \(pilots.tau_p)")
    }
    let (L, K, p) = (params.L, params.K, params.p)
    guard D.L == L, D.K == K else {
        throw CellFreeError.shapeMismatch(what: "cluster matrix", expected: "L×K = \(L)×\(K)", got: "\(D.L)×\(D.K)")
    }
    if let k = (0..<K).first(where: { D.servingAPs($0).isEmpty }) {
        throw CellFreeError.invalidParameter(field: "clusters", value: "UE \(k) served by no AP", expected: "every UE served by at least one AP")
    }
    let full = [Double](repeating: p, count: K)
    let uplink: UatFTerms, downlink: DownlinkTerms
    switch method {
    case let .monteCarlo(realizations, combiner):
        guard realizations >= 1 else {
            throw CellFreeError.invalidParameter(field: "realizations", value: "\(realizations)", expected: "at least 1")
        }
        if combiner == .mmse && precoder == .duality {   // estimates alone, one system per serving set, moments conditioned on ĥ
            let e = try drawEstimates(R: setup.R, pilots: pilots, p: p, realizations: realizations, using: &rng, threads: threads)
            let moments = try mmseCombinerMoments(estimates: e.Hhat, errors: e.C, clusters: D, powers: full, threads: threads)
            uplink = uatfTerms(moments)
            downlink = downlinkTerms(dualOf: uplink, scaling: moments.scaling, L: L)
        } else {   // channels and estimates drawn: per-realization gains and norms
            let draws = ChannelDraws.draw(params, realizations: realizations, using: &rng)
            let e = try channelEstimates(R: setup.R, pilots: pilots, p: p, draws: draws, threads: threads)
            let stats = try centralizedStatistics(combiner, estimates: e, clusters: D, powers: full, p: p,
                                                  preLogFactor: params.uplinkPreLogFactor, threads: threads)
            uplink = uatfTerms(stats.moments)
            downlink = precoder == .unitNorm ? unitNormDownlinkTerms(stats) : downlinkTerms(dualOf: uplink, scaling: stats.scaling, L: L)
        }
    case .statisticsOnly:
        guard precoder == .duality else {
            throw CellFreeError.invalidParameter(field: "dl_precoder", value: precoder.rawValue,
                                                 expected: "duality with MR closed-form statistics (unit-norm precoders need Monte Carlo realizations)")
        }
        let (B, _) = try estimationCovariances(R: setup.R, pilots: pilots, p: p, threads: threads)
        let stats = try mrClosedFormStatistics(R: setup.R, B: B, pilots: pilots, clusters: D)
        uplink = distributedUatFTerms(stats, clusters: D, weights: noLSFDWeights(clusters: D))
        downlink = downlinkTerms(dualOf: uplink, scaling: stats.scaling, L: L)
    }
    return PowerLabels(
        uplinkPowers: try uplinkMaxMinClosedForm(uplink, pMax: p).powers,
        downlinkPowersTotal: try downlinkMaxMinClosedForm(downlink, budget: .total(Double(L) * params.rho_tot)).powers,
        downlinkPowersPerAP: try downlinkMaxMinClosedForm(downlink, budget: .perAP(params.rho_tot)).powers,
        uplinkTerms: uplink, downlinkTerms: downlink,
        uplinkPreLogFactor: params.uplinkPreLogFactor, downlinkPreLogFactor: params.downlinkPreLogFactor)
}
