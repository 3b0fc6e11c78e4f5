import CellFree
import Foundation
import H5
import Learning
import Pipeline

// Parameter groups that several stage kinds share, declared once (each kind flattens them into its
// list with `@ParameterGroup`, at its own defaults where it needs others).

extension APLayout: ParameterValue, Decodable {}

/// The spatial correlation R_lk of every AP–UE channel (papers.md §9.3: the papers' model is NOT FOUND).
enum SpatialCorrelation: String, CaseIterable, ParameterValue, Decodable {
    /// The book's local scattering, 15° ASD in azimuth and elevation (reference (2.18)).
    case localScattering = "local-scattering"
    /// Uncorrelated Rayleigh fading R_lk = β_lk I_N (Miretti's code).
    case iid
}

/// K, L, side, AP layout, shadowing and spatial correlation of the papers' model (papers.md §4), for the stages that build it.
struct NetworkParameterSet: StageParameterSet {
    @Parameter("K", "UEs per drop", range: .atLeast(1)) var K = 10
    @Parameter("L", "APs (a square number for the grid layout)", range: .atLeast(1)) var L = 16
    @Parameter("side", "side of the square area", unit: "m", range: .positive) var side = 500.0
    @Parameter("ap_layout", "AP positions") var apLayout = APLayout.grid
    @Parameter("shadowing_db", "shadow fading std (the papers' 4 dB; 0 makes β a function of the positions alone)", unit: "dB",
               range: .atLeast(0))
    var shadowingDB = 4.0
    @Parameter("correlation", "spatial correlation R_lk: the book's local scattering (15° ASD) or i.i.d. Rayleigh (Miretti's code)")
    var correlation = SpatialCorrelation.localScattering

    /// The papers' model with these K, L, side, AP layout, shadowing and correlation; an invalid combination names stage `id`.
    func network(id: String) throws -> NetworkParameters {
        var params = NetworkParameters.papers(L: L, K: K)
        params.areaSideMeters = side
        params.apLayout = apLayout
        params.shadowStdDB = shadowingDB
        if correlation == .iid { params.fading = .iid }
        do { try params.validate() } catch { throw PipelineError.stage(id: id, detail: "\(error)") }
        return params
    }
}

/// How UatF terms are obtained, shared by `baselines`, `evaluate` and `ablate`. The default is the
/// papers' centralized MMSE by Monte Carlo; `statistics` (MR combining with its exact closed-form
/// statistics) is a cheaper approximation whose SEs sit 5–8× lower.
struct LabelMethodParameters: StageParameterSet {
    enum Method: String, CaseIterable, ParameterValue, Decodable {
        case monteCarlo = "monte-carlo", statistics

        /// The physics' label method of this choice with `realizations` Monte Carlo draws.
        func labelMethod(realizations: Int) -> LabelMethod { self == .statistics ? .statisticsOnly : .monteCarlo(realizations: realizations) }
    }

    @Parameter("method", "UatF terms: centralized MMSE by Monte Carlo (the papers'), or MR closed-form statistics (cheaper, far lower SEs)")
    var method = Method.monteCarlo
    @Parameter("realizations", "channel realizations per drop (monte-carlo)", range: .atLeast(1)) var realizations = 100

    var labelMethod: LabelMethod { method.labelMethod(realizations: realizations) }
}

/// Whether a clustering model's evaluation also computes Fig. 5's two references on its clusters, the
/// positions-only closed form and the re-drawn optimum (`se_*_positions`, `se_*_redraw`): two of the
/// three closed forms per drop, so off for evaluations whose figures plot only the model's SEs.
struct EvaluationReferences: StageParameterSet {
    @Parameter("references", "a clustering model: also the positions-only closed form and the re-drawn optimum on its clusters (Fig. 5's references; two of the three closed forms per drop)")
    var enabled = true
}

/// The learning rate of each epoch.
enum LearningRateSchedule: String, CaseIterable, ParameterValue, Decodable {
    case constant
    /// Cosine annealing from lr to lr_min over the epochs (PyTorch's CosineAnnealingLR, T_max = epochs,
    /// stepped per epoch: the Tree paper's code).
    case cosine
}

/// Which weights a fit returns.
enum KeptWeights: String, CaseIterable, ParameterValue, Decodable {
    case last
    /// The epoch with the lowest validation loss (the Tree paper's code); the last without validation drops.
    case bestValidation = "best-validation"
}

/// The fitting loop of `train` and `ablate` (each starts epochs, batch, schedule and kept weights at its own defaults).
struct FitParameters: StageParameterSet {
    @Parameter("epochs", "training epochs", range: .atLeast(1)) var epochs = 20
    @Parameter("batch", "mini-batch size (drops)", range: .atLeast(1)) var batch = 128
    @Parameter("lr", "AdamW learning rate", range: .positive) var learningRate = 1e-3
    @Parameter("val_fraction", "share of each input's training drops held out for the validation loss", range: .between(0, 1))
    var validationFraction = 0.1
    @Parameter("d_ff", "feed-forward width; 0 = the model's (Tree Table I: 2048; ClusterPowerNet: 4d = 256)", range: .atLeast(0))
    var dFF = 0
    @Parameter("side", "area side, for position normalisation", unit: "m", range: .positive) var side = 500.0
    @Parameter("schedule", "learning rate per epoch: constant, or cosine annealing from lr to lr_min") var schedule = LearningRateSchedule.constant
    @Parameter("lr_min", "floor of the cosine schedule", range: .atLeast(0)) var learningRateFloor = 1e-6
    @Parameter("keep", "weights returned: the last epoch's, or those of the lowest validation loss") var keep = KeptWeights.last

    init() {}
    init(epochs: Int, batch: Int, schedule: LearningRateSchedule = .constant, keep: KeptWeights = .last) {
        self.init()
        _epochs = _epochs.withDefault(epochs)
        _batch = _batch.withDefault(batch)
        _schedule = _schedule.withDefault(schedule)
        _keep = _keep.withDefault(keep)
    }

    /// The learning rate of epoch `e` (0-based): lr, or lr_min + ½(lr − lr_min)(1 + cos(π·e/epochs)).
    func learningRate(epoch e: Int) -> Double {
        switch schedule {
        case .constant: learningRate
        case .cosine: learningRateFloor + 0.5 * (learningRate - learningRateFloor) * (1 + Double.cos(Double.pi * Double(e) / Double(epochs)))
        }
    }
}

extension ClusterPenalty: ParameterValue, Decodable {}
extension DownlinkPrecoder: ParameterValue, Decodable {}
extension ClusterPowerScale: ParameterValue, Decodable {}

/// The ClusterPowerNet settings shared by `train` and `ablate`.
struct ClusterNetParameters: StageParameterSet {
    @Parameter("mu", "ClusterPowerNet: clustering threshold μ of mask (16) (models.md §1.4)", range: .between(0, 1)) var mu = 0.5
    @Parameter("lambda", "ClusterPowerNet: weight λ of the clustering term of loss (30)", range: .atLeast(0)) var lambda = 0.1
    @Parameter("penalty", "ClusterPowerNet: clustering term of loss (30): per-link BCE against the gain-ranked clusters (ours), or against the max-min-refined (refined-target) or positions-refined (positions-refined-target) clusters of a baselines input on the training drops (ours), models.md's uniform coverage, or coverage weighted by each AP's share of the UE's gain")
    var penalty = ClusterPenalty.gainRankedTarget
    @Parameter("train_sigma", "ClusterPowerNet: std of the Gaussian error added to the UE positions of each training batch (fresh draws every step; papers.md §5.3); labels use the true positions",
               unit: "m", range: .atLeast(0))
    var trainSigma = 5.0
    @Parameter("supervision", "ClusterPowerNet: UatF terms of the training labels (dynamic supervision): centralized MMSE by Monte Carlo (the papers'), or MR closed-form statistics")
    var supervision = LabelMethodParameters.Method.monteCarlo
    @Parameter("power_scale", "ClusterPowerNet: scale of the normalised power outputs and labels: linear in watts (models.md (18)), log10 from 1 µW, or log10 fitted per drop relative to the mean over its UEs (UL: the strongest UE at P̄_UL), or that with a level head that scales each drop's outputs to its predicted mean log label, never above the budgets (log-relative-level)")
    var powerScale = ClusterPowerScale.linear
    @Parameter("sinr_weight", "ClusterPowerNet: weight γ of the max-min gap term (ours): the soft maximum over UEs of ln(t*/SINR_k) of the predicted UL and DL powers on the labels' UatF terms, t* the closed-form optimum's SINR; 0 leaves it out",
               range: .atLeast(0))
    var sinrWeight = 0.0
    @Parameter("fourier_harmonics", "ClusterPowerNet: harmonics H of the Fourier features each UE token also carries (ours): sin and cos of 2π·n·x/side and 2π·n·y/side, n = 1…H; 0: raw positions only (models.md)",
               range: .atLeast(0))
    var fourierHarmonics = 0
    @Parameter("quantile_weight", "ClusterPowerNet: weight w of the quantile term (ours): the power MSE between each drop's sorted predicted and sorted label powers, which asks for the labels' spread (LA Fig. 8) where least squares shrinks toward the mean; 0 leaves it out",
               range: .atLeast(0))
    var quantileWeight = 0.0
    @Parameter("supervision_realizations", "ClusterPowerNet: channel realizations per drop of the MMSE training labels (fixed per drop)", range: .atLeast(1))
    var supervisionRealizations = 50

    var supervisionMethod: LabelMethod { supervision.labelMethod(realizations: supervisionRealizations) }
}

/// The models `train` fits (and `bench models` times): the Tree-Transformer, the five ClusterPowerNet
/// attention variants by the golden files' names, and the Tree paper's three Table II baselines.
public enum ModelVariant: String, CaseIterable, ParameterValue, Decodable, Sendable {
    case tree
    case eluCosformer = "elu_cosformer", cosformerRelu = "cosformer_relu", transformerSoftmax = "transformer_softmax"
    case performer, longformer
    case tokenTransformer = "token_transformer", tokenCosformer = "token_cosformer", tokenPerformer = "token_performer"
    /// Ours (issue 18's power heads): ELU-CosFormer whose UE tokens also carry the log-distances to the APs.
    case eluCosformerDistances = "elu_cosformer_distances"

    /// The attention of a ClusterPowerNet variant; nil for the static-supervision models.
    public var attention: AttentionKind? { self == .eluCosformerDistances ? .cosFormer(.eluPlusOne) : AttentionKind(variant: rawValue) }
    /// Whether its UE tokens carry the log-distances to the APs (`ClusterPowerNetConfig.distanceFeatures`).
    public var distanceFeatures: Bool { self == .eluCosformerDistances }

    /// The configuration of a Table II baseline (papers.md §4.6); nil for the other models.
    public var tokenConfig: TokenPowerNetConfig? {
        switch self {
        case .tokenTransformer: .transformer
        case .tokenCosformer: .linear(.cosFormer(.relu))
        case .tokenPerformer: .linear(.performer(features: 256))
        default: nil
        }
    }

    /// How tables and benchmarks name it.
    public var displayName: String {
        switch self {
        case .tree: "Tree-Transformer"
        case .eluCosformer: "ELU-CosFormer"
        case .cosformerRelu: "CosFormer (ReLU)"
        case .transformerSoftmax: "Transformer (softmax)"
        case .performer: "Performer (m=256)"
        case .longformer: "Longformer (w=4)"
        case .tokenTransformer: "Transformer (Tree Table II)"
        case .tokenCosformer: "CosFormer (Tree Table II)"
        case .tokenPerformer: "Performer (Tree Table II, F=256)"
        case .eluCosformerDistances: "ELU-CosFormer + log-distance inputs (ours)"
        }
    }
}

/// What REPORT.md says of a figure or table besides our numbers: the paper's claim, the checks that
/// decide it on our numbers (`ClaimCheck`), and where ours differs, why, pointing to the measurement
/// that shows it (e.g. a `beyond-` section).
struct ReportClaim: StageParameterSet {
    @Parameter("claim", "what the paper reports about it (for REPORT.md)") var claim = ""
    @Parameter("checks", "the claim's checks, each 'claim | paper | check', decided on the figure's CSV or the table, e.g. 'every K: [A] / [B] >= 0.85' (grammar: README, claim checks)")
    var checks: [ClaimCheck] = []
    @Parameter("why", "where ours differs from the paper: why, and the measurement that shows it (for REPORT.md)") var why = ""

    /// Stores claim and why as attributes of `output` and the checks' outcomes on `numbers` as the
    /// JSON dataset `checks` (read by `report`).
    func store(in output: H5File, numbers: ResultTable) throws {
        try output.setAttribute("claim", claim)
        try output.setAttribute("why", why)
        let outcomes = checks.map { $0.outcome(on: numbers) }
        let json = try JSONEncoder().encode(outcomes)
        try output.writeText("checks", String(decoding: json, as: UTF8.self))
    }
}
