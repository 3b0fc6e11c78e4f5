extension Plan {
    /// Stage-level edges (input → reader), each once, in dependency order.
    var stageEdges: [(from: String, to: String)] {
        var edges: [(String, String)] = []
        for name in stageOrder {
            guard let spec = manifest.stages.first(where: { $0.name == name }) else { continue }
            for ref in spec.inputs where !edges.contains(where: { $0 == (ref.stage, name) }) { edges.append((ref.stage, name)) }
        }
        return edges
    }

    private func label(_ stage: String) -> String {
        let n = instances(of: stage).count
        let kind = manifest.stages.first { $0.name == stage }?.kind ?? "?"
        return "\(stage)\\n\(kind) ×\(n)"
    }

    /// Graphviz DOT of the stages (or of every instance), e.g. `cellfree dag M | dot -Tpdf`.
    public func dot(instances perInstance: Bool = false) -> String {
        var lines = ["digraph \"\(manifest.name)\" {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        if perInstance {
            for (i, inst) in instances.enumerated() { lines.append("  i\(i) [label=\"\(inst.id)\"];") }
            for (i, inst) in instances.enumerated() {
                for input in inst.inputs { for j in input.instances { lines.append("  i\(j) -> i\(i);") } }
            }
        } else {
            for s in stageOrder { lines.append("  \"\(s)\" [label=\"\(label(s))\"];") }
            for e in stageEdges { lines.append("  \"\(e.from)\" -> \"\(e.to)\";") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Mermaid flowchart of the stages (or instances), for Markdown pages.
    public func mermaid(instances perInstance: Bool = false) -> String {
        var lines = ["flowchart LR"]
        // Injective, so `a-b` and `a_b` stay two nodes: letters and digits as written, `_` as `__`, any
        // other character as `_<hex>_`.
        func nodeID(_ s: String) -> String {
            "s_" + s.unicodeScalars.map { c in
                c == "_" ? "__" : c.properties.isAlphabetic || ("0"..."9").contains(c) ? String(c) : "_\(String(c.value, radix: 16))_"
            }.joined()
        }
        if perInstance {
            for (i, inst) in instances.enumerated() { lines.append("  i\(i)[\"\(inst.id)\"]") }
            for (i, inst) in instances.enumerated() {
                for input in inst.inputs { for j in input.instances { lines.append("  i\(j) --> i\(i)") } }
            }
        } else {
            for s in stageOrder { lines.append("  \(nodeID(s))[\"\(label(s).replacingOccurrences(of: "\\n", with: "<br/>"))\"]") }
            for e in stageEdges { lines.append("  \(nodeID(e.from)) --> \(nodeID(e.to))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
