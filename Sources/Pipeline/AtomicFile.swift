import DurableFile
import Foundation
import Glibc

/// Publishes `temporary` as `path` (`DurableFile.publish`), as a pipeline I/O error on failure.
func publish(_ temporary: String, as path: String) throws {
    do { try DurableFile.publish(temporary, as: path) } catch let e as DurableFileError { throw PipelineError.io(path: e.path, detail: e.detail) }
}

/// Writes `text` to `path` durably (`DurableFile.write`), as a pipeline I/O error on failure.
func writeAtomically(_ text: String, to path: String) throws {
    do { try DurableFile.write(text, to: path) } catch let e as DurableFileError { throw PipelineError.io(path: e.path, detail: e.detail) }
}

func makeDirectory(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw PipelineError.io(path: path, detail: "cannot create directory: \(error.localizedDescription)")
    }
}
