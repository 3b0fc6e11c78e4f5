import Foundation
import Glibc

/// Flushes a written file's bytes to disk (`fsync`), so a rename that follows publishes complete data.
func syncFile(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw PipelineError.io(path: path, detail: "cannot open for fsync: \(errnoText())") }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw PipelineError.io(path: path, detail: "fsync failed: \(errnoText())") }
}

/// Makes a rename inside `directory` durable.
func syncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 { fsync(fd); close(fd) }
}

/// Publishes `temporary` as `path` atomically (fsync, rename, fsync of the directory).
func publish(_ temporary: String, as path: String) throws {
    try syncFile(temporary)
    guard rename(temporary, path) == 0 else {
        throw PipelineError.io(path: path, detail: "cannot rename \(temporary): \(errnoText())")
    }
    syncDirectory((path as NSString).deletingLastPathComponent)
}

/// Writes `text` to `path` through a temporary file and an atomic rename.
func writeAtomically(_ text: String, to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
        throw PipelineError.io(path: temporary, detail: "cannot write: \(errnoText())")
    }
    try publish(temporary, as: path)
}

func makeDirectory(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw PipelineError.io(path: path, detail: "cannot create directory: \(error.localizedDescription)")
    }
}
