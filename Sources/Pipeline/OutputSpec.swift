import H5

/// One dataset a stage kind writes: its path in the result file (`<scheme>/se_ul`: a segment in angle
/// brackets stands for any group name), its dimension names, units ("1" when dimensionless) and meaning.
/// Kinds declare them once (`StageKind.outputs`), write through them (`H5Group.write(_:_:shape:)`), and
/// `cellfree kinds KIND` prints them.
public struct OutputSpec: Sendable, Equatable {
    public var path: String
    public var dims: [String]
    public var units: String
    public var help: String

    public init(_ path: String, dims: [String], units: String, _ help: String) {
        self.path = path; self.dims = dims; self.units = units; self.help = help
    }

    /// The dataset's own name (the last path segment).
    public var name: String { String(path.split(separator: "/").last ?? "") }

    /// Whether a stored dataset path ("/cf/se_ul") is this declaration's (angle-bracket segments match any name).
    public func matches(_ stored: String) -> Bool {
        let a = path.split(separator: "/"), b = stored.split(separator: "/")
        return a.count == b.count && zip(a, b).allSatisfy { $0.hasPrefix("<") && $0.hasSuffix(">") || $0 == $1 }
    }
}

extension Array where Element == OutputSpec {
    /// The declaration of dataset `name` (its last path segment); a programming error when undeclared.
    public func spec(_ name: String) -> OutputSpec {
        guard let s = first(where: { $0.name == name }) else { preconditionFailure("dataset \(name) is not declared in the kind's outputs") }
        return s
    }
}

extension H5Group {
    /// Writes dataset `spec.name` with the declared `dims` and `units` attributes and the dims as HDF5
    /// dimension labels (shape checked against the dims).
    @discardableResult
    public func write<T: H5Element>(_ spec: OutputSpec, _ values: [T], shape: [Int]) throws -> H5Dataset {
        precondition(spec.dims.count == shape.count, "\(spec.path): \(spec.dims.count) dimension names for shape \(shape)")
        let d = try write(spec.name, values, shape: shape)
        try d.setAttribute("dims", spec.dims.joined(separator: ","))
        try d.setDimensionLabels(spec.dims)
        try d.setAttribute("units", spec.units)
        return d
    }
}
