import Pipeline
import Testing

/// Every manifest error names the file, the line and the field, and nothing is planned.
struct ManifestErrorTests {
    static let registry = StageRegistry(toyStageKinds)

    /// Parses and plans `yaml`; returns the error it must raise.
    func error(_ yaml: String, profile: String? = nil) throws -> ManifestError {
        do {
            _ = try Manifest.parse(yaml, file: "bad.yaml").plan(profile: profile, registry: Self.registry)
        } catch let e as ManifestError {
            return e
        }
        Issue.record("no error for:\n\(yaml)")
        throw CancellationError()
    }

    func check(_ yaml: String, line: Int, field: String, mentions: String, profile: String? = nil) throws {
        let e = try error(yaml, profile: profile)
        #expect(e.file == "bad.yaml")
        #expect(e.line == line, "\(e)")
        #expect(e.field == field, "\(e)")
        #expect(e.description.contains("bad.yaml:\(line):"), "\(e)")
        #expect(e.description.contains(mentions), "\(e)")
    }

    @Test func unknownTopLevelKey() throws {
        try check("name: m\nstages: []\nstagse: []\n", line: 3, field: "stagse", mentions: "unknown key 'stagse'")
    }

    /// A NUL byte (or another control character YAML forbids) is located where it is, not at 1:1.
    @Test func controlCharactersAreLocated() throws {
        try check("name: m\nseed: 1\nstages:\n  - name: a\n    kind: to\u{0}y\n", line: 5, field: "", mentions: "bad.yaml:5:13: control character U+0000")
    }

    @Test func unknownStageKey() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    parms: {count: 2}\n", line: 5, field: "stages.a.parms", mentions: "unknown key 'parms'")
    }

    @Test func outOfRangeValuesAreRefusedWhereTheyAreWritten() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    params:\n      size: 0\n", line: 6, field: "stages.a.params.size",
                  mentions: "parameter 'size' of kind 'toy' must be ≥ 1, found 0")
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    params:\n      step_ms: -5\n", line: 6, field: "stages.a.params.step_ms",
                  mentions: "must be ≥ 0 ms, found -5")
        // In a sweep, each value is checked.
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    sweep:\n      grid: {count: [2, -1]}\n", line: 6,
                  field: "stages.a.sweep.grid.count[1]", mentions: "must be ≥ 0, found -1")
    }

    @Test func unknownParameter() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    params:\n      cuont: 2\n", line: 6, field: "stages.a.params.cuont",
                  mentions: "has no parameter 'cuont'")
    }

    @Test func wrongParameterType() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: ten}\n", line: 5, field: "stages.a.params.count",
                  mentions: "must be an integer, found a string")
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: 2.5}\n", line: 5, field: "stages.a.params.count",
                  mentions: "must be an integer")
        try check("name: m\nseed: one\nstages: []\n", line: 2, field: "seed", mentions: "expected an integer")
    }

    @Test func wrongSweepValueType() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    sweep:\n      grid:\n        size: [2, 3,\n               four]\n",
                  line: 8, field: "stages.a.sweep.grid.size[2]", mentions: "found a string (four)")
    }

    @Test func missingInput() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n  - name: s\n    kind: toy-sum\n    inputs: [a, b]\n",
                  line: 7, field: "stages.s.inputs[1]", mentions: "input 'b' is not a stage")
    }

    @Test func duplicateStageName() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n  - name: a\n    kind: toy\n", line: 5, field: "stages.a",
                  mentions: "duplicate stage name 'a' (first defined at line 3)")
    }

    @Test func duplicateKey() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: 1, count: 2}\n", line: 5, field: "count",
                  mentions: "duplicate key 'count'")
    }

    @Test func cycle() throws {
        let yaml = "name: m\nstages:\n  - name: a\n    kind: toy-sum\n    inputs: [c]\n  - name: b\n    kind: toy-sum\n    inputs: [a]\n  - name: c\n    kind: toy-sum\n    inputs: [b]\n"
        let e = try error(yaml)
        #expect(e.line == 3 || e.line == 6 || e.line == 9, "\(e)")
        #expect(e.field.hasSuffix(".inputs"), "\(e)")
        #expect(e.message.contains("cycle") && e.message.contains("→"), "\(e)")
        try check("name: m\nstages:\n  - name: a\n    kind: toy-sum\n    inputs: [a]\n", line: 3, field: "stages.a.inputs", mentions: "a → a")
    }

    @Test func unknownKind() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: tyo\n", line: 4, field: "stages.a.kind", mentions: "unknown stage kind 'tyo'")
    }

    @Test func missingRequiredKeys() throws {
        try check("name: m\nstages:\n  - kind: toy\n", line: 3, field: "stages[0]", mentions: "missing required key 'name'")
        try check("stages: []\n", line: 1, field: "", mentions: "missing required key 'name'")
    }

    @Test func zipLengthsDiffer() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    sweep:\n      zip: {count: [1, 2], size: [3]}\n",
                  line: 6, field: "stages.a.sweep.zip.size", mentions: "equal lengths")
    }

    @Test func sweepOfUnknownParameterAndSeedsWithoutReplica() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    sweep:\n      grid: {K: [1, 2]}\n",
                  line: 6, field: "stages.a.sweep.grid.K", mentions: "no parameter 'K' to sweep")
        try check("name: m\nstages:\n  - name: a\n    kind: toy-sum\n    sweep: {seeds: 2}\n",
                  line: 5, field: "stages.a.sweep.seeds", mentions: "no 'replica' parameter")
    }

    @Test func profileErrors() throws {
        try check("name: m\nprofiles:\n  smoke:\n    stages:\n      nope: {params: {count: 1}}\nstages:\n  - {name: a, kind: toy}\n",
                  line: 5, field: "profiles.smoke.stages.nope", mentions: "does not define")
        try check("name: m\nprofiles:\n  smoke:\n    stages:\n      a: {params: {count: x}}\nstages:\n  - {name: a, kind: toy}\n",
                  line: 5, field: "profiles.smoke.stages.a.params.count", mentions: "must be an integer")
        try check("name: m\nstages:\n  - {name: a, kind: toy}\n", line: 1, field: "profiles", mentions: "no profile 'paper'", profile: "paper")
        try check("name: m\ndefaults: {epochs: 3}\nstages:\n  - {name: a, kind: toy}\n", line: 2, field: "defaults.epochs",
                  mentions: "no stage kind of this manifest has a parameter 'epochs'")
    }

    @Test func yamlSyntaxError() throws {
        let e = try error("name: m\nstages:\n  - name: a\n    kind: [toy\n")
        #expect(e.file == "bad.yaml" && e.line >= 4, "\(e)")
        #expect(e.message.contains("YAML syntax"), "\(e)")
    }

    @Test func nonFiniteNumbersAreRejected() throws {
        try check("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {scale: .inf}\n", line: 5, field: "stages.a.params.scale",
                  mentions: "not a finite number")
    }
}
