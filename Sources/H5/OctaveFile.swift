import ComplexModule
import RealModule

/// One variable of an Octave `save -hdf5` file, in Octave's terms: `shape` in Octave order
/// (at least 2 dims; a scalar is 1×1) and `values` in Octave's column-major order (first index fastest).
public struct OctaveVariable<Element>: CustomStringConvertible {
    public let name: String
    /// Octave's class string, e.g. `matrix`, `complex matrix`, `scalar`, `sq_string`.
    public let type: String
    public let shape: [Int]
    public let values: [Element]

    /// Column-major linear index of a 0-based multi-index (trailing indices may be omitted).
    public func offset(_ index: [Int]) -> Int {
        precondition(index.count <= shape.count, "\(name): index \(index) for shape \(shape)")
        var o = 0, stride = 1
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "\(name): index \(index) outside shape \(shape)")
            o += i * stride
            stride *= n
        }
        return o
    }

    /// Element at a 0-based multi-index in Octave order, e.g. `R[m, n, l, k]`.
    public subscript(_ index: Int...) -> Element { values[offset(index)] }

    public var description: String { "\(name): \(type) \(shape.map(String.init).joined(separator: "×"))" }
}

/// A file written by GNU Octave's `save -hdf5`: each variable is a group `/<name>` holding a string
/// dataset `type` and a dataset `value` whose dims are Octave's shape reversed (the buffer is Octave's
/// column-major memory). Complex values are the compound `{real, imag}`; strings are int8 codes.
public final class OctaveFile {
    public let file: H5File
    public var path: String { file.filePath }

    public init(_ path: String) throws {
        file = try H5File.open(path)
    }

    /// Every variable (a group with a `value` member), sorted by name.
    public func variableNames() throws -> [String] {
        try file.members().filter { $0.kind == .group && file.contains($0.name + "/value") }.map(\.name)
    }

    public func contains(_ name: String) -> Bool { file.contains(name + "/value") }

    private func group(_ name: String) throws -> H5Group {
        guard file.contains(name) else { throw H5Error.missing(file: path, object: "/" + name) }
        let g = try file.group(name)
        guard g.contains("value") else { throw H5Error.missing(file: path, object: "/\(name)/value") }
        return g
    }

    /// Octave's class string of a variable.
    public func type(of name: String) throws -> String { try typeString(group(name)) }

    private func typeString(_ g: H5Group) throws -> String {
        g.contains("type") ? try g.dataset("type").readString() : ""
    }

    /// Reads a variable whose stored element type is exactly `T`.
    public func read<T: H5Element>(_ name: String, as: T.Type = T.self) throws -> OctaveVariable<T> {
        let g = try group(name)
        let type = try typeString(g)
        let value = try g.dataset("value")
        if value.hasAttribute("OCTAVE_EMPTY_MATRIX") {
            // Empty arrays store their Octave dims as the data.
            let dims = try value.read(as: Int64.self).values.map { Int($0) }
            return OctaveVariable(name: name, type: type, shape: dims, values: [])
        }
        let a = try value.read(as: T.self)
        var shape = Array(a.shape.reversed())
        while shape.count < 2 { shape.append(1) }
        return OctaveVariable(name: name, type: type, shape: shape, values: a.values)
    }

    /// A real variable as Doubles (integer and logical storage is converted; complex or strings are
    /// a type error naming the variable).
    public func real(_ name: String) throws -> OctaveVariable<Double> {
        do {
            return try read(name, as: Double.self)
        } catch H5Error.typeMismatch(let f, let o, _, let found) {
            func convert<I: H5Element & BinaryInteger>(_: I.Type) -> OctaveVariable<Double>? {
                guard let v = try? read(name, as: I.self) else { return nil }
                return OctaveVariable(name: name, type: v.type, shape: v.shape, values: v.values.map { Double($0) })
            }
            if let v = convert(Int8.self) ?? convert(UInt8.self) ?? convert(Int32.self) ?? convert(Int64.self) { return v }
            throw H5Error.typeMismatch(file: f, object: o, expected: "real float64", found: found)
        }
    }

    /// A complex variable. Real storage is accepted and promoted: Octave saves a complex array whose
    /// imaginary parts are all zero as a real `matrix`.
    public func complex(_ name: String) throws -> OctaveVariable<Complex<Double>> {
        do {
            return try read(name, as: Complex<Double>.self)
        } catch H5Error.typeMismatch(let f, let o, _, let found) {
            guard let v = try? real(name) else {
                throw H5Error.typeMismatch(file: f, object: o, expected: "complex128 {real, imag} or float64", found: found)
            }
            return OctaveVariable(name: name, type: v.type, shape: v.shape, values: v.values.map { Complex($0, 0) })
        }
    }

    /// A real scalar.
    public func scalar(_ name: String) throws -> Double {
        let v = try real(name)
        guard v.values.count == 1 else {
            throw H5Error.shapeMismatch(file: path, object: "/\(name)/value", expected: "a scalar", found: v.shape)
        }
        return v.values[0]
    }

    /// A character array (int8 codes) as a string.
    public func string(_ name: String) throws -> String {
        let v = try read(name, as: Int8.self)
        return String(decoding: v.values.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension OctaveVariable {
    /// Fails unless the variable has exactly this Octave shape.
    public func requireShape(_ expected: [Int], file: String) throws {
        guard shape == expected else {
            throw H5Error.shapeMismatch(file: file, object: "/\(name)/value", expected: "Octave shape \(expected)", found: shape)
        }
    }
}
