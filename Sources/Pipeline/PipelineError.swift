/// Failures of the pipeline machinery (not of a stage's own computation).
public enum PipelineError: Error, CustomStringConvertible, Sendable {
    case io(path: String, detail: String)
    case corrupt(path: String, detail: String)
    case stage(id: String, detail: String)
    case usage(String)

    public var description: String {
        switch self {
        case .io(let path, let detail): "\(path): \(detail)"
        case .corrupt(let path, let detail): "corrupt cache file \(path): \(detail)"
        case .stage(let id, let detail): "stage \(id): \(detail)"
        case .usage(let text): text
        }
    }
}
