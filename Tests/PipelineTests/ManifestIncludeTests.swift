import Foundation
import Pipeline
import Testing

/// `include:` takes other manifests' stages, defaults and profiles; a file reached twice counts once;
/// included stages keep their keys; seeds must agree; cycles and missing files are located errors.
struct ManifestIncludeTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("include-\(UUID().uuidString)").path

    func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func includedStagesKeepTheirKeysAndASharedFileCountsOnce() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let common = try write("common.yaml", "name: common\nseed: 3\nstages:\n  - {name: draw, kind: toy, params: {count: 4}}\n")
        let a = try write("a.yaml", """
            name: a
            seed: 3
            include: [common.yaml]
            profiles:
              small: {stages: {draw: {params: {count: 2}}}}
            stages:
              - {name: sum-a, kind: toy-sum, inputs: [draw]}
            """)
        _ = try write("b.yaml", "name: b\nseed: 3\ninclude: [common.yaml]\nstages:\n  - {name: sum-b, kind: toy-sum, inputs: [draw]}\n")
        let all = try write("all.yaml", "name: all\nseed: 3\ninclude: [a.yaml, b.yaml]\nstages: []\n")
        let registry = StageRegistry(toyStageKinds)
        let plan = try Manifest.load(all).plan(profile: nil, registry: registry)
        #expect(plan.instances.map(\.stage) == ["draw", "sum-a", "sum-b"])
        // The same stage has the same key whichever manifest runs it, and the included profile applies.
        let alone = try Manifest.load(common).plan(profile: nil, registry: registry)
        #expect(plan.instances[0].key == alone.instances[0].key)
        let small = try Manifest.load(all).plan(profile: "small", registry: registry)
        #expect(small.instances[0].key != plan.instances[0].key)
        #expect(small.instances[0].key == (try Manifest.load(a).plan(profile: "small", registry: registry)).instances[0].key)
    }

    @Test func seedMismatchCycleAndMissingFileAreLocated() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try write("other.yaml", "name: other\nseed: 4\nstages: []\n")
        let mismatch = try write("m.yaml", "name: m\nseed: 3\ninclude: [other.yaml]\nstages: []\n")
        #expect(throws: ManifestError.self) { try Manifest.load(mismatch) }
        do { _ = try Manifest.load(mismatch) } catch let e as ManifestError { #expect(e.description.contains("seed 4"), "\(e)") }
        _ = try write("x.yaml", "name: x\nseed: 3\ninclude: [y.yaml]\nstages: []\n")
        let y = try write("y.yaml", "name: y\nseed: 3\ninclude: [x.yaml]\nstages: []\n")
        do { _ = try Manifest.load(y); Issue.record("no cycle error") } catch let e as ManifestError {
            #expect(e.description.contains("include cycle") && e.line == 3, "\(e)")
            // The whole chain, every file in it: y → x → y.
            #expect(e.description.hasSuffix("include cycle: \(y) → \(directory)/x.yaml → \(y)"), "\(e)")
        }
        let selfish = try write("s.yaml", "name: s\nseed: 3\ninclude: [s.yaml]\nstages: []\n")
        do { _ = try Manifest.load(selfish); Issue.record("no self-include error") } catch let e as ManifestError {
            #expect(e.description.contains("include cycle") && e.line == 3 && e.file == selfish, "\(e)")
        }
        let missing = try write("n.yaml", "name: n\nseed: 3\ninclude: [nowhere.yaml]\nstages: []\n")
        do { _ = try Manifest.load(missing); Issue.record("no missing-file error") } catch let e as ManifestError {
            #expect(e.description.contains("nowhere.yaml") && e.line == 3 && e.file == missing, "\(e)")
        }
    }
}
