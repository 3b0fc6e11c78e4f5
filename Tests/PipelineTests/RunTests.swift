import Foundation
import Glibc
import H5
import Pipeline
import Testing
import TestSupport

/// `cellfree run` end to end with the toy stages, in real subprocesses.
@Suite(.serialized)
struct RunTests {
    static let manifest = """
        name: pair
        seed: 11
        stages:
          - {name: a, kind: toy, params: {count: 3, size: 5}}
          - {name: b, kind: toy, params: {count: 2, size: 5}}
          - {name: total_a, kind: toy-sum, inputs: [a]}
          - {name: total_b, kind: toy-sum, inputs: [b]}
          - {name: both, kind: toy-sum, inputs: [a, b]}

        """

    @Test func secondRunComputesNothingAndAChangeRerunsExactlyItsInstances() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let first = try w.cellfree(["run", "m.yaml", "-j", "2"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("5 instances: 0 cached, 5 computed, 0 failed"), "\(first.output)")
        let second = try w.cellfree(["run", "m.yaml", "-j", "2"])
        #expect(second.output.contains("5 instances: 5 cached, 0 computed"), "\(second.output)")
        #expect(!second.output.contains("start"))

        try w.write("m.yaml", Self.manifest.replacingOccurrences(of: "count: 3, size: 5", with: "count: 4, size: 5"))
        let why = try w.cellfree(["why", "m.yaml", "a"])
        #expect(why.output.contains("a: changed: parameter count: 3 → 4"), "\(why.output)")
        let whyTotal = try w.cellfree(["why", "m.yaml", "total_a"])
        #expect(whyTotal.output.contains("input a: 1 of 1 upstream results changed"), "\(whyTotal.output)")
        #expect(whyTotal.output.contains("upstream a: parameter count: 3 → 4"), "\(whyTotal.output)")
        let whyB = try w.cellfree(["why", "m.yaml", "total_b"])
        #expect(whyB.output.contains("total_b: cached"), "\(whyB.output)")

        let third = try w.cellfree(["run", "m.yaml"])
        #expect(third.output.contains("5 instances: 2 cached, 3 computed"), "\(third.output)")
        for id in ["a", "total_a", "both"] { #expect(third.output.contains("done   \(id) ("), "\(third.output)") }
        for id in ["b", "total_b"] { #expect(!third.output.contains("done   \(id) ("), "\(third.output)") }
        #expect(w.strays().isEmpty, "\(w.strays())")
    }

    /// A worker killed between publishing its result and removing its checkpoint leaves both; the
    /// next run drops the checkpoint and keeps the result.
    /// `--force a` computes a's instance again (same key, same values: the toy is deterministic) and
    /// nothing else; `-n` and `--set` plan without computing; an unknown --force stage is a usage error.
    @Test func forceRecomputesOnlyItsStagesAndDryRunComputesNothing() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        #expect(try w.cellfree(["run", "m.yaml", "-j", "2"]).status == 0)
        let file = w.results().first { $0.hasPrefix("toy/") }!
        let before = try H5File.open(w.layout.root + "/" + file)
        let values = try before.read("samples", as: Double.self).values
        try before.close()
        let forced = try w.cellfree(["run", "m.yaml", "--force", "a"])
        #expect(forced.output.contains("5 instances: 4 cached, 1 computed"), "\(forced.output)")
        var same = 0
        for f in w.results() where f.hasPrefix("toy/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            if try h5.read("samples", as: Double.self).values == values { same += 1 }
            try h5.close()
        }
        #expect(same == 1)
        let results = w.results()
        let dry = try w.cellfree(["run", "-n", "m.yaml", "--set", "a.count=6"])
        #expect(dry.status == 0 && dry.output.contains("a: changed: parameter count: 3 → 6") && !dry.output.contains(" computed,"), "\(dry.output)")
        #expect(w.results() == results)
        let unknown = try w.cellfree(["run", "m.yaml", "--force", "nope"])
        #expect(unknown.status == 2 && unknown.output.contains("--force: no stage 'nope'"), "\(unknown.output)")
    }

    @Test func aCheckpointBesideItsResultIsRemovedByTheNextRun() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        #expect(try w.cellfree(["run", "m.yaml"]).status == 0)
        let result = try #require(w.results().first { $0.hasPrefix("toy/") })
        let stale = w.layout.root + "/" + result.dropLast(".h5".count) + ".partial.h5"
        try FileManager.default.copyItem(atPath: w.layout.root + "/" + result, toPath: stale)
        let again = try w.cellfree(["run", "m.yaml"])
        #expect(again.output.contains("5 instances: 5 cached, 0 computed"), "\(again.output)")
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(w.results().count == 5)
    }

    /// With one worker the head of the longest chain of dependents starts first, though the manifest
    /// lists an independent stage before it (a long chain must not start last and run alone).
    @Test func theLongestChainStartsFirst() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", """
            name: chain
            seed: 11
            stages:
              - {name: lone, kind: toy, params: {count: 2, size: 5}}
              - {name: head, kind: toy, params: {count: 3, size: 5}}
              - {name: total, kind: toy-sum, inputs: [head]}

            """)
        let r = try w.cellfree(["run", "m.yaml", "-j", "1"])
        #expect(r.status == 0, "\(r.output)")
        let starts = r.output.split(separator: "\n").filter { $0.hasPrefix("start") }.map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(starts.first == "head" && starts.contains("lone"), "\(starts)")
    }

    @Test func aFailureStopsItsDependentsOnly() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest.replacingOccurrences(of: "count: 2, size: 5", with: "count: 2, size: 5, fail: true"))
        let r = try w.cellfree(["run", "m.yaml", "-j", "2"])
        #expect(r.status == 1)
        #expect(r.output.contains("FAILED b: stage b: failing on purpose"), "\(r.output)")
        #expect(r.output.contains("skipped total_b: input b failed"), "\(r.output)")
        #expect(r.output.contains("skipped both: input b failed"), "\(r.output)")
        #expect(r.output.contains("2 computed, 1 failed, 2 skipped"), "\(r.output)")
        let logLine = r.output.split(separator: "\n").first { $0.contains("log: ") }.map { String($0.split(separator: " ").last!) }
        let log = try String(contentsOfFile: w.dir + "/" + logLine!, encoding: .utf8)
        #expect(log.contains("failing on purpose"))
        #expect(w.results().count == 2)
        #expect(w.strays().isEmpty, "\(w.strays())")
    }

    @Test func corruptCacheFilesAreNamedAndRecomputed() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        #expect(try w.cellfree(["run", "m.yaml"]).status == 0)
        let results = w.results().filter { $0.hasPrefix("toy/") }
        #expect(results.count == 2)
        let before = try results.map { try w.content($0) }
        // Truncate one file; flip one byte inside the other's sample data.
        let truncated = w.layout.root + "/" + results[0], flipped = w.layout.root + "/" + results[1]
        let size = try FileManager.default.attributesOfItem(atPath: truncated)[.size] as! Int
        #expect(truncate(truncated, off_t(size / 2)) == 0)
        try w.flipStoredBit(flipped, dataset: "samples")

        let status = try w.cellfree(["status", "m.yaml"])
        #expect(status.output.contains("a                             1        0        0        0        1        0") ||
                status.output.contains("b                             1        0        0        0        1        0"), "\(status.output)")
        let r = try w.cellfree(["run", "m.yaml"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("corrupt cache file outputs/cache/\(results[0]) ("), "\(r.output)")
        #expect(r.output.contains("corrupt cache file outputs/cache/\(results[1]) ("), "\(r.output)")
        #expect(r.output.contains("content checksum mismatch"), "\(r.output)")
        #expect(r.output.contains("unreadable"), "\(r.output)")
        #expect(r.output.contains("2 computed"), "\(r.output)")
        // Dependents keep their keys (inputs are identified by key, not by bytes) and stay cached.
        #expect(r.output.contains("3 cached"), "\(r.output)")
        #expect(try results.map { try w.content($0) } == before)
    }

    @Test func manifestErrorsExitWithStatus2AndNothingRuns() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("bad.yaml", "name: m\nstages:\n  - {name: a, kind: toy}\n  - {name: s, kind: toy-sum, inputs: [a, zz]}\n")
        let r = try w.cellfree(["run", "bad.yaml"])
        #expect(r.status == 2)
        #expect(r.output.contains("bad.yaml:4:"), "\(r.output)")
        #expect(r.output.contains("field 'stages.s.inputs[1]'"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: w.layout.root))
    }

    /// `<kind>/<key>.h5` of every instance in `plan --keys` output.
    func resultsOf(_ keys: String) -> Set<String> {
        Set(keys.split(separator: "\n").map { line in let f = line.split(separator: "\t"); return "\(f[1])/\(f[2]).h5" })
    }

    @Test func dagAndGarbageCollection() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let dag = try w.cellfree(["dag", "m.yaml"])
        #expect(dag.output.contains("digraph \"pair\"") && dag.output.contains("\"a\" -> \"both\";") && dag.output.contains("\"b\" -> \"both\";"))
        let mermaid = try w.cellfree(["dag", "m.yaml", "--format", "mermaid"])
        #expect(mermaid.output.contains("flowchart LR") && mermaid.output.contains("s_a --> s_total__a"))
        #expect(try w.cellfree(["run", "m.yaml"]).status == 0)
        try w.write("m.yaml", Self.manifest.replacingOccurrences(of: "count: 2, size: 5", with: "count: 6, size: 5"))
        #expect(try w.cellfree(["run", "m.yaml"]).status == 0)
        #expect(w.results().count == 5 + 3)   // the old b, total_b and both are now unreferenced
        let dry = try w.cellfree(["gc", "m.yaml"])
        #expect(dry.output.contains("6 files"), "\(dry.output)")   // 3 results and their logs
        #expect(w.results().count == 8)
        // A key a live process holds locked (it is computing it) is kept, and gc says so.
        let busy = try #require(Set(w.results()).subtracting(try resultsOf(w.cellfree(["plan", "m.yaml", "--keys"]).output)).sorted().first)
        let (kind, key) = (String(busy.prefix { $0 != "/" }), String(busy.drop { $0 != "/" }.dropFirst().prefix(64)))
        let held = try #require(try FileLock.tryAcquire(w.layout.lock(kind: kind, key: key)))
        let partly = try w.cellfree(["gc", "m.yaml", "--delete"])
        #expect(partly.output.contains("keeping \(kind)/\(key): a running process holds its lock"), "\(partly.output)")
        #expect(w.results().count == 6)
        held.release()
        let real = try w.cellfree(["gc", "m.yaml", "--delete"])
        #expect(real.status == 0, "\(real.output)")
        #expect(w.results().count == 5)
        #expect(try w.cellfree(["run", "m.yaml"]).output.contains("5 cached, 0 computed"))
    }
}
