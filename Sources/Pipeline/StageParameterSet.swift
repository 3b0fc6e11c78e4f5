import Synchronization

/// A stage kind's parameters as one typed value (the swift-argument-parser idea: the declaration *is*
/// the typed property). Each stored property is a `@Parameter` (or a `@ParameterGroup` of shared
/// ones); the kind's `ParameterSpec` list — names, types, defaults, units, ranges, choices — is read
/// off the default instance `init()`, so a default exists in exactly one place:
///
///     struct LayoutsParameters: StageParameterSet {
///         @ParameterGroup var network = NetworkParameterSet()
///         @Parameter("count", "number of drops", range: .atLeast(1)) var count = 100
///         init() {}
///     }
///
/// A stage reads its values with `context.parameters(LayoutsParameters.self)`: the plan's map (kind
/// defaults already filled in) decoded into the struct, a clear error naming the parameter otherwise.
public protocol StageParameterSet: Decodable, Sendable {
    /// Every parameter at its default.
    init()
}

/// The type a declared parameter may have: integers, reals, booleans, strings, string enums and lists.
public protocol ParameterValue: Decodable, Sendable {
    static var parameterType: ParameterType { get }
    /// For string enums: the allowed values.
    static var choices: [String] { get }
    /// The value as the plan stores it (and hashes into keys).
    var parameterValue: ParamValue { get }
}

extension ParameterValue {
    public static var choices: [String] { [] }
}

extension Int: ParameterValue {
    public static var parameterType: ParameterType { .int }
    public var parameterValue: ParamValue { .int(self) }
}

extension Double: ParameterValue {
    public static var parameterType: ParameterType { .double }
    public var parameterValue: ParamValue { .double(self) }
}

extension Bool: ParameterValue {
    public static var parameterType: ParameterType { .bool }
    public var parameterValue: ParamValue { .bool(self) }
}

extension String: ParameterValue {
    public static var parameterType: ParameterType { .string }
    public var parameterValue: ParamValue { .string(self) }
}

extension Array: ParameterValue where Element: ParameterValue {
    public static var parameterType: ParameterType { .list(Element.parameterType) }
    public static var choices: [String] { Element.choices }
    public var parameterValue: ParamValue { .list(map(\.parameterValue)) }
}

/// A closed set of string values (`ap_layout: grid | uniform`): declare the enum `String, CaseIterable,
/// ParameterValue, Decodable` and its cases are the parameter's choices.
extension ParameterValue where Self: RawRepresentable, Self.RawValue == String, Self: CaseIterable {
    public static var parameterType: ParameterType { .string }
    public static var choices: [String] { allCases.map(\.rawValue) }
    public var parameterValue: ParamValue { .string(rawValue) }
}

/// One declared stage parameter: its manifest name, meaning, unit and valid range, and its value.
@propertyWrapper
public struct Parameter<Value: ParameterValue>: Decodable, Sendable {
    private let value: Value
    /// The declaration; nil on decoded values (only the default instance describes the kind).
    let spec: ParameterSpec?

    public var wrappedValue: Value { value }

    /// A parameter with a default. `unit` as in the papers (m, mW, dB, dBm; "" when dimensionless);
    /// `range` bounds numbers (of lists: every element), checked when the manifest is read.
    public init(wrappedValue: Value, _ name: String, _ help: String, unit: String = "", range: ParameterRange? = nil) {
        value = wrappedValue
        spec = ParameterSpec(name, Value.parameterType, default: wrappedValue.parameterValue, help, choices: Value.choices,
                             unit: unit, range: range)
    }

    /// A required parameter: the manifest must set it (`placeholder` is never read).
    public init(required name: String, _ help: String, placeholder: Value) {
        value = placeholder
        spec = ParameterSpec(name, Value.parameterType, default: nil, help, choices: Value.choices)
    }

    public init(from decoder: Decoder) throws {
        do {
            value = try Value(from: decoder)
        } catch DecodingError.dataCorrupted where decoder is ValueDecoder {
            throw (decoder as! ValueDecoder).outsideChoices(Value.self)
        } catch let e as InvalidParameterValue where decoder is ValueDecoder {
            throw (decoder as! ValueDecoder).failure(e.expected)
        }
        spec = nil
    }

    private init(value: Value, spec: ParameterSpec?) { self.value = value; self.spec = spec }

    /// The same declaration with another default (a kind that starts a shared group elsewhere).
    public func withDefault(_ value: Value) -> Parameter {
        var spec = spec
        spec?.defaultValue = value.parameterValue
        return Parameter(value: value, spec: spec)
    }
}

/// Parameters shared by several kinds (the network, the fitting loop), declared once in their own
/// `StageParameterSet` and flattened into each kind's list; a kind may start them at its own defaults.
@propertyWrapper
public struct ParameterGroup<Group: StageParameterSet>: Decodable, Sendable, FlattenedParameters {
    public let wrappedValue: Group

    public init(wrappedValue: Group) { self.wrappedValue = wrappedValue }

    public init(from decoder: Decoder) throws { wrappedValue = try Group(from: decoder) }

    var group: any StageParameterSet { wrappedValue }
}

/// Decoded from the whole parameter map, not from one key.
protocol FlattenedParameters { var group: any StageParameterSet { get } }

/// Bounds of a numeric parameter (inclusive, or exclusive below for `.positive`).
public struct ParameterRange: Sendable, Equatable {
    public var lower: Double?, upper: Double?
    /// The lower bound itself is excluded.
    public var lowerOpen = false

    public static func atLeast(_ x: Double) -> ParameterRange { ParameterRange(lower: x, upper: nil) }
    public static func between(_ a: Double, _ b: Double) -> ParameterRange { ParameterRange(lower: a, upper: b) }
    /// > 0.
    public static let positive = ParameterRange(lower: 0, upper: nil, lowerOpen: true)

    public func contains(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        let above = lower.map { lowerOpen ? x > $0 : x >= $0 } ?? true
        return above && (upper.map { x <= $0 } ?? true)
    }

    public var description: String {
        let low = lower.map { (lowerOpen ? "> " : "≥ ") + ParamValue.double($0).display }
        switch (low, upper) {
        case let (l?, u?): return "\(l) and ≤ \(ParamValue.double(u).display)"
        case let (l?, nil): return l
        case let (nil, u?): return "≤ \(ParamValue.double(u).display)"
        default: return "finite"
        }
    }
}

extension StageParameterSet {
    /// The declarations, in declaration order (groups in place), with the Swift property each binds.
    static var declarations: [(property: String, spec: ParameterSpec)] { declarations(of: Self()) }

    private static func declarations(of value: any StageParameterSet) -> [(property: String, spec: ParameterSpec)] {
        var out: [(property: String, spec: ParameterSpec)] = []
        for child in Mirror(reflecting: value).children {
            let property = String((child.label ?? "").drop { $0 == "_" })
            if let group = child.value as? FlattenedParameters {
                out += declarations(of: group.group)
            } else if let spec = (child.value as? DeclaredParameter)?.declaration {
                out.append((property, spec))
            } else {
                preconditionFailure("\(Self.self).\(property) is neither a @Parameter nor a @ParameterGroup")
            }
        }
        let names = out.map(\.spec.name)
        precondition(Set(names).count == names.count, "\(Self.self) declares a parameter twice: \(names)")
        return out
    }

    /// The kind's parameter list, derived from the declarations.
    public static var specs: [ParameterSpec] { declarations.map(\.spec) }

    /// The plan's values (defaults filled in) as this struct; errors name stage `id` and the parameter.
    public static func decode(_ values: [String: ParamValue], id: String) throws -> Self {
        let names = Dictionary(uniqueKeysWithValues: declarations.map { ($0.property, $0.spec.name) })
        return try Self(from: ParameterDecoder(values: values, names: names, id: id))
    }
}

/// A `@Parameter` seen through `Mirror`.
protocol DeclaredParameter { var declaration: ParameterSpec? { get } }

extension Parameter: DeclaredParameter {
    var declaration: ParameterSpec? { spec }
}

/// `P.specs`, computed once per type: planning a 1,000-instance sweep asks for them thousands of times.
func derivedSpecs<P: StageParameterSet>(_ type: P.Type) -> [ParameterSpec] {
    specCache.withLock { cache in
        if let specs = cache[ObjectIdentifier(type)] { return specs }
        let specs = P.specs
        cache[ObjectIdentifier(type)] = specs
        return specs
    }
}

private let specCache = Mutex<[ObjectIdentifier: [ParameterSpec]]>([:])

/// A string choice that may be left empty: `""` means any (`.any`), otherwise one of `Wrapped`'s values.
public enum OptionalChoice<Wrapped>: ParameterValue, Decodable, Sendable, Equatable
where Wrapped: ParameterValue & RawRepresentable & CaseIterable & Equatable, Wrapped.RawValue == String {
    case any
    case some(Wrapped)

    public static var parameterType: ParameterType { .string }
    public static var choices: [String] { [""] + Wrapped.allCases.map(\.rawValue) }
    public var parameterValue: ParamValue {
        switch self {
        case .any: .string("")
        case .some(let w): .string(w.rawValue)
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if text.isEmpty {
            self = .any
        } else if let w = Wrapped(rawValue: text) {
            self = .some(w)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not one of \(Self.choices)"))
        }
    }
}
