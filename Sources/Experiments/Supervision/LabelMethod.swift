import CellFree
import H5
import Pipeline

/// Provenance attributes of a label result: how the UatF terms were obtained and under which pilot model.
func writeLabelProvenance(_ group: H5Group, method: LabelMethod, pilots: PilotModel) throws {
    let text: String
    switch method {
    case let .monteCarlo(realizations, combiner):
        text = "centralized \(combiner.rawValue) combining at full UL power, UatF terms by Monte Carlo over \(realizations) realizations"
    case .statisticsOnly:
        text = "MR combining, UatF terms from exact closed-form statistics (a cheaper approximation of the papers' MMSE)"
    }
    try group.setAttribute("label_method", text)
    try group.setAttribute("pilot_model", pilotModelDescription(pilots))
}

/// One sentence on a pilot model, for provenance and the report.
func pilotModelDescription(_ pilots: PilotModel) -> String {
    switch pilots {
    case .orthogonal:
        "orthogonal: every UE its own pilot with processing gain τ_p = 10 and no contamination (papers' Eq. (2)); not realizable for K > τ_p"
    case .book:
        "reuse: τ_p = 10 pilots shared by the K UEs (book Algorithm 4.1 for CF/DCC, cluster-aware colouring for masks), contaminated MMSE estimates"
    }
}
