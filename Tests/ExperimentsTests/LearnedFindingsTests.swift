import Testing
@testable import Experiments

/// The verdicts of the linear-attention figures, on curves whose answers are known.
struct LearnedFindingsTests {
    func curves(_ points: [(String, Int, Double)]) -> CurvesOverK {
        var c = CurvesOverK()
        for (name, K, v) in points { c.add(name, K: K, [v]) }
        return c
    }

    /// A lead within the seeds' spread is a tie; the expected series must be best or tied everywhere.
    @Test func aLeadWithinTheSpreadIsATie() {
        var points: [(String, Int, Double)] = []
        for dir in ["ul", "dl"] {
            // K = 10: elu 2.0 in [1.9, 2.1] vs relu 1.95 in [1.9, 2.0]: a tie. K = 20: elu 1.0 in [0.99, 1.01] vs relu 0.8: elu.
            points += [("elu_\(dir)", 10, 2.0), ("elu_\(dir)_min", 10, 1.9), ("elu_\(dir)_max", 10, 2.1),
                       ("relu_\(dir)", 10, 1.95), ("relu_\(dir)_min", 10, 1.9), ("relu_\(dir)_max", 10, 2.0),
                       ("elu_\(dir)", 20, 1.0), ("elu_\(dir)_min", 20, 0.99), ("elu_\(dir)_max", 20, 1.01),
                       ("relu_\(dir)", 20, dir == "ul" ? 0.8 : 1.2), ("relu_\(dir)_min", 20, dir == "ul" ? 0.79 : 1.1),
                       ("relu_\(dir)_max", 20, dir == "ul" ? 0.81 : 1.3)]
        }
        let series = ["elu_ul", "relu_ul", "elu_dl", "relu_dl"]
        let finding = bestSeriesFinding(curves(points), series: series, seeds: 3, expected: "elu")
        #expect(finding.contains("UL best by mean over 3 seeds: K = 10: elu 2 (tie with relu); K = 20: elu 1"))
        #expect(finding.contains("K = 20: relu 1.2"))
        #expect(finding.hasSuffix("elu best or tied at every K, UL and DL: differs from the paper (elu best at every K)"))
        // Without the DL loss at K = 20 ELU is best or tied everywhere.
        let agreeing = points.map { $0.0.hasPrefix("relu_dl") && $0.1 == 20 ? ($0.0, 20, $0.2 - 0.5) : $0 }
        #expect(bestSeriesFinding(curves(agreeing), series: series, seeds: 3, expected: "elu").hasSuffix("agrees with the paper"))
    }

    /// (SE(0) − SE(σ))/SE(0) against 10 % at every K.
    @Test func robustnessComparesTheLargestErrorWithNone() {
        let c = curves([("sigma_=_0_m_ul", 20, 2.0), ("sigma_=_5_m_ul", 20, 1.9), ("sigma_=_0_m_ul", 40, 1.0), ("sigma_=_5_m_ul", 40, 0.8),
                        ("sigma_=_0_m_dl", 20, 2.0), ("sigma_=_5_m_dl", 20, 1.96), ("sigma_=_0_m_dl", 40, 1.0), ("sigma_=_5_m_dl", 40, 0.95)])
        let finding = robustnessFinding(c, sigmas: [0, 1, 5])
        #expect(finding.contains("UL SE lost at σ = 5 m vs 0 m: 5 % (K = 20), 20 % (K = 40) (≤ 10 % at every K: fails)"))
        #expect(finding.contains("DL SE lost at σ = 5 m vs 0 m: 2 % (K = 20), 5 % (K = 40) (≤ 10 % at every K: holds)"))
    }

    /// Fig. 5: the ratios to the distance-ranked baseline and to the optimum, and the two orderings.
    @Test func seVsKRatiosAndOrderings() {
        var points: [(String, Int, Double)] = []
        for dir in ["ul", "dl"] {
            points += [("Optimal_CF_\(dir)", 20, 2.5), ("Optimal_CF_\(dir)", 100, 0.4),
                       ("DCC_\(dir)", 20, 2.0), ("DCC_\(dir)", 100, 0.3),
                       ("distance-ranked_UC_(τp_cap)_\(dir)", 20, 2.1), ("distance-ranked_UC_(τp_cap)_\(dir)", 100, 0.2),
                       ("Optimal_UC-CF_\(dir)", 20, 2.2), ("Optimal_UC-CF_\(dir)", 100, 0.18),
                       ("Predicted_UC-CF_\(dir)", 20, 2.0), ("Predicted_UC-CF_\(dir)", 100, 0.09),
                       ("Positions-only_closed_form_UC-CF_\(dir)", 20, 1.1), ("Positions-only_closed_form_UC-CF_\(dir)", 100, 0.06),
                       ("Re-drawn_closed_form_UC-CF_\(dir)", 20, 2.2), ("Re-drawn_closed_form_UC-CF_\(dir)", 100, 0.144),
                       ("max-min-refined_UC_(τp_cap)_\(dir)", 20, 2.54), ("max-min-refined_UC_(τp_cap)_\(dir)", 100, 0.25),
                       ("positions-refined_UC_(τp_cap)_\(dir)", 20, 2.2), ("positions-refined_UC_(τp_cap)_\(dir)", 100, 0.24)]
        }
        let finding = seVsKFinding(curves(points))
        #expect(finding.contains("UL: Optimal UC-CF / distance-ranked UC 1.05 (K = 20), 0.9 (K = 100) (≥ 0.95 at every K: fails)"))
        #expect(finding.contains("Predicted / Optimal UC-CF 0.909 (K = 20), 0.5 (K = 100) (paper: closely tracks; ≥ 0.85 at every K: fails)"))
        #expect(finding.contains("Optimal UC-CF beats Optimal CF by more than 2 % at no K (paper: beyond some K; differs)"))
        // 2.54 against CF's 2.5 is within the 2 % Monte Carlo tolerance: a tie, not a win.
        #expect(finding.contains("max-min-refined UC (knows β) / Optimal CF 1.02 (K = 20), 0.625 (K = 100): the best clusters under the τ_p cap found here beat CF by more than 2 % at no K"))
        #expect(finding.contains("Optimal UC-CF / positions-refined UC (the best clusters found from the positions alone) 1 (K = 20), 0.75 (K = 100)"))
        #expect(finding.contains("positions-only closed form (exact path loss at the seen positions, no shadowing) / Optimal UC-CF 0.5 (K = 20), 0.333 (K = 100)"))
        #expect(finding.contains("closed form of independent Monte Carlo draws (the evaluation's noise floor) / Optimal UC-CF 1 (K = 20), 0.8 (K = 100)"))
        // DCC (0.3) is above the UC clusters (0.2, 0.18) at K = 100; power rules on the same clusters
        // (predicted, positions-only, re-drawn, at 0.09, 0.06 and 0.144) are not schemes DCC must beat.
        #expect(finding.contains("DCC not the lowest at K = 100 (paper: lowest throughout; differs)"))
    }
}
