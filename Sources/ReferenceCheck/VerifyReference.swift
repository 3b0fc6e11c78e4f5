import CellFree
import H5
import Linalg

/// The outcome of checking one reference file.
public struct ReferenceReport: Sendable {
    public let file: String
    public let checks: [VariableCheck]
    public var passed: Bool { checks.allSatisfy(\.passed) }
}

/// Tolerances of issue 3: 1e-9 relative, R 1e-11.
let correlationTolerance = 1e-11

/// Recomputes every output variable a reference-simulator file holds from its stored inputs and
/// compares (reference-physics.md; layout of golden/reference-simulator/README.md).
public func verifyReferenceFile(_ path: String, progress: (String) -> Void = { _ in }) throws -> ReferenceReport {
    let file: OctaveFile
    let names: Set<String>
    do {
        file = try OctaveFile(path)
        names = Set(try file.variableNames())
    } catch {
        throw ReferenceFileError.unreadable(file: path, detail: "\(error)")
    }
    let inputs = try ReferenceInputs(file, names: names)
    var check = Checker(file: file, names: names)
    let params = inputs.params
    let (L, K) = (params.L, params.K)

    progress("setup: L = \(L), N = \(params.N), K = \(K), τ_p = \(params.tau_p)")
    let setup = try NetworkSetup(params, draws: inputs.setupDraws)
    let g = setup.geometry
    try check.compare("distances", g.distances)
    try check.compare("wrapIndex", indices: g.wrapIndex)
    try check.compare("angle_varphi", g.azimuth)
    try check.compare("angle_theta", g.elevation)
    try check.compare("shadowCorrMatrix", setup.shadowCorrelation)
    try check.compare("shadow_mean", setup.shadowing.mean)
    try check.compare("shadow_std", setup.shadowing.std)
    try check.compare("shadowing_dB", setup.shadowing.realization)
    try check.compare("gainOverNoisedB", setup.gainOverNoiseDB)
    try check.compare("R", setup.R.values, tolerance: correlationTolerance)
    try check.compare("masterAPs", indices: setup.pilots.masterAPs)
    try check.compare("pilotIndex", indices: setup.pilots.pilotIndex)
    func zeroOne(_ D: ClusterMatrix) -> [Double] { D.serves.map { $0 ? 1 : 0 } }
    try check.compare("D_master_only", zeroOne(setup.masterOnly))
    try check.compare("D_setup", zeroOne(setup.dcc))
    try check.compare("D_small", zeroOne(setup.smallCell))
    let expectedD = inputs.fullCooperation == true ? ClusterMatrix.full(L: L, K: K) : setup.dcc
    try check.compare("D", zeroOne(expectedD))
    let D = inputs.clustersOverride ?? setup.dcc

    if let draws = inputs.channelDraws {
        try channelChecks(&check, setup: setup, D: D, draws: draws, progress: progress)
    }
    return ReferenceReport(file: path, checks: check.checks)
}

/// Everything downstream of the channel draws: estimates, UL and DL SEs, expectations, power control.
func channelChecks(_ check: inout Checker, setup: NetworkSetup, D: ClusterMatrix, draws: ChannelDraws,
                   progress: (String) -> Void) throws {
    let params = setup.params
    let (K, p, prelog) = (params.K, params.p, params.preLogFactor)
    let full = [Double](repeating: p, count: K)
    progress("channels and MMSE estimates: \(draws.white.realizations) realizations")
    let e = try channelEstimates(R: setup.R, pilots: setup.pilots, p: p, draws: draws)
    try check.compare("H", e.H.referenceLayout())
    try check.compare("Hhat", e.Hhat.referenceLayout())
    try check.compare("B", e.B.values)
    try check.compare("C", e.C.values)

    // Centralized combiners (§8.1–8.2), reused by the UatF terms and the DL precoders (§9.1).
    progress("centralized combining")
    var central: [CentralizedScheme: CentralizedStatistics] = [:]
    (central[.mmse], central[.pMMSE]) = try mmseAndPartialMMSEStatistics(estimates: e, clusters: D, powers: full, p: p,
                                                                        preLogFactor: prelog)
    for scheme in [CentralizedScheme.pRZF, .mr] {
        central[scheme] = try centralizedStatistics(scheme, estimates: e, clusters: D, powers: full, p: p, preLogFactor: prelog)
    }
    let pmmse = central[.pMMSE]!
    try check.compare("UL_SE_MMSE", central[.mmse]!.uplinkSE)
    try check.compare("UL_SE_P_MMSE", pmmse.uplinkSE)
    try check.compare("UL_SE_P_RZF", central[.pRZF]!.uplinkSE)
    try check.compare("UL_SE_MR_cent", central[.mr]!.uplinkSE)
    try check.compare("UL_Gen_SE_P_MMSE", pmmse.uplinkGenieSE)
    try check.compare("UL_Gen_SE_P_RZF", central[.pRZF]!.uplinkGenieSE)
    let smallCell = try centralizedStatistics(.mmse, estimates: e, clusters: setup.smallCell, powers: full, p: p, preLogFactor: prelog)
    try check.compare("UL_SE_small_MMSE", smallCell.uplinkSE)
    try check.compare("UL_Gen_SE_small_MMSE", smallCell.uplinkGenieSE)
    let centralTerms = uatfTerms(pmmse)
    try check.compare("UL_SE_UatF_P_MMSE", spectralEfficiency(sinr: centralTerms.sinr(full), preLogFactor: prelog))

    // Distributed UL with and without LSFD (§8.3) and DL with the (6.36) allocation (§9.2).
    progress("distributed combining")
    let rhoDist = distributedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: params.rho_tot, upsilon: 0.5)
    try check.compare("DL_rho_dist", rhoDist)
    let ones = noLSFDWeights(clusters: D)
    let lmmse = try distributedStatistics(.lMMSE, estimates: e, clusters: D, powers: full)
    let aOpt = try lsfdWeights(lmmse, clusters: D, kind: .optimal, powers: full)
    try check.compare("UL_SE_opt_L_MMSE", distributedUplinkSE(lmmse, clusters: D, weights: aOpt, p: p, preLogFactor: prelog))
    try check.compare("UL_SE_L_MMSE", distributedUplinkSE(lmmse, clusters: D, weights: ones, p: p, preLogFactor: prelog))
    let lmmseDL = try distributedRealizationSE(.lMMSE, estimates: e, clusters: D, p: p, weights: nil, rho: rhoDist,
                                               normalization: lmmse.scaling, preLogFactor: prelog)
    try check.compare("DL_SE_L_MMSE", lmmseDL.downlink!)

    let lp = try distributedStatistics(.lpMMSE, estimates: e, clusters: D, powers: full)
    let aLP = try lsfdWeights(lp, clusters: D, kind: .nOptimal, powers: full)
    try check.compare("UL_SE_nopt_LP_MMSE", distributedUplinkSE(lp, clusters: D, weights: aLP, p: p, preLogFactor: prelog))
    try check.compare("UL_SE_LP_MMSE", distributedUplinkSE(lp, clusters: D, weights: ones, p: p, preLogFactor: prelog))
    let lpPass = try distributedRealizationSE(.lpMMSE, estimates: e, clusters: D, p: p, weights: aLP, rho: rhoDist,
                                              normalization: lp.scaling, preLogFactor: prelog)
    try check.compare("UL_Gen_SE_LP_MMSE", lpPass.uplinkGenie!)
    try check.compare("DL_SE_LP_MMSE", lpPass.downlink!)
    try check.compare("DL_Gen_SE_LP_MMSE", lpPass.downlinkGenie!)

    let mr = try mrClosedFormStatistics(R: setup.R, B: e.B, pilots: setup.pilots, clusters: D)
    let aMR = try lsfdWeights(mr, clusters: D, kind: .nOptimal, powers: full)
    try check.compare("UL_SE_nopt_MR", distributedUplinkSE(mr, clusters: D, weights: aMR, p: p, preLogFactor: prelog))
    try check.compare("UL_SE_MR_dist", distributedUplinkSE(mr, clusters: D, weights: ones, p: p, preLogFactor: prelog))
    try check.compare("DL_SE_MR", distributedDownlinkSE(mr, clusters: D, rho: rhoDist, preLogFactor: prelog))
    let mrPass = try distributedRealizationSE(.mr, estimates: e, clusters: D, p: p, weights: aMR, rho: rhoDist,
                                              normalization: mr.scaling, preLogFactor: prelog)
    try check.compare("UL_Gen_SE_MR_dist", mrPass.uplinkGenie!)
    try check.compare("DL_Gen_SE_MR", mrPass.downlinkGenie!)

    // Centralized DL with the internal (7.43) allocation, υ = −0.5, κ = 0.5 (§9.1).
    progress("centralized downlink")
    for (scheme, suffix) in [(CentralizedScheme.mmse, "MMSE"), (.pMMSE, "P_MMSE"), (.pRZF, "P_RZF")] {
        let stats = central[scheme]!
        let terms = downlinkTerms(stats)
        let rho = centralizedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: params.rho_tot,
                                             portion: terms.portion, upsilon: -0.5, kappa: 0.5)
        if scheme == .pMMSE { try check.compare("DL_rho_cent_PMMSE_internal", rho) }
        try check.compare("DL_SE_" + suffix, spectralEfficiency(sinr: terms.sinr(rho), preLogFactor: prelog))
        if scheme != .mmse { try check.compare("DL_Gen_SE_" + suffix, downlinkGenieSE(stats, rho: rho, preLogFactor: prelog)) }
    }

    try expectationChecks(&check, setup: setup, D: D, e: e, central: central, lp: lp)
}

/// `functionComputeExpectations` outputs and the Ch. 7 power control (scripts section7_figure1–3).
func expectationChecks(_ check: inout Checker, setup: NetworkSetup, D: ClusterMatrix, e: ChannelEstimates,
                       central: [CentralizedScheme: CentralizedStatistics], lp fullPowerLP: DistributedStatistics) throws {
    let params = setup.params
    let (L, K, p, prelog) = (params.L, params.K, params.p, params.preLogFactor)
    let full = [Double](repeating: p, count: K)
    if check.wants("EXP_") {
        let powers = check.names.contains("EXP_p") ? try check.file.real("EXP_p").values : full
        try check.compare("EXP_p", full)
        var pm = central[.pMMSE]!, pr = central[.pRZF]!, lp = fullPowerLP
        if powers != full {
            pm = try centralizedStatistics(.pMMSE, estimates: e, clusters: D, powers: powers, p: p, preLogFactor: prelog)
            pr = try centralizedStatistics(.pRZF, estimates: e, clusters: D, powers: powers, p: p, preLogFactor: prelog)
            lp = try distributedStatistics(.lpMMSE, estimates: e, clusters: D, powers: powers)
        }
        for (stats, suffix) in [(pm, "P_MMSE"), (pr, "P_RZF")] {
            try check.compare("EXP_signal_" + suffix, stats.signal)
            try check.compare("EXP_signal2_" + suffix, stats.signal2)
            try check.compare("EXP_scaling_" + suffix, stats.scaling)
        }
        // signal_LP_MMSE(i,k,l) = E[h_ilᴴ v_kl] = conj(E[v_klᴴ h_il]).
        var signal = [Complex<Double>](repeating: .zero, count: K * K * L), signal2 = [Double](repeating: 0, count: K * K * L)
        for l in 0..<L { for k in 0..<K { for i in 0..<K {
            signal[i + K * (k + K * l)] = lp.mean[k + K * (i + K * l)].conjugate
            signal2[i + K * (k + K * l)] = lp.meanSquare[k + K * (i + K * l)]
        } } }
        try check.compare("EXP_signal_LP_MMSE", signal)
        try check.compare("EXP_signal2_LP_MMSE", signal2)
        try check.compare("EXP_scaling_LP_MMSE", lp.scaling)
    }

    if check.wants("ULPC_") {
        let fractional = fractionalPowerControl(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, pMax: p, upsilon: 0.5)
        let fractional2 = fractionalPowerControl(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, pMax: p, upsilon: -0.5)
        try check.compare("ULPC_p_full", full)
        try check.compare("ULPC_p_fractional", fractional)
        try check.compare("ULPC_p_fractional2", fractional2)
        let cent = uatfTerms(central[.pMMSE]!)
        let a = try lsfdWeights(fullPowerLP, clusters: D, kind: .nOptimal, powers: full)
        let dist = distributedUatFTerms(fullPowerLP, clusters: D, weights: a)
        try check.compare("ULPC_a_LSFD_full", a)
        for (terms, tag) in [(cent, "cent"), (dist, "dist")] {
            try check.compare("ULPC_bk_" + tag, terms.b)
            try check.compare("ULPC_ck_" + tag, terms.c)
            try check.compare("ULPC_sigma2_" + tag, terms.sigma2)
        }
        // SE for each power vector with combiners and LSFD redesigned for those powers (script section7_figure1a_1b).
        for (powers, suffix) in [(full, "full"), (fractional, "frac"), (fractional2, "frac2")] {
            let (c, d) = powers == full ? (cent, dist) : try uplinkTerms(e: e, D: D, powers: powers, p: p, prelog: prelog)
            try check.compare("ULPC_SE_PMMSE_" + suffix, spectralEfficiency(sinr: c.sinr(powers), preLogFactor: prelog))
            try check.compare("ULPC_SE_nopt_LPMMSE_" + suffix, spectralEfficiency(sinr: d.sinr(powers), preLogFactor: prelog))
        }
        for (terms, tag) in [(cent, "PMMSE"), (dist, "nopt_LPMMSE")] {
            let maxmin = uplinkMaxMin(terms, pMax: p)
            try check.compare("ULPC_SE_\(tag)_maxmin", spectralEfficiency(sinr: maxmin.sinr, preLogFactor: prelog))
            try check.compare("ULPC_eta_\(tag)_maxmin", maxmin.powers)
            try check.compare("ULPC_SINR_\(tag)_maxmin", maxmin.sinr)
            try check.compare("ULPC_iter_\(tag)_maxmin", [Double(maxmin.iterations)], tolerance: 0)
            let initName = "ULPC_eta_init_\(tag)_sumSE"
            if check.names.contains(initName) {
                let initial = try check.file.real(initName).values
                guard initial.count == K else {
                    throw ReferenceFileError.invalid(file: check.file.path, variable: initName, detail: "expected K = \(K) entries")
                }
                let sum = uplinkSumSE(terms, pMax: p, initial: initial, preLogFactor: prelog)
                try check.compare("ULPC_SE_\(tag)_sumSE", sum.spectralEfficiency)
                try check.compare("ULPC_eta_\(tag)_sumSE", sum.powers)
                try check.compare("ULPC_eta_prev_\(tag)_sumSE", sum.previousPowers)
                try check.compare("ULPC_iter_\(tag)_sumSE", [Double(sum.iterations)], tolerance: 0)
            }
        }
    }

    if check.wants("DLPC_") {
        let terms = downlinkTerms(central[.pMMSE]!)
        try check.compare("DLPC_bk_PMMSE", terms.b)
        try check.compare("DLPC_ck_PMMSE", terms.c)
        try check.compare("DLPC_sigma2_PMMSE", terms.sigma2)
        try check.compare("DLPC_portionScaling_PMMSE", terms.portion)
        let equal = [Double](repeating: params.rho_tot / Double(params.tau_p), count: K)
        try check.compare("DLPC_rho_equal", equal)
        try check.compare("DLPC_SE_PMMSE_equal", spectralEfficiency(sinr: terms.sinr(equal), preLogFactor: prelog))
        for (tag, υ, κ) in [("1a", 0.5, 1.0), ("1b", -0.5, 1.0), ("2a", 0.5, 0.5), ("2b", -0.5, 0.5), ("2c", -0.5, 0.0)] {
            let rho = centralizedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: params.rho_tot,
                                                 portion: terms.portion, upsilon: υ, kappa: κ)
            try check.compare("DLPC_rho_" + tag, rho)
            try check.compare("DLPC_SE_PMMSE_" + tag, spectralEfficiency(sinr: terms.sinr(rho), preLogFactor: prelog))
        }
        let maxmin = downlinkMaxMin(terms, rhoMax: params.rho_tot)
        try check.compare("DLPC_SE_PMMSE_maxmin", spectralEfficiency(sinr: maxmin.sinr, preLogFactor: prelog))
        try check.compare("DLPC_rho_PMMSE_maxmin", maxmin.powers)
        try check.compare("DLPC_SINR_PMMSE_maxmin", maxmin.sinr)
        try check.compare("DLPC_iter_PMMSE_maxmin", [Double(maxmin.iterations)], tolerance: 0)
        try check.compare("DLPC_APpower_PMMSE_maxmin", terms.apPowers(maxmin.powers))
    }

    if check.wants("DLPCd_") {
        let terms = distributedDownlinkTerms(fullPowerLP, clusters: D)
        var bk = [Double](repeating: 0, count: L * K)
        var Ck = [Double](repeating: 0, count: L * L * K * K)
        for k in 0..<K {
            for (x, v) in terms.b[k].enumerated() { bk[x + L * k] = v }
            for i in 0..<K {
                let m = terms.C[k][i]
                for y in 0..<m.columns { for x in 0..<m.rows { Ck[x + L * (y + L * (k + K * i))] = m[x, y] } }
            }
        }
        try check.compare("DLPCd_bk", bk)
        try check.compare("DLPCd_Ck", Ck)
        let equal = [Double](repeating: params.rho_tot / Double(params.tau_p), count: L * K)
        let frac = distributedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: params.rho_tot, upsilon: 0.5)
        let frac2 = distributedPowerAllocation(gainOverNoiseDB: setup.gainOverNoiseDB, clusters: D, rhoTot: params.rho_tot, upsilon: -0.5)
        try check.compare("DLPCd_rho_equal", equal)
        try check.compare("DLPCd_rho_frac", frac)
        try check.compare("DLPCd_rho_frac2", frac2)
        for (rho, tag) in [(equal, "equal"), (frac, "frac"), (frac2, "frac2")] {
            try check.compare("DLPCd_SE_LPMMSE_" + tag, spectralEfficiency(sinr: terms.sinr(rho: rho, clusters: D), preLogFactor: prelog))
        }
    }
}

/// Centralized P-MMSE and distributed n-opt LSFD + LP-MMSE UatF terms with combiners built for `powers`.
func uplinkTerms(e: ChannelEstimates, D: ClusterMatrix, powers: [Double], p: Double, prelog: Double) throws -> (UatFTerms, UatFTerms) {
    let cent = uatfTerms(try centralizedStatistics(.pMMSE, estimates: e, clusters: D, powers: powers, p: p, preLogFactor: prelog))
    let lp = try distributedStatistics(.lpMMSE, estimates: e, clusters: D, powers: powers)
    let a = try lsfdWeights(lp, clusters: D, kind: .nOptimal, powers: powers)
    return (cent, distributedUatFTerms(lp, clusters: D, weights: a))
}
