import ArgumentParser
import Experiments
import Foundation
import H5
import Pipeline

/// The instances of `plan` a selector names: `stage` (all of its instances) or `stage[K=40,pilots=reuse]`
/// (those whose swept parameters have these values, as `plan` prints them).
func selectInstances(_ selector: String, in plan: Plan) throws -> [StageInstance] {
    var stage = selector, wanted: [(String, String)] = []
    if let open = selector.firstIndex(of: "["), selector.hasSuffix("]") {
        stage = String(selector[..<open])
        for pair in selector[selector.index(after: open)..<selector.index(before: selector.endIndex)].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw fail("selector \(selector): '\(pair)' is not name=value") }
            wanted.append((parts[0], parts[1]))
        }
    }
    let all = plan.instances.filter { $0.stage == stage }
    guard !all.isEmpty else {
        throw fail("no stage '\(stage)' in \(plan.manifest.name); stages: \(plan.stageOrder.joined(separator: ", "))")
    }
    let chosen = all.filter { inst in
        wanted.allSatisfy { name, value in inst.coordinates.contains { $0.name == name && $0.value.display == value } }
    }
    guard !chosen.isEmpty else {
        throw fail("no instance of \(stage) matches \(selector); its instances: " + all.map(\.id).joined(separator: ", "))
    }
    return chosen
}

/// `cellfree path MANIFEST SELECTOR`: the cache file of each selected instance.
struct PathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path",
        abstract: "Print the cache file of a stage's instances: 'stage' or 'stage[K=40,sigma=5]'.",
        discussion: "One line per instance: its file, then '(not computed)' when it is not in the cache. Exit 1 if any is missing."
    )

    @OptionGroup var options: ManifestOptions

    @Argument(help: "A stage, or a stage with swept values: 'test-baselines[K=40]'.")
    var selector: String

    func run() throws {
        let plan = try options.loadPlan()
        var missing = false
        for inst in try selectInstances(selector, in: plan) {
            let file = options.layout.file(kind: inst.kind, key: inst.key)
            let present = FileManager.default.fileExists(atPath: file)
            missing = missing || !present
            print(file + (present ? "" : "  (not computed)") + "\t" + inst.id)
        }
        if missing { throw ExitCode(1) }
    }
}

/// `cellfree show FILE[:DATASET]`: a dataset's values (with its shape, dims and units), or the file's datasets.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a dataset's values: FILE:group/name (without ':', list the file's datasets).",
        discussion: "Rows are the last dimension; --limit bounds the number of rows printed. Text datasets print as text."
    )

    @Argument(help: "FILE.h5 or FILE.h5:group/dataset.")
    var target: String

    @Option(help: "Largest number of rows to print (0: all).")
    var limit = 20

    func run() throws {
        let (path, name) = target.firstIndex(of: ":").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        let file: H5File
        do { file = try H5File.open(path) } catch { throw fail("cannot open \(path): \(error)") }
        defer { try? file.close() }
        guard !name.isEmpty else {
            for p in try file.datasetPaths() {
                let d = try dataset(at: p, in: file)
                print("\(p)  \(d.shape)" + ((try? d.stringAttribute("units")).map { "  [\($0)]" } ?? ""))
            }
            return
        }
        let d: H5Dataset
        do { d = try dataset(at: name, in: file) } catch { throw fail("\(path) has no dataset \(name); `cellfree show \(path)` lists them") }
        let shape = d.shape
        if let text = try? d.readString() {
            print(text)
            return
        }
        if (try? d.stringAttribute("units")) == textUnits {   // a figure's CSV, a finding, a report
            print(String(decoding: try d.read(as: UInt8.self).values, as: UTF8.self))
            return
        }
        guard let values = numericValues(d) else { throw fail("\(name) is \(d.typeDescription): not numeric") }
        print("\(name)  shape \(shape)  dims \(dimensionNames(d, rank: shape.count).joined(separator: ","))  units \((try? d.stringAttribute("units")) ?? "(none)")")
        let width = shape.last ?? 1, rows = values.count / max(1, width)
        let shown = limit > 0 ? min(rows, limit) : rows
        for r in 0..<shown {
            print(values[(r * width)..<((r + 1) * width)].map { String(format: "%.6g", $0) }.joined(separator: " "))
        }
        if shown < rows { print("… \(rows - shown) more rows (--limit 0 prints all)") }
    }
}

/// `cellfree export MANIFEST SELECTOR --csv DIR`: long-format CSV tables of the selected instances.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the numeric datasets of a stage's cached instances as long-format CSV (one file per dataset).",
        discussion: """
            Columns: the swept parameters of the instance, group (scheme, K40_1, …), one index per dimension (named \
            by the dataset's dims), and the value with its unit in the header. pandas: pd.read_csv("DIR/se_ul.csv").
            """
    )

    @OptionGroup var options: ManifestOptions

    @Argument(help: "A stage, or a stage with swept values: 'test-baselines[K=40]'.")
    var selector: String

    @Option(help: "Directory to write the CSV files to.")
    var csv: String

    func run() throws {
        let plan = try options.loadPlan()
        let chosen = try selectInstances(selector, in: plan)
        var instances: [ExportedInstance] = []
        for inst in chosen {
            let file = options.layout.file(kind: inst.kind, key: inst.key)
            guard FileManager.default.fileExists(atPath: file) else { throw fail("\(inst.id) is not computed (cellfree run \(options.manifest) --only \(inst.stage))", code: 1) }
            instances.append(ExportedInstance(coordinates: inst.coordinates.map { ($0.name, $0.value.display) }, path: file))
        }
        for written in try tidyExport(instances, to: csv) { print(written) }
    }
}

/// `cellfree kinds [KIND]`: every stage kind, or one kind's parameters and outputs.
struct KindsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinds",
        abstract: "List the stage kinds, or one kind's parameters (type, default, unit, range, choices) and output datasets."
    )

    @Argument(help: "A stage kind (e.g. baselines).")
    var kind: String?

    func run() throws {
        guard let kind else { print(stageRegistry.kindList); return }
        guard let k = stageRegistry[kind] else { throw fail("unknown stage kind '\(kind)'; kinds: \(stageRegistry.names.joined(separator: ", "))") }
        print(kindDescription(k))
    }
}
