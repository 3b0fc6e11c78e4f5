import Foundation
import Glibc
import H5
import Pipeline
import Testing
import TestSupport

/// The exit codes `cellfree --help` promises: 2 for a usage error, 1 for a failed check.
struct ExitCodeTests {
    @Test func usageErrorsExitWith2AndSayWhat() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", RunTests.manifest)
        for (arguments, message) in [(["run"], "Missing expected argument"), (["run", "m.yaml", "--bogus"], "Unknown option '--bogus'"),
                                     (["run", "m.yaml", "-j", "abc"], "-j"), (["run", "m.yaml", "-j", "-1"], "-j must be at least 1"),
                                     (["frobnicate"], "Unexpected argument 'frobnicate'")] {
            let r = try w.cellfree(arguments)
            #expect(r.status == 2, "\(arguments): \(r.status) \(r.output)")
            #expect(r.output.contains(message), "\(arguments): \(r.output)")
        }
        #expect(w.results().isEmpty)
    }

    /// Item 16: `-j 1000` on 2 cores once started 280 processes without a word; it is capped, and says so.
    @Test func workerCountIsCappedPerCore() throws {
        #expect(LocalExecutor.cappedWorkers(1000, cores: 2) == 8)
        #expect(LocalExecutor.cappedWorkers(3, cores: 2) == 3)
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", RunTests.manifest)
        let r = try w.cellfree(["run", "m.yaml", "-j", "1000"])
        let cap = LocalExecutor.cappedWorkers(1000)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("-j 1000 capped at \(cap) workers"), "\(r.output)")
    }

    /// A layouts instance of K = 10⁹ UEs (about 16 TB) is refused by `plan` and `run`, exit 2, before anything runs.
    @Test func instancesThatCannotFitInMemoryExit2() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", "name: m\nstages:\n  - name: drops\n    kind: layouts\n    params: {K: 1000000000, count: 100}\n")
        for command in ["plan", "run"] {
            let r = try w.cellfree([command, "m.yaml"])
            #expect(r.status == 2 && r.output.contains("m.yaml:3:") && r.output.contains("stage 'drops' would need about 16 TB"), "\(r.output)")
        }
        #expect(w.results().isEmpty)
    }

    /// Item 5: what single ranges cannot check (L a square number on the grid, CS ≤ L) is refused by `plan`,
    /// exit 2 at the stage, not by a failing worker.
    @Test func parameterCombinationsAreCheckedBeforeAnythingRuns() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        for (params, message) in [("kind: layouts\n    params: {L: 15}", "parameter L = 15: expected a square number"),
                                  ("kind: maxmin-clustering\n    params: {L: 4, cs: [1, 5]}", "cs: CS = 5 outside 1…L = 4")] {
            try w.write("m.yaml", "name: m\nstages:\n  - name: s\n    \(params)\n")
            for command in ["plan", "run"] {
                let r = try w.cellfree([command, "m.yaml"])
                #expect(r.status == 2 && r.output.contains("m.yaml:3:") && r.output.contains(message), "\(r.output)")
            }
        }
        #expect(w.results().isEmpty)
    }

    /// `inspect` of a cache file whose stored checksum no longer matches its content exits 1.
    @Test func inspectExits1OnAChecksumMismatch() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", RunTests.manifest)
        #expect(try w.cellfree(["run", "m.yaml"]).status == 0)
        let path = w.layout.root + "/" + (try #require(w.results().first { $0.hasPrefix("toy/") }))
        let clean = try w.cellfree(["inspect", path])
        #expect(clean.status == 0 && clean.output.contains("checksum verifies"), "\(clean.output)")
        try w.flipStoredBit(path, dataset: "samples")
        let r = try w.cellfree(["inspect", path])
        #expect(r.status == 1 && r.output.contains("CHECKSUM MISMATCH"), "\(r.status) \(r.output)")
    }
}
