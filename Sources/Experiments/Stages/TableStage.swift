import Foundation
import H5
import Learning
import Linalg
import Pipeline

/// `table`: a results table as Markdown, LaTeX and CSV (stored in the cache; `exportResults` (after `run`) writes
/// `outputs/tables/<file>.{md,tex,csv}`).
/// - `la-table4` (linear-attention paper, Table IV): per ClusterPowerNet variant (`train` inputs):
///   parameters; memory = the float32 values one training forward pass holds (parameters, inputs,
///   activations) for one drop of `k` UEs; FLOPs of one forward pass at K = `k` (`forwardFLOPs`);
///   mean inference latency at K = `k` (`evaluate` inputs, σ = 0); training time per epoch, in all
///   and in the model's own forward/backward/update steps (the rest is dynamic-supervision labels).
/// - `tree-table2` (Tree paper, Table II): per static model (the Tree-Transformer and its baselines):
///   parameters, latency at K = 40 and its ratio to the Tree's, average SE at K = 40, L = 16, and the
///   measured latency growth in K and L (`treeTable`).
/// - `runtime` (linear-attention paper, Sect. VII): per K, each model's inference latency against
///   DCC + closed-form powers and CF closed form (`baselines` on the same test drops), and the ratio.
/// - `model-sensitivity` (beyond the papers): max-min SE of `baselines` inputs under the settings a paper
///   leaves open, a row per setting and a column per K (`sensitivityTable`).
public struct TableStage: StageKind {
    public init() {}
    public let name = "table"
    /// 2: tree-table2 has a row per model (Table II) instead of a row per K.
    /// 3: a CSV beside Markdown and LaTeX; the claim's `checks` decided on the table.
    public let version = 3
    public let summary = "Markdown + LaTeX table from training, evaluation and baseline results"
    enum Table: String, CaseIterable, ParameterValue, Decodable {
        case laTable4 = "la-table4", treeTable2 = "tree-table2", runtime, modelSensitivity = "model-sensitivity"
    }

    public struct Parameters: StageParameterSet {
        @Parameter(required: "table", "which table", placeholder: Table.runtime) var table: Table
        @Parameter(required: "file", "base name under outputs/tables/", placeholder: "") var file: String
        @Parameter("title", "table caption") var title = ""
        @Parameter("k", "la-table4: the K of memory, FLOPs and latency", range: .atLeast(1)) var K = 40
        @ParameterGroup var report = ReportClaim()
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let file = p.file
        guard !file.isEmpty, !file.contains("/") else { throw PipelineError.stage(id: context.id, detail: "file must be a plain name, not '\(file)'") }
        let inputs = context.allInputs
        let table: TextTable
        switch p.table {
        case .laTable4: table = try variantsTable(inputs, K: p.K, id: context.id)
        case .treeTable2: table = try treeTable(inputs, id: context.id)
        case .runtime: table = try runtimeTable(inputs, id: context.id)
        case .modelSensitivity: table = try sensitivityTable(inputs, id: context.id)
        }
        let title = p.title
        try context.output.writeText("markdown", table.markdown)
        try context.output.writeText("latex", table.latex(caption: title))
        try context.output.writeText("csv", ResultTable(table).csv)
        try context.output.writeText("summary", table.note)
        try context.output.setAttribute("file", file)
        try context.output.setAttribute("title", title)
        try p.report.store(in: context.output, numbers: ResultTable(table))
    }
}
