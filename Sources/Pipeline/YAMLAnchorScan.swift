/// Manifests refuse YAML anchors (`&name`) and aliases (`*name`): Yams expands aliases while composing,
/// so a few hundred bytes of nested aliases become gigabytes before any check could see them (issue 19).
/// This scan of the text finds the first anchor or alias indicator where a node starts (line start,
/// after `- `, `: `, `? `, `[`, `{` or `,`), outside quoted scalars, comments and block scalars.
enum YAMLAnchorScan {
    /// The first anchor or alias: its line and column (1-based) and which it is.
    static func first(in text: String) -> (line: Int, column: Int, what: String)? {
        var line = 0
        var quote: Character?          // inside a quoted scalar, possibly spanning lines
        var blockIndent: Int?          // inside a block scalar (`|` or `>`) opened at this indentation
        var flowDepth = 0              // inside `[…]` / `{…}`, where `,` separates nodes
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let chars = Array(raw)
            let indent = chars.prefix { $0 == " " }.count
            if let b = blockIndent {
                if chars.allSatisfy({ $0 == " " || $0 == "\r" }) || indent > b { continue }
                blockIndent = nil
            }
            var atNodeStart = quote == nil
            var i = 0
            while i < chars.count {
                let c = chars[i]
                let next: Character = i + 1 < chars.count ? chars[i + 1] : " "
                if let q = quote {
                    if c == q {
                        if q == "'" && next == "'" { i += 2; continue }
                        quote = nil
                    } else if q == "\"" && c == "\\" { i += 1 }
                    i += 1; continue
                }
                if c == "#" && (i == 0 || chars[i - 1] == " " || chars[i - 1] == "\t") { break }
                if c == " " || c == "\t" || c == "\r" { i += 1; continue }
                let spaceAfter = next == " " || next == "\t" || next == "\r" || i + 1 == chars.count
                if atNodeStart {
                    if (c == "-" || c == "?") && spaceAfter { i += 1; continue }
                    switch c {
                    case "&": return (line, i + 1, "anchor")
                    case "*": return (line, i + 1, "alias")
                    case "'", "\"": quote = c; atNodeStart = false; i += 1; continue
                    case "|", ">": blockIndent = indent; i = chars.count; continue
                    case "[", "{": flowDepth += 1; i += 1; continue
                    case ",": i += 1; continue
                    default: atNodeStart = false
                    }
                }
                if c == ":" && spaceAfter { atNodeStart = true }
                if flowDepth > 0 {
                    if c == "," { atNodeStart = true }
                    if c == "]" || c == "}" { flowDepth -= 1 }
                }
                i += 1
            }
        }
        return nil
    }
}
