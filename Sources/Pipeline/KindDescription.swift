/// What `cellfree kinds` prints, derived from the kinds' declarations (`ParameterSpec`, `OutputSpec`),
/// so it cannot drift from what the manifest checker accepts and what the stages write.
extension StageRegistry {
    /// One line per kind: name and summary.
    public var kindList: String {
        let width = names.map(\.count).max() ?? 0
        return names.map { $0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + (self[$0]?.summary ?? "") }.joined(separator: "\n")
    }
}

/// A kind's parameters (type, default, unit, valid range, choices, help) and outputs (path, dims, units, help).
public func kindDescription(_ kind: any StageKind) -> String {
    var lines = ["\(kind.name) (version \(kind.version)): \(kind.summary)", "", "parameters:"]
    for p in kind.parameters {
        var facts = [p.type.description, p.defaultValue.map { "default \(quotedIfEmpty($0.display))" } ?? "required"]
        if !p.unit.isEmpty { facts.append("unit \(p.unit)") }
        if let r = p.range { facts.append("range \(r.description)") }
        if !p.choices.isEmpty { facts.append("choices: " + p.choices.map(quotedIfEmpty).joined(separator: ", ")) }
        lines.append("  \(p.name): " + facts.joined(separator: "; "))
        lines.append("      \(p.help)")
    }
    lines.append("")
    if kind.outputs.isEmpty {
        lines.append("outputs: not declared (see `cellfree show FILE` on a result)")
    } else {
        lines.append("outputs (datasets; <…> stands for a group per scheme or test input):")
        for o in kind.outputs {
            lines.append("  \(o.path) [\(o.dims.joined(separator: ", "))] in \(o.units)")
            lines.append("      \(o.help)")
        }
    }
    return lines.joined(separator: "\n")
}

/// An empty string as `""`, so that "default" and "choices" never print nothing.
public func quotedIfEmpty(_ s: String) -> String { s.isEmpty ? "\"\"" : s }
