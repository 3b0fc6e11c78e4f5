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

    /// Per-kind resources reach sbatch (the manifest's default, a kind's entry, a profile over both),
    /// and an array larger than the cluster's MaxArraySize (4 under scripts/slurm-local.sh) is split.
    @Test func perKindResourcesAndArraysSplitUnderMaxArraySize() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", """
            name: arrays
            seed: 21
            resources:
              default: {time: "10", mem: 200M}
              toy-sum: {time: "00:03:00"}
            profiles:
              tight: {resources: {toy: {mem: 100M}}}
            stages:
              - {name: draw, kind: toy, params: {count: 2, size: 3}, sweep: {seeds: 6}}
              - {name: total, kind: toy-sum, inputs: [draw]}

            """)
        let r = try w.cellfree(["run", "m.yaml", "--executor", "slurm", "--profile", "tight"])
        #expect(r.status == 0 && r.output.contains("7 computed"), "\(r.output)")
        let submitted = r.output.split(separator: "\n").filter { $0.hasPrefix("sbatch ") }
        // 6 draws: 4 + 2 tasks; then the sum alone.
        #expect(submitted.count == 3, "\(r.output)")
        #expect(submitted.prefix(2).map { $0.contains(": 4 tasks of toy (") || $0.contains(": 2 tasks of toy (") } == [true, true])
        #expect(submitted.prefix(2).allSatisfy { $0.hasSuffix("(--cpus-per-task=1 --time=10 --mem=100M)") }, "\(submitted)")
        #expect(submitted.last?.hasSuffix("1 task of toy-sum (--cpus-per-task=1 --time=00:03:00 --mem=200M)") == true, "\(submitted)")
        // What Slurm recorded for the sum's job.
        let id = String(submitted.last!.dropFirst("sbatch ".count).prefix { $0 != ":" })
        let shown = try runTool("scontrol", ["-o", "show", "job", id])?.output ?? ""
        #expect(shown.contains("TimeLimit=00:03:00") && shown.contains("MinMemoryNode=200M"), "\(shown)")
    }

    /// A task killed at its time limit is named TIMEOUT in the summary; with `retries` it runs again
    /// and the resumable stage goes on from its checkpoint. (About 3 minutes: Slurm's limits are in minutes.)
    @Test func aTimeoutIsReportedAndRetried() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        // 4 samples of 25 s, a checkpoint after each: the first attempt ends TIMEOUT at 1 minute with
        // 2 samples saved, the retry finishes the other 2.
        try w.write("m.yaml", """
            name: slow
            seed: 21
            resources: {toy: {time: "1", retries: 1}}
            stages:
              - {name: draw, kind: toy, params: {count: 4, size: 3, step_ms: 25000, checkpoint_every: 1}}

            """)
        let r = try w.cellfree(["run", "m.yaml", "--executor", "slurm"])
        #expect(r.status == 0 && r.output.contains("1 computed"), "\(r.output)")
        #expect(r.output.contains("retry  draw: Slurm task ") && r.output.contains("ended TIMEOUT; attempt 2 of 2"), "\(r.output)")
        #expect(r.output.contains("  retried draw: Slurm task "), "\(r.output)")
        // Without retries the same run fails, and says why.
        let v = try Workspace()
        defer { v.cleanup() }
        try v.write("m.yaml", "name: slow\nseed: 21\nresources: {toy: {time: \"1\"}}\nstages:\n"
                    + "  - {name: draw, kind: toy, params: {count: 1, size: 3, step_ms: 150000}}\n")
        let failed = try v.cellfree(["run", "m.yaml", "--executor", "slurm"])
        #expect(failed.status != 0 && failed.output.contains("ended TIMEOUT (time limit 1; raise resources.<kind>.time"), "\(failed.output)")
    }
}
