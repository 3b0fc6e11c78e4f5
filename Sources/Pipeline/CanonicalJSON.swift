// Canonical JSON for keys: sorted object keys, no whitespace, numbers in the ECMAScript / RFC 8785
// (JCS) form, strings with minimal escapes. The same parameters always give the same bytes, on any
// machine: reals use the shortest representation that round-trips exactly.

extension ParamValue {
    /// The canonical JSON text (RFC 8785 style). Non-finite reals are rejected earlier, by the manifest.
    public var canonicalJSON: String {
        var out = ""
        appendCanonical(to: &out)
        return out
    }

    func appendCanonical(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += canonicalNumber(d)
        case .string(let s): appendJSONString(s, to: &out)
        case .list(let l):
            out += "["
            for (i, v) in l.enumerated() {
                if i > 0 { out += "," }
                v.appendCanonical(to: &out)
            }
            out += "]"
        case .map(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.sorted(by: { $0.0.utf16.lexicographicallyPrecedes($1.0.utf16) }).enumerated() {
                if i > 0 { out += "," }
                appendJSONString(k, to: &out)
                out += ":"
                v.appendCanonical(to: &out)
            }
            out += "}"
        }
    }
}

/// A real in the ECMAScript Number-to-String form (RFC 8785): the shortest digits that round-trip,
/// fixed notation for decimal exponents −6 < n ≤ 21 (`5`, `0.000001`, `100000000000000000000`),
/// otherwise `d.ddde±N` (`1e-7`, `1e+21`); `-0` is `0`.
public func canonicalNumber(_ d: Double) -> String {
    precondition(d.isFinite, "canonical JSON has no form for \(d)")
    if d == 0 { return "0" }
    // Swift's description gives the shortest round-trip digits; split it into digits and exponent n
    // such that |d| = 0.digits × 10^n.
    let text = abs(d).description
    var mantissa = Substring(text), exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exponent = Int(text[text.index(after: e)...])!
    }
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    let integerPart = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
    var digits = integerPart + fraction
    var n = integerPart.count + exponent
    while digits.hasPrefix("0") { digits.removeFirst(); n -= 1 }
    while digits.hasSuffix("0") { digits.removeLast() }
    let k = digits.count
    var out = d < 0 ? "-" : ""
    if k <= n && n <= 21 {
        out += digits + String(repeating: "0", count: n - k)
    } else if 0 < n && n <= 21 {
        out += digits.prefix(n) + "." + digits.dropFirst(n)
    } else if -6 < n && n <= 0 {
        out += "0." + String(repeating: "0", count: -n) + digits
    } else {
        out += digits.prefix(1) + (k > 1 ? "." + digits.dropFirst() : "") + "e" + (n - 1 >= 0 ? "+" : "-") + String(abs(n - 1))
    }
    return out
}

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, … or `\u00XX`.
func appendJSONString(_ s: String, to out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case let c where c.value < 0x20:
            let hex = String(c.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(u)
        }
    }
    out += "\""
}
