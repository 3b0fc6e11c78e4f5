import Pipeline
import H5

// Text in result files (figure CSVs, gnuplot scripts): UTF-8 bytes as a uint8 dataset, so the
// cache's content checksum covers it, marked `units: UTF-8 text` (`cellfree show` prints it as text).

/// The `units` of a text dataset.
public let textUnits = "UTF-8 text"

extension H5Group {
    func writeText(_ name: String, _ text: String) throws {
        let d = try write(name, Array(text.utf8), shape: [text.utf8.count])
        try d.setAttribute("dims", "byte")
        try d.setAttribute("units", textUnits)
    }

    func readText(_ name: String) throws -> String {
        String(decoding: try read(name, as: UInt8.self).values, as: UTF8.self)
    }
}

extension StageContext {
    /// Every input result, by input stage name, in a fixed order (never the dictionary's, which
    /// changes from process to process and would make outputs differ between runs).
    var allInputs: [StageInput] { inputs.keys.sorted().flatMap { inputs[$0]! } }

    /// Every input result of stage kind `kind`, whatever the input stages are called.
    func inputs(ofKind kind: String) -> [StageInput] { allInputs.filter { $0.kind == kind } }

    /// The single input of kind `kind`, or a stage error.
    func input(ofKind kind: String) throws -> StageInput {
        let list = inputs(ofKind: kind)
        guard list.count == 1 else { throw PipelineError.stage(id: id, detail: "expects exactly one '\(kind)' input, found \(list.count)") }
        return list[0]
    }
}
