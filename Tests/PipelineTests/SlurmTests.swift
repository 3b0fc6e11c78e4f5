import Foundation
import Glibc
import Pipeline
import Testing
import TestSupport

/// The Slurm executor against a real single-node Slurm (`make test-slurm` starts one with
/// scripts/slurm-local.sh). Without a running Slurm these tests are reported as skipped.
/// Whether `sinfo` answers with a usable node.
let slurmRunning: Bool = {
    guard let r = try? runTool("sinfo", ["-h", "-o", "%T"]) else { return false }
    return r.status == 0 && (r.output.contains("idle") || r.output.contains("mixed") || r.output.contains("allocated"))
}()

@Suite(.serialized, .enabled(if: slurmRunning, "no running Slurm on this machine: run `make test-slurm` (scripts/slurm-local.sh start) to include the Slurm tests"))
struct SlurmTests {
    static let manifest = """
        name: arrays
        seed: 21
        stages:
          - name: draw
            kind: toy
            params: {count: 6, size: 3, step_ms: 100}
            sweep: {seeds: 6}
          - {name: total, kind: toy-sum, inputs: [draw]}

        """

    @Test func jobArraysGiveTheSameResultsAsLocalWorkers() throws {
        let local = try Workspace(), slurm = try Workspace()
        defer { local.cleanup(); slurm.cleanup() }
        for w in [local, slurm] { try w.write("m.yaml", Self.manifest) }
        #expect(try local.cellfree(["run", "m.yaml", "-j", "2"]).status == 0)
        let r = try slurm.cellfree(["run", "m.yaml", "--executor", "slurm", "--per-task", "2"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("7 computed"), "\(r.output)")
        #expect(local.results() == slurm.results())
        for f in local.results() { #expect(try local.content(f) == slurm.content(f)) }
        #expect(slurm.strays().isEmpty, "\(slurm.strays())")
    }

    @Test func aNewDriverPicksUpWhatTasksOfAKilledDriverFinished() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let driver = try w.start(["run", "m.yaml", "--executor", "slurm"], log: w.dir + "/driver.log")
        // Kill the driver once its array is running; the tasks go on without it.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !w.cacheFiles().contains(where: { $0.hasSuffix(".lock") }) { usleep(50_000) }
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
        while Date() < deadline, w.results().count < 6 { usleep(200_000) }
        #expect(w.results().count == 6)
        let again = try w.cellfree(["run", "m.yaml", "--executor", "slurm"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("6 cached, 1 computed"), "\(again.output)")
    }
}
