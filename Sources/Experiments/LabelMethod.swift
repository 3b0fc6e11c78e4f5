import CellFree
import H5
import Pipeline

/// How UatF terms are obtained (`method`, `realizations`), shared by `baselines`, `evaluate` and `ablate`.
/// The default is the papers' centralized MMSE by Monte Carlo; `statistics` (MR combining with its exact
/// closed-form statistics) is a cheaper approximation whose SEs sit 5–8× lower.
let labelMethodSpecs: [ParameterSpec] = [
    ParameterSpec("method", .string, default: .string("monte-carlo"),
                  "UatF terms: centralized MMSE by Monte Carlo (the papers'), or MR closed-form statistics (cheaper, far lower SEs)",
                  choices: ["monte-carlo", "statistics"]),
    ParameterSpec("realizations", .int, default: .int(100), "channel realizations per drop (monte-carlo)"),
]

/// The label method a stage's `method` and `realizations` select.
func labelMethod(_ context: StageContext) throws -> LabelMethod {
    try context.params.string("method") == "statistics" ? .statisticsOnly : .monteCarlo(realizations: try context.params.int("realizations"))
}

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
