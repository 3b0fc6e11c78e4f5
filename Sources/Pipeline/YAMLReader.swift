import Yams

/// A YAML node with its file and dotted field path, so every read can fail with a located message.
struct YAMLField {
    let node: Node
    let file: String
    let field: String

    var location: SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ message: String) -> ManifestError { location.error(field, message) }

    func child(_ name: String, _ node: Node) -> YAMLField {
        YAMLField(node: node, file: file, field: field.isEmpty ? name : "\(field).\(name)")
    }

    /// The entries of a mapping, in written order; keys must be plain strings and unique.
    func mapping() throws -> [(key: String, value: YAMLField, keyLocation: SourceLocation)] {
        guard let map = node.mapping else { throw error("expected a mapping, found \(kindName)") }
        var seen: [String: Int] = [:]
        var out: [(key: String, value: YAMLField, keyLocation: SourceLocation)] = []
        for (k, v) in map {
            let keyField = YAMLField(node: k, file: file, field: field)
            guard let name = k.scalar?.string else { throw keyField.error("mapping keys must be names") }
            let child = child(name, v)
            let keyLocation = keyField.location
            if let first = seen[name] {
                throw keyLocation.error(child.field, "duplicate key '\(name)' (first written at line \(first))")
            }
            seen[name] = keyLocation.line
            out.append((name, child, keyLocation))
        }
        return out
    }

    /// Like `mapping()`, but every key must be one of `allowed`.
    func mapping(allowing allowed: [String]) throws -> [(key: String, value: YAMLField, keyLocation: SourceLocation)] {
        let entries = try mapping()
        for e in entries where !allowed.contains(e.key) {
            throw e.keyLocation.error(e.value.field, "unknown key '\(e.key)'; expected one of: \(allowed.joined(separator: ", "))")
        }
        return entries
    }

    func sequence() throws -> [YAMLField] {
        guard let seq = node.sequence else { throw error("expected a list, found \(kindName)") }
        return seq.enumerated().map { i, n in YAMLField(node: n, file: file, field: "\(field)[\(i)]") }
    }

    func string() throws -> String {
        guard case .string(let s) = try value() else { throw error("expected a string, found \(kindName)") }
        return s
    }

    func int() throws -> Int {
        guard let i = try value().integer else { throw error("expected an integer, found \(kindName)") }
        return i
    }

    /// A stage or stage-list name: letters, digits, `-` and `_`.
    func name() throws -> String {
        let s = try string()
        guard !s.isEmpty, s.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            throw error("'\(s)' is not a valid name (letters, digits, '-', '_')")
        }
        return s
    }

    /// Any YAML value as a parameter; YAML 1.1 tags decide the scalar types, non-finite reals fail.
    func value() throws -> ParamValue {
        switch node {
        case .scalar(let s):
            // Quoted scalars are strings; plain ones are typed by YAML's core schema.
            guard s.style == .plain || s.style == .any else { return .string(s.string) }
            if ["", "~", "null", "Null", "NULL"].contains(s.string) { return .null }
            if ["true", "True", "TRUE"].contains(s.string) { return .bool(true) }
            if ["false", "False", "FALSE"].contains(s.string) { return .bool(false) }
            // Numbers are decimal (digits, optionally grouped by `_`): YAML 1.1's base-60 (`12:30` = 750),
            // hexadecimal and octal forms are refused rather than silently converted.
            if YAMLField.isDecimalInteger(s.string) {
                guard let i = Int(s.string.replacingOccurrences(of: "_", with: "")) else {
                    throw error("'\(s.string)' does not fit a 64-bit integer")
                }
                return .int(i)
            }
            if s.string.contains(where: { $0.isNumber }), let d = node.float {
                guard YAMLField.isDecimalReal(s.string) else {
                    throw error("'\(s.string)' is not a decimal number (write it in decimal, or quote it for a string)")
                }
                guard d.isFinite else { throw error("'\(s.string)' is not a finite number") }
                return .double(d)
            }
            if [".inf", ".Inf", "-.inf", ".nan", ".NaN"].contains(s.string) { throw error("'\(s.string)' is not a finite number") }
            return .string(s.string)
        case .sequence:
            return .list(try sequence().map { try $0.value() })
        case .mapping:
            return .map(try mapping().map { ($0.key, try $0.value.value()) })
        case .alias:
            throw error("YAML aliases are not supported in manifests")
        }
    }

    /// `[-+]?[0-9][0-9_]*`
    static func isDecimalInteger(_ s: String) -> Bool {
        let body = s.first == "-" || s.first == "+" ? s.dropFirst() : Substring(s)
        return body.first.map(\.isASCIIDigit) == true && body.allSatisfy { $0.isASCIIDigit || $0 == "_" }
    }

    /// `[-+]?digits[.digits][(e|E)[-+]?digits]`, digits grouped by `_`, at least one digit before the exponent.
    static func isDecimalReal(_ s: String) -> Bool {
        var body = s.first == "-" || s.first == "+" ? s.dropFirst() : Substring(s)
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var exponent = body[body.index(after: e)...]
            if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, exponent.allSatisfy(\.isASCIIDigit) else { return false }
            body = body[..<e]
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        return body.contains(where: \.isASCIIDigit) && parts.count <= 2
            && parts.allSatisfy { $0.allSatisfy { $0.isASCIIDigit || $0 == "_" } }
    }

    var kindName: String {
        switch node {
        case .scalar(let s): "'\(s.string)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
