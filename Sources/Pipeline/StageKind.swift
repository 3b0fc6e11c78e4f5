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

/// One declared parameter of a stage kind: its type, default (nil = required), meaning, unit and range.
/// Stage kinds declare them as `@Parameter` properties of a `StageParameterSet`; this is the derived form
/// the manifest checker, the planner and the help read.
public struct ParameterSpec: Sendable {
    public var name: String
    public var type: ParameterType
    public var defaultValue: ParamValue?
    public var help: String
    /// For strings: the allowed values (empty = any).
    public var choices: [String]
    /// Unit of a physical quantity (m, mW, dB, dBm), "" when dimensionless or not a number.
    public var unit: String
    /// Valid values of a number (of each element of a list of numbers); nil = any.
    public var range: ParameterRange?

    public init(_ name: String, _ type: ParameterType, default defaultValue: ParamValue?, _ help: String, choices: [String] = [],
                unit: String = "", range: ParameterRange? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.choices = choices
        self.unit = unit
        self.range = range
    }
}

/// `seed`: the random seed, the manifest's `seed` unless a stage sets it. Kinds that draw random numbers
/// include this group (or `SeedAndReplica`); `StageContext.streamSeed` derives the stream from it.
public struct SeedParameter: StageParameterSet {
    @Parameter("seed", "random seed (the manifest's seed unless set)") public var seed = 0
    public init() {}
}

/// `seed` and `replica`, the replica number that `sweep: {seeds: N}` sets.
public struct SeedAndReplica: StageParameterSet {
    @ParameterGroup var base = SeedParameter()
    @Parameter("replica", "replica number (sweep seeds)", range: .atLeast(0)) public var replica = 0
    public init() {}

    public var seed: Int { base.seed }
}

/// A kind of stage: declared parameters, a version that is bumped whenever its code changes what it
/// computes (it is part of every key), and the computation itself.
///
/// `run` reads only `context.params` and `context.inputs`, writes only `context.output`, and draws
/// random numbers only from streams derived from `context.seed` — so its key captures everything.
public protocol StageKind: Sendable {
    /// The kind's parameters, declared as typed properties; `parameters` is derived from them.
    associatedtype Parameters: StageParameterSet
    var name: String { get }
    var version: Int { get }
    var summary: String { get }
    func run(_ context: StageContext) throws
    /// The bytes an instance with these parameters holds at its peak, from the sizes of its largest
    /// arrays, for kinds whose memory grows with their parameters (nil: small or unknown). `plan`
    /// refuses an instance whose estimate exceeds this machine's memory.
    func memoryEstimate(_ p: Parameters) -> Double?
    /// Checks what single parameter ranges cannot (e.g. L a square number on a grid, CS ≤ L), so that
    /// `plan` refuses the instance instead of its worker failing; throws a message naming the fields.
    func preflight(_ p: Parameters) throws
    /// The datasets an instance writes (`cellfree kinds KIND`); empty when the kind declares none.
    var outputs: [OutputSpec] { get }
}

extension StageKind {
    public var outputs: [OutputSpec] { [] }
    public func memoryEstimate(_ p: Parameters) -> Double? { nil }
    public func preflight(_ p: Parameters) throws {}

    /// What decoding resolved parameters (a value its type refuses, e.g. a malformed claim check) or
    /// `preflight` objects to (nil: nothing).
    func preflightProblem(_ params: [String: ParamValue]) -> String? {
        do {
            try preflight(try Parameters.decode(params, id: name))
            return nil
        } catch let PipelineError.stage(_, detail) { return detail } catch { return "\(error)" }
    }

    /// `memoryEstimate` of resolved parameters (nil when they do not decode: `run` reports that).
    func estimatedBytes(_ params: [String: ParamValue]) -> Double? {
        (try? Parameters.decode(params, id: name)).flatMap(memoryEstimate)
    }

    /// The declared parameters (from `Parameters`' default instance, derived once per type).
    public var parameters: [ParameterSpec] { derivedSpecs(Parameters.self) }
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
