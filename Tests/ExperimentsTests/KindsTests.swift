import H5
import Pipeline
import Testing
import TestSupport
@testable import Experiments

/// `cellfree kinds`: what it prints comes from the declarations, and what the stages write follows them.
struct KindsTests {
    static let kinds = experimentStageKinds + toyStageKinds

    /// Every parameter (name, type, default, unit, range, choices, help) and every declared output
    /// (path, dims, units, help) of every kind is in its description.
    @Test func descriptionsShowEveryDeclaration() {
        let registry = StageRegistry(Self.kinds)
        for kind in Self.kinds {
            #expect(registry.kindList.contains(kind.name + " ") && registry.kindList.contains(kind.summary))
            let text = kindDescription(kind)
            for p in kind.parameters {
                let line = text.split(separator: "\n").first { $0.hasPrefix("  \(p.name): ") }.map(String.init) ?? ""
                #expect(line.contains(p.type.description) && line.contains(p.defaultValue.map { "default \(quotedIfEmpty($0.display))" } ?? "required"),
                        "\(kind.name).\(p.name): \(line)")
                if !p.unit.isEmpty { #expect(line.contains("unit \(p.unit)"), "\(kind.name).\(p.name)") }
                if let r = p.range { #expect(line.contains("range \(r.description)"), "\(kind.name).\(p.name)") }
                #expect(p.choices.allSatisfy { line.contains(quotedIfEmpty($0)) } && text.contains("      \(p.help)"), "\(kind.name).\(p.name)")
            }
            for o in kind.outputs {
                #expect(text.contains("  \(o.path) [\(o.dims.joined(separator: ", "))] in \(o.units)\n      \(o.help)"), "\(kind.name): \(o.path)")
            }
        }
        // The data kinds declare their outputs; `baselines` the new DL precoder choice among its parameters.
        for name in ["layouts", "channels", "baselines", "evaluate", "ablate"] {
            #expect(!(registry[name]?.outputs.isEmpty ?? true), "\(name)")
        }
        #expect(kindDescription(BaselinesStage()).contains("  dl_precoder: a string; default duality; choices: duality, unit-norm"))
    }

    /// An evaluation group writes each dataset with the declared dims and units.
    @Test func evaluationGroupsWriteTheirDeclarations() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.path + "/e.h5"
        var g = EvaluationGroup(K: 3, L: 2, n: 1)
        g.perUE["se_ul_positions"] = [1, 2, 3]
        g.perDrop["latency_ms"] = [0.5]
        g.clusters = [1, 0, 0, 1, 1, 1]
        let file = try H5File.create(path)
        try g.write(to: try file.createGroup("K3_0"))
        try file.close()
        let back = try H5File.open(path)
        defer { try? back.close() }
        for (name, dims, units) in [("se_ul_positions", "sample,ue", "bit/s/Hz"), ("latency_ms", "sample", "ms"), ("clusters", "sample,ue,ap", "1")] {
            let d = try back.group("K3_0").dataset(name)
            #expect(try d.stringAttribute("dims") == dims && d.stringAttribute("units") == units, "\(name)")
            #expect(EvaluationGroup.datasets.contains { $0.matches("/K3_0/\(name)") })
        }
    }
}
