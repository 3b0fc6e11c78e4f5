import Foundation
import Linalg
import Pipeline
import Testing
import TestSupport
@testable import Experiments

/// Issue 19: the smoke manifest mutated at random (values of other types and out of range, deleted,
/// duplicated and swapped lines, anchors and aliases, truncation, control characters). Every outcome
/// is a plan or a `ManifestError` located in the file, and every planned instance's parameters decode
/// into its kind's typed set, as a worker's first step does: never a crash, a hang or another error.
struct ManifestFuzzTests {
    static let smoke = Fixtures.testsDirectory.deletingLastPathComponent().appendingPathComponent("manifests/smoke.yaml").path
    static let registry = StageRegistry(toyStageKinds + experimentStageKinds)
    static let values = ["-1", "0", "-0.0", "1.5", "1e309", "9223372036854775807", "-9223372036854775808", "100000000000", "abc",
                         "[1, 2]", "[]", "{a: 1}", "{}", "true", "null", "~", "''", "nan", ".inf", "0x10", "12:30", "1_000", "\"x\"", "[[1]]"]

    /// One random edit of `lines`.
    static func mutate(_ lines: inout [String], _ rng: inout RandomStream) {
        func index() -> Int { Int(rng.uniform() * Double(lines.count)) % max(1, lines.count) }
        guard !lines.isEmpty else { lines = ["x"]; return }
        switch Int(rng.uniform() * 8) {
        case 0, 1:   // a value of another type or range after a key
            let i = index()
            guard let colon = lines[i].lastIndex(of: ":") else { return }
            let value = values[Int(rng.uniform() * Double(values.count)) % values.count]
            var rest = lines[i][lines[i].index(after: colon)...]
            if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[end...] } else { rest = "" }
            lines[i] = String(lines[i][...colon]) + " " + value + rest
        case 2: lines.remove(at: index())
        case 3: let i = index(); lines.insert(lines[i], at: i)
        case 4: lines.swapAt(index(), index())
        case 5:   // an anchor on one line, an alias on another
            let i = index(), j = index()
            lines[i] += " &a"
            if let colon = lines[j].lastIndex(of: ":") { lines[j] = String(lines[j][...colon]) + " *a" }
        case 6:   // truncated
            let i = index()
            lines = Array(lines[..<i]) + [String(lines[i].prefix(Int(rng.uniform() * Double(lines[i].count))))]
        default:  // a control character or a tab inside a line
            let i = index(), at = Int(rng.uniform() * Double(lines[i].count + 1))
            var chars = Array(lines[i])
            chars.insert(["\u{0}", "\t", "\u{7}", "\u{FEFF}"][Int(rng.uniform() * 4) % 4], at: min(at, chars.count))
            lines[i] = String(chars)
        }
    }

    /// Whether `params` decode into `kind`'s typed parameter set.
    static func decodes(_ kind: any StageKind, _ params: [String: ParamValue]) -> Bool {
        func open<K: StageKind>(_ k: K) -> Bool { (try? K.Parameters.decode(params, id: "fuzz")) != nil }
        return open(kind)
    }

    @Test func mutatedSmokeManifestsPlanOrFailWithALocatedError() throws {
        let text = try String(contentsOfFile: Self.smoke, encoding: .utf8)
        let original = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var rng = RandomStream(seed: 19, name: "manifest-fuzz")
        var planned = 0, refused = 0
        let start = Date()
        for case_ in 0..<400 {
            var lines = original
            for _ in 0..<(1 + Int(rng.uniform() * 3)) { Self.mutate(&lines, &rng) }
            let mutated = lines.joined(separator: "\n")
            do {
                let plan = try Manifest.parse(mutated, file: "smoke.yaml").plan(registry: Self.registry)
                planned += 1
                for instance in plan.instances {
                    let kind = try #require(Self.registry[instance.kind])
                    #expect(Self.decodes(kind, instance.record.params), "case \(case_): \(instance.id) plans but its parameters do not decode:\n\(mutated)")
                }
            } catch let e as ManifestError {
                refused += 1
                #expect(e.file == "smoke.yaml" && e.line >= 1 && e.column >= 1 && e.description.hasPrefix("smoke.yaml:\(e.line):\(e.column):"),
                        "case \(case_): \(e)")
                #expect(e.line <= lines.count + 1, "case \(case_): line \(e.line) of \(lines.count): \(e)")
            } catch {
                Issue.record("case \(case_): not a located manifest error: \(error)\n\(mutated)")
            }
        }
        #expect(planned > 20 && refused > 100, "\(planned) planned, \(refused) refused")
        #expect(Date().timeIntervalSince(start) < 60, "the fuzz took \(Date().timeIntervalSince(start)) s")
    }
}
