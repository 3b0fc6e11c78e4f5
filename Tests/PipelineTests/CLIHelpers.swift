import Foundation
import Glibc
import H5
import Pipeline
import TestSupport

/// Runs the real `cellfree` binary (built next to the test bundle by `swift test`) in a scratch
/// directory, as users and CI do.
struct Workspace {
    let scratch: ScratchDirectory
    var dir: String { scratch.url.path }
    var outputs: String { dir + "/outputs" }
    var layout: CacheLayout { CacheLayout(outputs: outputs) }

    init() throws { scratch = try ScratchDirectory() }

    static var executable: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // Under `swift test` the bundle is …/debug/CellFreeLabPackageTests.xctest (a file on Linux).
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("cellfree").path
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    /// Runs `cellfree ARGS` to completion; returns the exit status and stdout + stderr.
    @discardableResult
    func cellfree(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = try start(arguments, log: dir + "/last-command.log")
        p.waitUntilExit()
        let output = (try? String(contentsOfFile: dir + "/last-command.log", encoding: .utf8)) ?? ""
        return (p.terminationStatus, output)
    }

    /// Starts `cellfree ARGS` in the background with its output in `log`.
    func start(_ arguments: [String], log: String) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)!
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.executable)
        p.arguments = arguments
        p.currentDirectoryURL = scratch.url
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        return p
    }

    /// Every file under the cache directory, relative to it.
    func cacheFiles() -> [String] {
        let e = FileManager.default.enumerator(atPath: layout.root)
        var out: [String] = []
        while let f = e?.nextObject() as? String { out.append(f) }
        return out.sorted()
    }

    /// Result files (`<kind>/<key>.h5`), without checkpoints.
    func results() -> [String] {
        cacheFiles().filter { $0.hasSuffix(".h5") && !$0.hasSuffix(".partial.h5") && !$0.hasPrefix(".") }
    }

    /// Keys of `toy` instances caught half-way: a checkpoint and no result.
    func halfway() -> [String] {
        let files = Set(cacheFiles())
        return files.filter { $0.hasPrefix("toy/") && $0.hasSuffix(".partial.h5") }
            .map { String($0.dropFirst("toy/".count).dropLast(".partial.h5".count)) }
            .filter { !files.contains("toy/\($0).h5") }.sorted()
    }

    /// Leftovers a run must never leave: temporaries, lock files, job files.
    func strays() -> [String] {
        cacheFiles().filter { $0.contains(".tmp-") || $0.hasSuffix(".lock") || $0.hasPrefix(".jobs/") }
    }

    /// Every dataset's bytes and every attribute except `created`, for bit-identity checks.
    func content(_ relative: String) throws -> [String: [UInt8]] {
        let f = try H5File.open(layout.root + "/" + relative)
        defer { try? f.close() }
        var out: [String: [UInt8]] = [:]
        for path in try f.datasetPaths() { out[path] = try f.dataset(path).rawBytes() }
        for name in f.attributeNames where name != ProvenanceAttribute.created { out["@" + name] = Array(try f.stringAttribute(name).utf8) }
        return out
    }

    /// Flips one bit of the 4th stored byte of `dataset` in the HDF5 file at `path`: a corruption of the
    /// values that only the content checksum can notice.
    func flipStoredBit(_ path: String, dataset: String) throws {
        let file = try H5File.open(path)
        guard let offset = try file.dataset(dataset).storageOffset else { throw CocoaError(.fileReadCorruptFile) }
        try file.close()
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        var byte: UInt8 = 0
        pread(fd, &byte, 1, off_t(offset + 3))
        byte ^= 0x10
        pwrite(fd, &byte, 1, off_t(offset + 3))
    }

    func cleanup() { scratch.cleanup() }
}
