import Yams

extension Manifest {
    /// The manifest with `--set STAGE.PARAM=VALUE` overrides applied (VALUE read as YAML, as in a
    /// manifest: `3`, `0.5`, `[10, 20]`, `reuse`). The plan then checks them like any parameter; an
    /// override of a parameter the stage sweeps, or of an unknown stage, is refused. Errors name the
    /// override as `--set #n`. The command line wins over the stage's parameters and every profile's.
    public func overriding(_ sets: [String]) throws -> Manifest {
        var out = self
        for (n, text) in sets.enumerated() {
            let place = SourceLocation(file: "--set #\(n + 1)", line: 1, column: 1)
            guard let eq = text.firstIndex(of: "="), let dot = text[..<eq].firstIndex(of: ".") else {
                throw place.error("set", "'\(text)' is not STAGE.PARAM=VALUE")
            }
            let (stage, param) = (String(text[..<dot]), String(text[text.index(after: dot)..<eq]))
            let raw = String(text[text.index(after: eq)...])
            guard let i = out.stages.firstIndex(where: { $0.name == stage }) else {
                throw place.error("set", "no stage '\(stage)' in \(file) (stages: \(out.stages.map(\.name).joined(separator: ", ")))")
            }
            let sweeps = [out.stages[i].sweep] + out.profiles.flatMap { $0.stages.filter { $0.stage == stage }.map(\.sweep) }
            if sweeps.contains(where: { $0.map { ($0.grid + $0.zip).contains { $0.name == param } } ?? false }) {
                throw place.error("set", "stage '\(stage)' sweeps '\(param)': override the sweep in a profile instead")
            }
            let node: Node
            do { node = try Yams.compose(yaml: raw) ?? Node("", Tag(.null)) } catch { throw place.error("set", "'\(raw)' is not a YAML value: \(error)") }
            let value = try YAMLField(node: node, file: place.file, field: "\(stage).\(param)").value()
            let located = LocatedValue(value: value, location: place, field: "\(stage).params.\(param)")
            out.stages[i].params.removeAll { $0.name == param }
            out.stages[i].params.append(NamedValue(name: param, value: located))
            for p in out.profiles.indices {   // the command line wins over every profile
                for o in out.profiles[p].stages.indices where out.profiles[p].stages[o].stage == stage {
                    out.profiles[p].stages[o].params.removeAll { $0.name == param }
                }
            }
        }
        return out
    }
}
