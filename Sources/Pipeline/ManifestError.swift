/// A manifest problem, located: `file:line:column: field: message`. Nothing runs while one exists.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    /// The dotted path of the offending field, e.g. `stages.train.params.epochs`.
    public var field: String
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        "\(file):\(line):\(column): \(field.isEmpty ? "" : "field '\(field)': ")\(message)"
    }
}

/// Where something was written in a manifest.
public struct SourceLocation: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int

    func error(_ field: String, _ message: String) -> ManifestError {
        ManifestError(file: file, line: line, column: column, field: field, message: message)
    }
}
