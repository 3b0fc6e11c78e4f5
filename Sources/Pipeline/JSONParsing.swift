/// Parses JSON text (what `canonicalJSON` writes, or any JSON) back into a `ParamValue`. Numbers with
/// a fraction or exponent become reals, others integers.
public func parseJSON(_ text: String) throws -> ParamValue {
    var parser = JSONParser(bytes: Array(text.utf8))
    let value = try parser.value()
    parser.skipSpace()
    guard parser.index == parser.bytes.count else { throw parser.failure("trailing characters") }
    return value
}

public struct JSONError: Error, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "JSON at byte \(offset): \(message)" }
}

private struct JSONParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func failure(_ message: String) -> JSONError { JSONError(offset: index, message: message) }

    mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ literal: String) throws {
        let l = Array(literal.utf8)
        guard index + l.count <= bytes.count, Array(bytes[index..<index + l.count]) == l else { throw failure("expected \(literal)") }
        index += l.count
    }

    mutating func value() throws -> ParamValue {
        skipSpace()
        guard index < bytes.count else { throw failure("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var pairs: [(String, ParamValue)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .map(pairs) }
            while true {
                skipSpace()
                let key = try string()
                skipSpace()
                try expect(":")
                pairs.append((key, try value()))
                skipSpace()
                guard index < bytes.count else { throw failure("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                try expect("}")
                return .map(pairs)
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [ParamValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .list(items) }
            while true {
                items.append(try value())
                skipSpace()
                guard index < bytes.count else { throw failure("unterminated list") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                try expect("]")
                return .list(items)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try number()
        }
    }

    mutating func number() throws -> ParamValue {
        let start = index
        var isReal = false
        while index < bytes.count, let c = Optional(bytes[index]),
              (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isReal = true }
            index += 1
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if !isReal, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { index = start; throw failure("invalid number '\(text)'") }
        return .double(d)
    }

    mutating func string() throws -> String {
        try expect("\"")
        var out = [UInt8]()
        while index < bytes.count {
            let c = bytes[index]
            index += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(v) else { throw failure("invalid \\u escape") }
                index += 4
                out += Array(String(Character(scalar)).utf8)
            default: out.append(e)
            }
        }
        throw failure("unterminated string")
    }
}

extension KeyRecord {
    /// Reads `canonicalJSON` back.
    public init(json: String) throws {
        guard case .map(let pairs) = try parseJSON(json) else { throw JSONError(offset: 0, message: "a key record must be an object") }
        let fields = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        guard let kind = fields["kind"]?.string, let version = fields["version"]?.integer,
              case .map(let params)? = fields["params"], case .map(let inputs)? = fields["inputs"] else {
            throw JSONError(offset: 0, message: "a key record needs kind, version, params and inputs")
        }
        self.init(kind: kind, version: version, params: Dictionary(params, uniquingKeysWith: { a, _ in a }),
                  inputs: Dictionary(inputs.map { ($0.0, ($0.1.list ?? []).compactMap(\.string)) }, uniquingKeysWith: { a, _ in a }))
    }
}
