import Foundation
import Glibc

/// The one way CellFreeLab makes a file appear: written under a temporary name beside its final path,
/// flushed to disk (`fsync`), renamed over the final path (atomic on POSIX), and the rename made durable
/// (`fsync` of the directory). A crash or kill -9 at any moment leaves the old file or the new one,
/// never a half-written one. Used by the cache, stage checkpoints, model checkpoints and exports.
public enum DurableFile {
    /// The temporary name of `path` for this process: `<path>.tmp-<pid>` (the cache's stale-file sweep
    /// recognises the suffix).
    public static func temporary(for path: String) -> String { path + ".tmp-\(getpid())" }

    /// Publishes the closed file `temporary` as `path`: fsync, rename, fsync of the directory.
    public static func publish(_ temporary: String, as path: String) throws {
        try sync(temporary)
        guard rename(temporary, path) == 0 else {
            throw DurableFileError(path: path, detail: "cannot rename \(temporary): \(errnoText())")
        }
        let fd = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Writes `data` to `path` through a temporary file and `publish`.
    public static func write(_ data: Data, to path: String) throws {
        let temporary = temporary(for: path)
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw DurableFileError(path: temporary, detail: "cannot write: \(errnoText())")
        }
        do { try publish(temporary, as: path) } catch { unlink(temporary); throw error }
    }

    /// Writes `text` (UTF-8) to `path` durably.
    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// Flushes a written file's bytes to disk.
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFileError(path: path, detail: "cannot open for fsync: \(errnoText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DurableFileError(path: path, detail: "fsync failed: \(errnoText())") }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// A durable write that failed, naming the file.
public struct DurableFileError: Error, CustomStringConvertible {
    public let path: String
    public let detail: String
    public var description: String { "\(path): \(detail)" }
}
