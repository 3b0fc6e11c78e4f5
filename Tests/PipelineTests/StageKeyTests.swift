import Foundation
import Testing
import TestSupport

/// Every manifest in `manifests/` plans to the content keys recorded in `Tests/Fixtures/plan-keys/`
/// (`cellfree plan M --profile P --keys`), so a refactoring of the stage kinds cannot silently
/// invalidate (or alias) cached results: a cache made before the change is still complete after it.
/// A kind whose version is bumped on purpose regenerates its file, and the commit says why.
struct StageKeyTests {
    static let directory = Fixtures.testsDirectory.appendingPathComponent("Fixtures/plan-keys").path
    static let manifests = Fixtures.testsDirectory.deletingLastPathComponent().appendingPathComponent("manifests").path

    static var recorded: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test func everyManifestHasRecordedKeys() {
        #expect(Self.recorded.count == 12, "\(Self.recorded)")
    }

    @Test(arguments: recorded)
    func keysAreUnchanged(_ file: String) throws {
        // `<manifest>-<profile>.txt`, or `<manifest>.txt` for manifests without profiles.
        let stem = String(file.dropLast(4))
        let profile = ["default", "paper"].first { stem.hasSuffix("-" + $0) }
        let manifest = profile.map { String(stem.dropLast($0.count + 1)) } ?? stem
        let w = try Workspace()
        defer { w.cleanup() }
        let r = try w.cellfree(["plan", Self.manifests + "/" + manifest + ".yaml", "--keys"] + (profile.map { ["--profile", $0] } ?? []))
        #expect(r.status == 0, "\(r.output)")
        let expected = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8).split(separator: "\n").map(String.init)
        let actual = r.output.split(separator: "\n").map(String.init)
        let changed = Set(expected).symmetricDifference(actual).map { $0.split(separator: "\t").first.map(String.init) ?? $0 }
        #expect(actual == expected, "\(file): \(Set(changed).sorted().prefix(20))")
    }
}
