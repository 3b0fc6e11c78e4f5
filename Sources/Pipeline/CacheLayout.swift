import DurableFile
import Foundation
import Glibc
import H5

/// Where results live: `<root>/<kind>/<key>.h5`, with `.partial.h5` checkpoints and `.lock` files
/// beside them, and logs under `<logs>/<kind>/<key>.log`.
public struct CacheLayout: Sendable {
    public var root: String
    public var logs: String

    /// `outputs/cache` and `outputs/logs` under `outputs`.
    public init(outputs: String) {
        root = outputs + "/cache"
        logs = outputs + "/logs"
    }

    public init(root: String, logs: String) {
        self.root = root
        self.logs = logs
    }

    public func file(kind: String, key: String) -> String { "\(root)/\(kind)/\(key).h5" }
    public func partial(kind: String, key: String) -> String { "\(root)/\(kind)/\(key).partial.h5" }
    public func lock(kind: String, key: String) -> String { "\(root)/\(kind)/\(key).lock" }
    public func temporary(kind: String, key: String) -> String { DurableFile.temporary(for: file(kind: kind, key: key)) }
    public func log(kind: String, key: String) -> String { "\(logs)/\(kind)/\(key).log" }
    var verifiedIndex: String { root + "/.verified" }
    public var stateDirectory: String { root + "/.state" }
    var jobsDirectory: String { root + "/.jobs" }

    /// Removes what killed processes left: temporary files, lock files whose key no live process
    /// holds, and checkpoints of keys whose result was published (a kill between the publish and the
    /// checkpoint's removal). Returns the paths removed.
    @discardableResult
    public func removeStaleFiles() -> [String] {
        var removed: [String] = []
        let fm = FileManager.default
        guard let kinds = try? fm.contentsOfDirectory(atPath: root) else { return [] }
        for kind in kinds where !kind.hasPrefix(".") {
            let dir = root + "/" + kind
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                guard let key = staleCandidateKey(name, in: dir) else { continue }
                // Holding the key's lock proves no live process is computing it.
                guard let lock = try? FileLock.tryAcquire(dir + "/" + key + ".lock") else { continue }
                if !name.hasSuffix(".lock") {
                    unlink(dir + "/" + name)
                    removed.append(dir + "/" + name)
                } else {
                    removed.append(lock.path)
                }
                lock.release()
            }
        }
        // Job files of local drivers that are gone (`<pid>-<n>.jobs`); Slurm job files stay, since
        // array tasks may still read them after their driver died.
        for name in (try? fm.contentsOfDirectory(atPath: jobsDirectory)) ?? [] where !name.hasPrefix("slurm-") {
            guard let pid = pid_t(name.prefix { $0 != "-" }), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(jobsDirectory + "/" + name)
            removed.append(jobsDirectory + "/" + name)
        }
        // The (possibly empty) jobs directory stays: another driver may be about to write into it.
        return removed
    }

    private func staleCandidateKey(_ name: String, in dir: String) -> String? {
        if let r = name.range(of: ".partial.h5.tmp-") { return String(name[..<r.lowerBound]) }
        if name.hasSuffix(".partial.h5") {
            let key = String(name.dropLast(".partial.h5".count))
            return FileManager.default.fileExists(atPath: dir + "/" + key + ".h5") ? key : nil
        }
        if let r = name.range(of: ".h5.tmp-") { return String(name[..<r.lowerBound]) }
        if name.hasSuffix(".lock") { return String(name.dropLast(5)) }
        return nil
    }
}

/// What the cache holds for one key.
public enum CacheEntryState: Sendable, Equatable {
    case missing
    case valid
    /// Present but unreadable, for another key, or failing its checksum; the reason says which.
    case corrupt(String)
}

/// Checks cache files, remembering (size, mtime, inode) of files already verified so an unchanged
/// file is not re-read: a 1,000-instance no-op run costs 1,000 `stat` calls, not 1,000 file reads.
/// Any write to a file changes its mtime or size and forces a full check; `verifyAll` forces it always.
public final class CacheVerifier {
    public let layout: CacheLayout
    public var verifyAll = false
    /// When set, files are checked by `<executable> verify-cache PATH KEY` in a child process: libhdf5
    /// itself can crash on a damaged file (a corrupt heap or link), and then only the child dies and the
    /// file counts as corrupt. nil checks in this process (tests of the library).
    public var isolatingExecutable: String?
    private var index: [String: String] = [:]
    private var changed = false

    public init(layout: CacheLayout) {
        self.layout = layout
        if let text = try? String(contentsOfFile: layout.verifiedIndex, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2 { index[String(parts[0])] = String(parts[1]) }
            }
        }
    }

    public func state(kind: String, key: String) -> CacheEntryState {
        let path = layout.file(kind: kind, key: key)
        guard let stamp = fileStamp(path) else { return .missing }
        if !verifyAll, index[key] == stamp { return .valid }
        let state = isolatingExecutable.map { Self.verifyInChild(executable: $0, path: path, key: key) } ?? Self.verify(path: path, key: key)
        if state == .valid { remember(key: key, stamp: stamp) } else if index.removeValue(forKey: key) != nil { changed = true }
        return state
    }

    /// Records a file this run has just written and checksummed (no second read).
    public func recordFresh(kind: String, key: String) {
        if let stamp = fileStamp(layout.file(kind: kind, key: key)) { remember(key: key, stamp: stamp) }
    }

    private func remember(key: String, stamp: String) {
        if index[key] != stamp { index[key] = stamp; changed = true }
    }

    /// Writes the index back (atomically) if it changed.
    public func save() {
        guard changed, FileManager.default.fileExists(atPath: layout.root) else { return }
        let text = index.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
        try? writeAtomically(text, to: layout.verifiedIndex)
        changed = false
    }

    /// `verify` in a child process (`<executable> verify-cache PATH KEY`: exit 0 valid, 1 corrupt with the
    /// reason on stdout); a child killed by a signal means the file crashed libhdf5.
    public static func verifyInChild(executable: String, path: String, key: String) -> CacheEntryState {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = ["verify-cache", path, key]
        let out = Pipe()
        child.standardOutput = out
        child.standardError = FileHandle.nullDevice
        do { try child.run() } catch { return verify(path: path, key: key) }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        child.waitUntilExit()
        switch (child.terminationReason, child.terminationStatus) {
        case (.exit, 0): return .valid
        case (.exit, _): return .corrupt(text.isEmpty ? "verify-cache exited with status \(child.terminationStatus)" : text)
        default: return .corrupt("reading it crashed libhdf5 (signal \(child.terminationStatus)): damaged")
        }
    }

    /// Opens the file and checks its key attribute and content checksum.
    public static func verify(path: String, key: String) -> CacheEntryState {
        do {
            let file = try H5File.open(path)
            defer { try? file.close() }
            guard file.hasAttribute(ProvenanceAttribute.checksum) else { return .corrupt("no checksum attribute (unfinished write?)") }
            let storedKey = try file.stringAttribute(ProvenanceAttribute.key)
            guard storedKey == key else { return .corrupt("holds key \(storedKey), not \(key)") }
            let stored = try file.stringAttribute(ProvenanceAttribute.checksum)
            let (verifies, actual) = try checksumVerifies(stored, of: file)
            return verifies ? .valid : .corrupt("content checksum mismatch (stored \(stored.prefix(15))…, computed \(actual.prefix(15))…)")
        } catch {
            return .corrupt("unreadable: \(error)")
        }
    }
}

/// `size mtime_ns inode` of a file, or nil if absent.
func fileStamp(_ path: String) -> String? {
    var s = stat()
    guard stat(path, &s) == 0 else { return nil }
    return "\(s.st_size) \(s.st_mtim.tv_sec)\(String(format: "%09ld", s.st_mtim.tv_nsec)) \(s.st_ino)"
}
