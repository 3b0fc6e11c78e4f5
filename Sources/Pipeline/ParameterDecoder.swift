/// Decodes a plan's parameter map into a `StageParameterSet`: each `@Parameter` property reads the
/// manifest name it declares (`names`: property → name), each `@ParameterGroup` the whole map again.
/// Every failure is a `PipelineError.stage` naming the stage and the parameter.
struct ParameterDecoder: Decoder {
    let values: [String: ParamValue]
    let names: [String: String]
    let id: String
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw failure("the parameters are a map, not a list") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw failure("the parameters are a map, not one value") }

    func failure(_ detail: String) -> PipelineError { .stage(id: id, detail: detail) }

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: ParameterDecoder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { decoder.names.keys.compactMap { Key(stringValue: $0) } }

        func name(_ key: Key) -> String { decoder.names[key.stringValue] ?? key.stringValue }
        func contains(_ key: Key) -> Bool { decoder.values[name(key)] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { decoder.values[name(key)] == nil }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if type is FlattenedParameters.Type { return try T(from: decoder) }
            let name = name(key)
            guard let value = decoder.values[name] else { throw decoder.failure("parameter '\(name)' is not set") }
            return try T(from: ValueDecoder(value: value, name: name, id: decoder.id))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey> { throw decoder.failure("parameter '\(name(key))' cannot be a map") }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try ValueDecoder(value: decoder.values[name(key)] ?? .null, name: name(key), id: decoder.id).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
    }
}

/// Thrown by a parameter type that parses its value (e.g. a claim check): what it expected and why
/// the value is not that, for the message naming the stage and parameter.
public struct InvalidParameterValue: Error {
    public let expected: String
    public init(expected: String) { self.expected = expected }
}

/// One parameter's value (or one element of a list parameter).
struct ValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: ParamValue
    let name: String
    let id: String
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func failure(_ expected: String) -> PipelineError {
        .stage(id: id, detail: "parameter '\(name)' must be \(expected), found \(value.typeName) (\(value.display))")
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw failure("a map") }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let items = value.list else { throw failure("a list") }
        return Elements(items: items, name: name, id: id)
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { guard let b = value.bool else { throw failure("a boolean") }; return b }
    func decode(_ type: String.Type) throws -> String { guard let s = value.string else { throw failure("a string") }; return s }
    func decode(_ type: Double.Type) throws -> Double { guard let x = value.number else { throw failure("a number") }; return x }
    func decode(_ type: Int.Type) throws -> Int { guard let i = value.integer else { throw failure("an integer") }; return i }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try T(from: self)
        } catch let e as InvalidParameterValue {
            throw failure(e.expected)
        } catch DecodingError.dataCorrupted {
            throw outsideChoices(T.self)
        }
    }

    /// A string enum given a value outside its cases.
    func outsideChoices(_ type: Any.Type) -> PipelineError {
        let choices = (type as? any ParameterValue.Type)?.choices ?? []
        return failure(choices.isEmpty ? "of type \(type)" : "one of " + choices.joined(separator: ", "))
    }
    // Fixed-width types are not parameter types.
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int8.Type) throws -> Int8 { throw failure("an Int") }
    func decode(_ type: Int16.Type) throws -> Int16 { throw failure("an Int") }
    func decode(_ type: Int32.Type) throws -> Int32 { throw failure("an Int") }
    func decode(_ type: Int64.Type) throws -> Int64 { Int64(try decode(Int.self)) }
    func decode(_ type: UInt.Type) throws -> UInt { throw failure("an Int") }
    func decode(_ type: UInt8.Type) throws -> UInt8 { throw failure("an Int") }
    func decode(_ type: UInt16.Type) throws -> UInt16 { throw failure("an Int") }
    func decode(_ type: UInt32.Type) throws -> UInt32 { throw failure("an Int") }
    func decode(_ type: UInt64.Type) throws -> UInt64 { throw failure("an Int") }

    /// The elements of a list parameter, each decoded as a value named `name[i]`.
    private struct Elements: UnkeyedDecodingContainer {
        let items: [ParamValue]
        let name: String
        let id: String
        var currentIndex = 0
        var codingPath: [any CodingKey] { [] }
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        init(items: [ParamValue], name: String, id: String) { self.items = items; self.name = name; self.id = id }

        mutating func next() -> ValueDecoder {
            defer { currentIndex += 1 }
            return ValueDecoder(value: items[currentIndex], name: "\(name)[\(currentIndex)]", id: id)
        }

        mutating func decodeNil() throws -> Bool { items[currentIndex] == .null }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(T.self) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { next() }
    }
}
