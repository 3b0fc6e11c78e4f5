/// A stage parameter as written in a manifest: YAML scalars, lists and maps.
///
/// Integers and reals are kept apart for type checks, but a real with an integral value hashes like
/// the integer (`5` and `5.0` give the same key; see `canonicalJSON`).
public enum ParamValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ParamValue])
    /// Keys in the order written; canonical forms sort them.
    case map([(String, ParamValue)])

    /// Equal as keys: numbers by value (`5 == 5.0`), maps regardless of key order.
    public static func == (a: ParamValue, b: ParamValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.int(x), .int(y)): x == y
        case (.int, .double), (.double, .int), (.double, .double): a.number == b.number
        case let (.list(x), .list(y)): x == y
        case let (.map(x), .map(y)):
            x.count == y.count && Dictionary(x, uniquingKeysWith: { f, _ in f }) == Dictionary(y, uniquingKeysWith: { f, _ in f })
        default: false
        }
    }

    /// A number as Double (integers convert), else nil.
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// An integer, also from a real with an integral value, else nil.
    public var integer: Int? {
        switch self {
        case .int(let i): i
        case .double(let d) where d == d.rounded() && abs(d) < 9.007199254740992e15: Int(d)
        default: nil
        }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var list: [ParamValue]? { if case .list(let l) = self { l } else { nil } }

    /// Short human form for instance names and messages: `10`, `0.5`, `elu`, `[1, 2]`.
    public var display: String {
        switch self {
        case .string(let s): s
        case .list(let l): "[" + l.map(\.display).joined(separator: ", ") + "]"
        default: canonicalJSON
        }
    }

    /// What the value is, for error messages ("an integer", "a list", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a real number"
        case .string: "a string"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}
