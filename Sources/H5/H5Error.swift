/// An HDF5 failure, always naming the file and, where there is one, the dataset, group or attribute.
public enum H5Error: Error, Equatable, CustomStringConvertible {
    case fileNotFound(file: String)
    case notHDF5(file: String)
    case fileExists(file: String)
    /// A group, dataset or attribute that is not there.
    case missing(file: String, object: String)
    /// The stored element type is not the one asked for.
    case typeMismatch(file: String, object: String, expected: String, found: String)
    /// The stored rank or shape is not the one asked for.
    case shapeMismatch(file: String, object: String, expected: String, found: [Int])
    /// Values that do not fill the declared shape, or other misuse of the API.
    case invalidArgument(file: String, object: String, detail: String)
    /// Any other failure inside the HDF5 library, with its own error-stack message.
    case library(file: String, object: String, operation: String, detail: String)

    public var description: String {
        switch self {
        case let .fileNotFound(f): return "\(f): no such file"
        case let .notHDF5(f): return "\(f): not an HDF5 file"
        case let .fileExists(f): return "\(f): file exists (not overwriting)"
        case let .missing(f, o): return "\(f): \(o): no such group, dataset or attribute"
        case let .typeMismatch(f, o, e, found): return "\(f): \(o): element type is \(found), expected \(e)"
        case let .shapeMismatch(f, o, e, found): return "\(f): \(o): shape is \(found), expected \(e)"
        case let .invalidArgument(f, o, d): return "\(f): \(o): \(d)"
        case let .library(f, o, op, d): return "\(f): \(o): \(op) failed\(d.isEmpty ? "" : ": " + d)"
        }
    }
}
