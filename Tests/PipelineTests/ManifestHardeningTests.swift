import Pipeline
import Testing

/// Issue 19: manifests that once expanded without bound or converted numbers silently are refused,
/// located, before anything is planned.
struct ManifestHardeningTests {
    let errors = ManifestErrorTests()

    /// Item 2: `seeds: 1000000000` once grew `plan` to 24 GB; the sweep's size is checked before expansion.
    @Test func hugeSweepsAreRefusedBeforeExpansion() throws {
        try errors.check("name: m\nstages:\n  - name: a\n    kind: toy\n    sweep: {seeds: 1000000000}\n", line: 5,
                         field: "stages.a.sweep.seeds", mentions: "exceed the limit of 1000000 instances")
        let values = (1...1001).map(String.init).joined(separator: ", ")
        try errors.check("name: m\nstages:\n  - name: a\n    kind: toy\n    sweep:\n      grid: {count: [\(values)], size: [\(values)]}\n",
                         line: 6, field: "stages.a.sweep", mentions: "more than 1000000 instances")
    }

    /// Item 6: an instance whose memory estimate exceeds this machine's memory is refused at plan time
    /// (the toy's count × size once trapped on overflow; layouts with K = 10⁹ aborted on 128 GB).
    @Test func instancesLargerThanThisMachineAreRefused() throws {
        try errors.check("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: 9223372036854775807}\n", line: 3,
                         field: "stages.a.params", mentions: "stage 'a' would need about 1.4e+21 B of memory, more than this machine's")
        try errors.check("name: m\nstages:\n  - name: a\n    kind: toy\n    sweep: {grid: {size: [8, 100000000000]}}\n", line: 3,
                         field: "stages.a.params", mentions: "stage 'a' [size=100000000000] would need about 6.4 TB")
        #expect(MachineMemory.bytes > 1e8 && MachineMemory.format(2.5e9) == "2.5 GB" && MachineMemory.format(512e6) == "512 MB")
    }

    /// Item 3: Yams expands aliases while composing (a 487-byte nested-alias manifest took > 1 GB), so
    /// anchors and aliases are found in the text first.
    @Test func anchorsAndAliasesAreRefused() throws {
        try errors.check("name: m\nx: &a [1, 2]\nstages: []\n", line: 2, field: "", mentions: "bad.yaml:2:4: YAML anchors")
        try errors.check("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: *a}\n", line: 5, field: "",
                         mentions: "bad.yaml:5:21: YAML aliases")
        try errors.check("name: m\nstages:\n  - *s\n", line: 3, field: "", mentions: "YAML aliases")
        // Not aliases: a `*` or `&` inside a scalar, a quoted string, a comment or a block scalar.
        let fine = "name: m # *not\nstages:\n  - name: a\n    kind: toy\n    params: {label: 'x *y', note: \"&z\"}\n  - name: b\n    kind: toy\n    params:\n      label: a * b & c\n      note: |\n        *literal\n        &text\n"
        _ = try Manifest.parse(fine, file: "fine.yaml")
    }

    /// Item 15: integers are decimal; YAML 1.1's base 60 (`12:30` = 750) and hexadecimal floats are refused.
    @Test func numbersAreDecimal() throws {
        for (bad, column) in [("12:30", 21), ("0x1p3", 21), ("1:2.5", 21)] {
            try errors.check("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: \(bad)}\n", line: 5,
                             field: "stages.a.params.count", mentions: "bad.yaml:5:\(column):")
        }
        let plan = try Manifest.parse("name: m\nstages:\n  - name: a\n    kind: toy\n    params: {count: 1_000, size: 2}\n", file: "ok.yaml")
            .plan(profile: nil, registry: ManifestErrorTests.registry)
        #expect(plan.instances.first?.record.params["count"] == .int(1000))
    }

    /// Item 14: stages `a-b` and `a_b` once became one Mermaid node.
    @Test func mermaidNodesStayDistinct() throws {
        let plan = try Manifest.parse("name: m\nstages:\n  - {name: a-b, kind: toy}\n  - {name: a_b, kind: toy}\n", file: "m.yaml")
            .plan(profile: nil, registry: ManifestErrorTests.registry)
        let nodes = plan.mermaid().split(separator: "\n").dropFirst().map { $0.split(separator: "[").first.map(String.init) ?? "" }
        #expect(nodes.count == 2 && Set(nodes).count == 2, "\(nodes)")
    }
}
