import Pipeline
import Testing

/// `--set STAGE.PARAM=VALUE` (issue 20 item 4): the value is checked like a manifest's, changes the
/// instance's key as writing it in the manifest would, wins over profiles, and a swept or unknown
/// target is refused with the override named.
struct CommandLineOverrideTests {
    static let registry = StageRegistry(toyStageKinds)
    static let text = """
        name: m
        profiles:
          small: {stages: {a: {params: {count: 2}}}}
        stages:
          - name: a
            kind: toy
            params: {count: 4}
            sweep: {grid: {size: [2, 3]}}
          - {name: b, kind: toy-sum, inputs: [a]}
        """

    func keys(_ m: Manifest, profile: String? = nil) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try m.plan(profile: profile, registry: Self.registry).instances.map { ($0.id, $0.key) })
    }

    @Test func anOverrideActsAsTheManifestWouldAndWinsOverProfiles() throws {
        let base = try Manifest.parse(Self.text, file: "m.yaml")
        let written = try Manifest.parse(Self.text.replacingOccurrences(of: "params: {count: 4}", with: "params: {count: 7}"), file: "m.yaml")
        let set = try base.overriding(["a.count=7"])
        #expect(try keys(set) == keys(written))
        #expect(try keys(set)["a[size=2]"] != keys(base)["a[size=2]"])
        // The profile sets count: 2; the command line still wins.
        #expect(try keys(set, profile: "small") == keys(written))
        #expect(try keys(base.overriding(["b.scale=2.5"]))["b"] != keys(base)["b"])
    }

    @Test func badOverridesAreRefusedAndNamed() throws {
        let base = try Manifest.parse(Self.text, file: "m.yaml")
        for (set, message) in [("a.size=4", "stage 'a' sweeps 'size'"), ("c.count=1", "no stage 'c'"), ("a.count", "is not STAGE.PARAM=VALUE")] {
            do {
                _ = try base.overriding([set])
                Issue.record("\(set) was accepted")
            } catch let e as ManifestError {
                #expect("\(e)".contains("--set #1") && "\(e)".contains(message), "\(e)")
            }
        }
        do {
            _ = try base.overriding(["a.count=-1"]).plan(registry: Self.registry)
            Issue.record("a negative count was accepted")
        } catch let e as ManifestError {
            #expect("\(e)".contains("--set #1") && "\(e)".contains("must be ≥ 0"), "\(e)")
        }
    }

    /// A stage's own key does not depend on its name: renaming it keeps its keys. (Its readers' keys
    /// still do: they record the input by stage name; issue 20 item 4 leaves that to a key-format change.)
    @Test func aRenamedStageKeepsItsKeys() throws {
        let base = try keys(Manifest.parse(Self.text, file: "m.yaml"))
        let renamed = try keys(Manifest.parse(Self.text.replacingOccurrences(of: "name: a\n", with: "name: draws\n")
            .replacingOccurrences(of: "inputs: [a]", with: "inputs: [draws]").replacingOccurrences(of: "{a: {params", with: "{draws: {params"), file: "m.yaml"))
        #expect(renamed["draws[size=2]"] == base["a[size=2]"] && renamed["draws[size=3]"] == base["a[size=3]"])
    }
}
