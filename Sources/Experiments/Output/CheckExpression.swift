import Foundation

/// An arithmetic expression of a claim check (`ClaimCheck`) over a `ResultTable`.
indirect enum CheckExpression: Equatable, Sendable, CustomStringConvertible {
    case number(Double)
    /// `[name]`: the column's numbers by row key.
    case column(String)
    /// `[name @ key]`: one cell.
    case cell(String, key: String)
    case call(CheckFunction, [CheckExpression])
    case binary(Character, CheckExpression, CheckExpression)
    case negate(CheckExpression)

    /// Whether it has a value per row (a column not reduced by an aggregate).
    var isSeries: Bool {
        switch self {
        case .number, .cell: false
        case .column: true
        case let .call(f, args): f.isElementwise && args.contains { $0.isSeries }
        case let .binary(_, a, b): a.isSeries || b.isSeries
        case let .negate(a): a.isSeries
        }
    }

    /// Whether it names no data (the report then shows only the left side).
    var isConstant: Bool {
        switch self {
        case .number: true
        case .column, .cell, .call: false
        case let .binary(_, a, b): a.isConstant && b.isConstant
        case let .negate(a): a.isConstant
        }
    }

    var description: String {
        switch self {
        case .number(let x): fmt(x, 6)
        case .column(let n): "[\(n)]"
        case let .cell(n, key): "[\(n) @ \(key)]"
        case let .call(f, args): f.rawValue + "(" + args.map(\.description).joined(separator: ", ") + ")"
        case let .binary(op, a, b): "\(a) \(op) \(b)"
        case .negate(let a): "-\(a)"
        }
    }

    func evaluate(on table: ResultTable) throws -> CheckValue {
        switch self {
        case .number(let x): return .scalar(x)
        case .column(let name):
            guard let c = table.column(name) else { throw missing(name, table) }
            return .series(c)
        case let .cell(name, key):
            guard let c = table.column(name) else { throw missing(name, table) }
            guard let v = c.first(where: { rowKeysMatch($0.key, key) }) else {
                throw CheckSyntaxError("no number in column '\(name)' at \(table.keyName) = \(key)")
            }
            return .scalar(v.value)
        case let .call(f, args): return try f.apply(args.map { try $0.evaluate(on: table) })
        case let .negate(a): return try a.evaluate(on: table).map { -$0 }
        case let .binary(op, a, b):
            let f: (Double, Double) -> Double = switch op {
            case "+": (+)
            case "-": (-)
            case "*": (*)
            default: (/)
            }
            return try CheckValue.combine(a.evaluate(on: table), b.evaluate(on: table), f)
        }
    }
}

private func missing(_ name: String, _ table: ResultTable) -> CheckSyntaxError {
    CheckSyntaxError("no column '\(name)' (columns: \(table.header.dropFirst().joined(separator: ", ")))")
}

/// A check's value: one number, or one per row key.
enum CheckValue {
    case scalar(Double)
    case series([(key: String, value: Double)])

    func map(_ f: (Double) -> Double) -> CheckValue {
        switch self {
        case .scalar(let x): .scalar(f(x))
        case .series(let s): .series(s.map { ($0.key, f($0.value)) })
        }
    }

    /// Elementwise, two series on the row keys both have.
    static func combine(_ a: CheckValue, _ b: CheckValue, _ f: (Double, Double) -> Double) -> CheckValue {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): .scalar(f(x, y))
        case let (.series(s), .scalar(y)): .series(s.map { ($0.key, f($0.value, y)) })
        case let (.scalar(x), .series(s)): .series(s.map { ($0.key, f(x, $0.value)) })
        case let (.series(s), .series(t)):
            .series(s.compactMap { x in t.first { rowKeysMatch($0.key, x.key) }.map { (x.key, f(x.value, $0.value)) } })
        }
    }

    var values: [Double] {
        switch self {
        case .scalar(let x): [x]
        case .series(let s): s.map(\.value)
        }
    }
}

enum CheckFunction: String, CaseIterable, Sendable {
    case mean, min, max, first, last, abs, ks, slope
    /// Elementwise over two or more arguments: `maxof([a], [b], [c])` per row.
    case maxof, minof

    var isElementwise: Bool { [.abs, .maxof, .minof].contains(self) }
    /// The number of arguments (nil: two or more).
    var arity: Int? {
        switch self {
        case .ks: 2
        case .maxof, .minof: nil
        default: 1
        }
    }

    func apply(_ args: [CheckValue]) throws -> CheckValue {
        let v = args[0].values
        switch self {
        case .abs: return args[0].map { Swift.abs($0) }
        case .maxof: return args.dropFirst().reduce(args[0]) { CheckValue.combine($0, $1, Swift.max) }
        case .minof: return args.dropFirst().reduce(args[0]) { CheckValue.combine($0, $1, Swift.min) }
        case .mean: return .scalar(average(v))
        case .min: return .scalar(v.min() ?? .nan)
        case .max: return .scalar(v.max() ?? .nan)
        case .first: return .scalar(v.first ?? .nan)
        case .last: return .scalar(v.last ?? .nan)
        case .ks: return .scalar(kolmogorovSmirnovDistance(v.sorted(), args[1].values.sorted()))
        case .slope:
            guard case .series(let s) = args[0] else { throw CheckSyntaxError("slope needs a column") }
            return .scalar(logLogSlope(s.compactMap { p in Double(p.key).map { (x: $0, y: p.value) } }))
        }
    }
}

/// Recursive descent over a check's text: `expression := term (('+'|'-') term)*`,
/// `term := factor (('*'|'/') factor)*`, `factor := number | [ref] | f(args) | (expression) | -factor`.
struct CheckParser {
    private let chars: [Character]
    private var i = 0

    init(_ text: String) { chars = Array(text) }

    var atEnd: Bool { mutating get { skipSpaces(); return i >= chars.count } }
    var rest: String { String(chars[Swift.min(i, chars.count)...]) }

    private mutating func skipSpaces() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    /// Consumes `token` if it comes next.
    mutating func take(_ token: String) -> Bool {
        skipSpaces()
        let t = Array(token)
        guard i + t.count <= chars.count, Array(chars[i..<i + t.count]) == t else { return false }
        i += t.count
        return true
    }

    mutating func comparison() -> ClaimCheck.Comparison? {
        for c in [ClaimCheck.Comparison.atLeast, .atMost, .above, .below, .equal] where take(c.rawValue) { return c }
        if take("≥") { return .atLeast }
        if take("≤") { return .atMost }
        return nil
    }

    mutating func number() -> Double? {
        skipSpaces()
        var j = i
        while j < chars.count, chars[j].isNumber || chars[j] == "." || ((chars[j] == "e" || chars[j] == "E") && j > i)
                || ((chars[j] == "-" || chars[j] == "+") && j > i && (chars[j - 1] == "e" || chars[j - 1] == "E")) { j += 1 }
        guard j > i, let x = Double(String(chars[i..<j])) else { return nil }
        i = j
        return x
    }

    mutating func expression() throws -> CheckExpression {
        var e = try term()
        while true {
            if take("+") { e = .binary("+", e, try term()) } else if take("-") { e = .binary("-", e, try term()) } else { return e }
        }
    }

    private mutating func term() throws -> CheckExpression {
        var e = try factor()
        while true {
            if take("*") { e = .binary("*", e, try factor()) } else if take("/") { e = .binary("/", e, try factor()) } else { return e }
        }
    }

    private mutating func factor() throws -> CheckExpression {
        if take("-") { return .negate(try factor()) }
        if take("(") {
            let e = try expression()
            guard take(")") else { throw CheckSyntaxError("missing ')' before '\(rest)'") }
            return e
        }
        if take("[") {
            guard let close = chars[i...].firstIndex(of: "]") else { throw CheckSyntaxError("missing ']' after '[\(rest)'") }
            let inside = String(chars[i..<close]).trimmingCharacters(in: .whitespaces)
            i = close + 1
            guard !inside.isEmpty else { throw CheckSyntaxError("empty column name '[]'") }
            if let at = inside.range(of: " @ ") {
                return .cell(String(inside[..<at.lowerBound]).trimmingCharacters(in: .whitespaces),
                             key: String(inside[at.upperBound...]).trimmingCharacters(in: .whitespaces))
            }
            return .column(inside)
        }
        if let x = number() { return .number(x) }
        skipSpaces()
        var j = i
        while j < chars.count, chars[j].isLetter { j += 1 }
        let name = String(chars[i..<j])
        guard let f = CheckFunction(rawValue: name) else {
            throw CheckSyntaxError(name.isEmpty ? "expected a number, [column] or function at '\(rest)'"
                                   : "unknown function '\(name)' (one of \(CheckFunction.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        i = j
        guard take("(") else { throw CheckSyntaxError("expected '(' after \(name)") }
        var args = [try expression()]
        while take(",") { args.append(try expression()) }
        guard take(")") else { throw CheckSyntaxError("missing ')' after \(name)(…") }
        if let n = f.arity, args.count != n { throw CheckSyntaxError("\(name) takes \(n) argument\(n == 1 ? "" : "s"), not \(args.count)") }
        if f.arity == nil, args.count < 2 { throw CheckSyntaxError("\(name) takes two or more arguments") }
        return .call(f, args)
    }
}
