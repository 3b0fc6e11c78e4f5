import DurableFile
import Foundation
import Testing
import TestSupport

/// The one durable write: the new content replaces the old in one step, nothing is left beside it,
/// and a failure names the file.
struct DurableFileTests {
    @Test func aWriteReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = dir.path("state.json")
        try DurableFile.write("old", to: path)
        try DurableFile.write("new", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["state.json"])
        #expect(DurableFile.temporary(for: path) == path + ".tmp-\(getpid())")
    }

    @Test func aFailedPublishNamesTheFile() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let target = dir.path("missing/dir/result.h5")
        do {
            try DurableFile.write("x", to: target)
            Issue.record("no error")
        } catch let e as DurableFileError {
            #expect(e.path.hasPrefix(target) && e.description.contains("cannot write"), "\(e)")
        }
    }
}
