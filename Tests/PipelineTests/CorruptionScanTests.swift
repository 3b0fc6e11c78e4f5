import Foundation
import Testing
import TestSupport

/// Issue 19: a dense sample of one-bit flips over a whole small cache file. h5dump (hdf5-tools, which
/// `make deps` installs) is the independent reader: every flip that changes what it prints (the
/// `created` attribute aside) must fail `verify-cache`, the check `run` and `--verify` use, which runs
/// in a child process so that flips that crash libhdf5 itself count as damage. A few detected flips go
/// through `inspect` (exit 1) and `run --verify` (recomputed) as well.
let h5dumpProgram = ["/usr/bin/h5dump", "/usr/local/bin/h5dump"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite(.enabled(if: h5dumpProgram != nil, "needs h5dump (hdf5-tools)"))
struct CorruptionScanTests {
    static let manifest = "name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: 4, size: 3}\n"

    /// What h5dump prints of `path` without its first line (the file name) and the `created` block; nil
    /// when h5dump fails on it.
    static func dump(_ path: String) throws -> String? {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: h5dumpProgram!)
        p.arguments = [path]
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationReason == .exit, p.terminationStatus == 0 else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        if let start = lines.firstIndex(of: "   ATTRIBUTE \"created\" {"), let end = lines[start...].firstIndex(of: "   }") {
            lines.removeSubrange(start...end)
        }
        return lines.joined(separator: "\n")
    }

    @Test func everyFlipThatChangesWhatAReaderSeesIsDetected() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        #expect(try w.cellfree(["run", "m.yaml"]).status == 0)
        let relative = try #require(w.results().first)
        let path = w.layout.root + "/" + relative
        let key = String(relative.dropFirst("toy/".count).dropLast(".h5".count))
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let clean = try #require(try Self.dump(path))
        var changed = 0, detected: [Int] = []
        for offset in stride(from: 0, to: original.count, by: 16) {
            var flipped = original
            flipped[offset] ^= UInt8(1) << UInt8(offset / 16 % 8)
            try flipped.write(to: URL(fileURLWithPath: path))
            guard let seen = try Self.dump(path), seen != clean else { continue }
            changed += 1
            let verdict = try w.cellfree(["verify-cache", path, key])
            #expect(verdict.status != 0, "a flip of byte \(offset) changes what h5dump reads, yet verify-cache passes it")
            if verdict.status != 0 { detected.append(offset) }
        }
        #expect(changed > 30, "\(changed) flips changed what h5dump reads")
        // A few of them through inspect and run --verify, which recomputes the file.
        for offset in detected.prefix(3) {
            var flipped = original
            flipped[offset] ^= UInt8(1) << UInt8(offset / 16 % 8)
            try flipped.write(to: URL(fileURLWithPath: path))
            #expect(try w.cellfree(["inspect", path]).status == 1, "inspect passes the flip at \(offset)")
            let rerun = try w.cellfree(["run", "m.yaml", "--verify"])
            #expect(rerun.status == 0 && rerun.output.contains("1 computed"), "\(rerun.output)")
            #expect(try Self.dump(path) == clean)
        }
    }
}
