/// The type a stage parameter must have; checked when the manifest is read.
public enum ParameterType: Sendable, Equatable {
    case int, double, bool, string
    /// A list whose elements have the given type.
    indirect case list(ParameterType)
    /// Anything YAML can hold (maps, mixed lists): passed through unchecked.
    case any

    public var description: String {
        switch self {
        case .int: "an integer"
        case .double: "a number"
        case .bool: "a boolean"
        case .string: "a string"
        case .list(let e): "a list of \(e.plural)"
        case .any: "any value"
        }
    }

    var plural: String {
        switch self {
        case .int: "integers"
        case .double: "numbers"
        case .bool: "booleans"
        case .string: "strings"
        case .list: "lists"
        case .any: "values"
        }
    }

    /// Whether `value` fits; integers are accepted where reals are expected.
    public func accepts(_ value: ParamValue) -> Bool {
        switch (self, value) {
        case (.any, _): true
        case (.int, .int): true
        case (.int, .double(let d)): d == d.rounded() && abs(d) < 9.007199254740992e15
        case (.double, .int), (.double, .double): true
        case (.bool, .bool), (.string, .string): true
        case (.list(let e), .list(let items)): items.allSatisfy { e.accepts($0) }
        default: false
        }
    }
}

/// One declared parameter of a stage kind: its type, default (nil = required) and meaning (with units).
public struct ParameterSpec: Sendable {
    public var name: String
    public var type: ParameterType
    public var defaultValue: ParamValue?
    public var help: String
    /// For strings: the allowed values (empty = any).
    public var choices: [String]

    public init(_ name: String, _ type: ParameterType, default defaultValue: ParamValue?, _ help: String, choices: [String] = []) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.choices = choices
    }
}

extension ParameterSpec {
    /// `seed`: the random seed; the manifest's `seed` unless a stage sets it.
    public static let seed = ParameterSpec("seed", .int, default: .int(0), "random seed (the manifest's seed unless set)")
    /// `replica`: the replica number that `sweep: {seeds: N}` sets.
    public static let replica = ParameterSpec("replica", .int, default: .int(0), "replica number (sweep seeds)")
}

/// A kind of stage: declared parameters, a version that is bumped whenever its code changes what it
/// computes (it is part of every key), and the computation itself.
///
/// `run` reads only `context.params` and `context.inputs`, writes only `context.output`, and draws
/// random numbers only from streams derived from `context.seed` — so its key captures everything.
public protocol StageKind: Sendable {
    var name: String { get }
    var version: Int { get }
    var summary: String { get }
    var parameters: [ParameterSpec] { get }
    func run(_ context: StageContext) throws
}

extension StageKind {
    public func parameter(_ name: String) -> ParameterSpec? { parameters.first { $0.name == name } }
}

/// The stage kinds a program knows, by name.
public struct StageRegistry: Sendable {
    public private(set) var kinds: [String: any StageKind] = [:]

    public init(_ kinds: [any StageKind] = []) {
        for k in kinds { register(k) }
    }

    public mutating func register(_ kind: any StageKind) {
        precondition(kinds[kind.name] == nil, "stage kind \(kind.name) registered twice")
        kinds[kind.name] = kind
    }

    public subscript(name: String) -> (any StageKind)? { kinds[name] }

    public var names: [String] { kinds.keys.sorted() }
}
