import Foundation
import Glibc
import Pipeline
import Testing
import TestSupport

/// Killing the driver (kill -9, or Ctrl-C) loses nothing finished, leaves no locks or temporaries
/// after the next run, and the resumed results are bit-identical to an uninterrupted run.
@Suite(.serialized)
struct InterruptionTests {
    /// Six slow instances (10 samples × 60 ms) that checkpoint every 2 samples, and a sum over them.
    static let manifest = """
        name: slow
        seed: 5
        stages:
          - name: draw
            kind: toy
            params: {count: 10, size: 3, step_ms: 60, checkpoint_every: 2}
            sweep: {seeds: 6}
          - {name: total, kind: toy-sum, inputs: [draw]}

        """

    /// Waits until `condition` holds (at most `seconds`).
    func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }

    func cleanRun() throws -> (Workspace, [String: [String: [UInt8]]]) {
        let w = try Workspace()
        try w.write("m.yaml", Self.manifest)
        let r = try w.cellfree(["run", "m.yaml", "-j", "2"])
        #expect(r.status == 0, "\(r.output)")
        return (w, Dictionary(uniqueKeysWithValues: try w.results().map { ($0, try w.content($0)) }))
    }

    /// Item 11 of issue 19: a killed worker's failure message names its log, which must still exist.
    @Test func aKilledWorkersLogIsKeptForItsMessage() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let driver = try w.start(["run", "m.yaml", "-j", "2"], log: w.dir + "/driver.log")
        #expect(wait(30) { !w.halfway().isEmpty }, "\(w.cacheFiles())")
        let workers = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).compactMap { Int32($0) }.filter { pid in
            // The driver's children: field 4 of /proc/PID/stat (after the parenthesised name) is the parent.
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 1 && Int32(fields[1]) == driver.processIdentifier
        }
        #expect(!workers.isEmpty)
        for pid in workers { kill(pid, SIGKILL) }
        driver.waitUntilExit()
        let output = try String(contentsOfFile: w.dir + "/driver.log", encoding: .utf8)
        let logs = output.components(separatedBy: "(see ").dropFirst().compactMap { $0.split(separator: ")").first.map(String.init) }
        #expect(!logs.isEmpty, "\(output)")
        for log in logs.map({ $0.hasPrefix("/") ? $0 : w.dir + "/" + $0 }) { #expect(FileManager.default.fileExists(atPath: log), "\(log) named in:\n\(output)") }
    }

    @Test func killMinus9OfTheDriverThenRunAgain() throws {
        let (clean, expected) = try cleanRun()
        defer { clean.cleanup() }
        #expect(expected.count == 7)

        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let driver = try w.start(["run", "m.yaml", "-j", "2"], log: w.dir + "/driver.log")
        // Kill once some results are final and some instances are half-way (a checkpoint, no result).
        let midway = wait(30) { w.results().count >= 2 && !w.halfway().isEmpty }
        #expect(midway, "\(w.cacheFiles())")
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
        usleep(200_000)  // the workers' death signal (PR_SET_PDEATHSIG) is asynchronous
        #expect(w.results().count < 7)
        let halfway = w.halfway()
        #expect(!halfway.isEmpty, "\(w.cacheFiles())")

        let again = try w.cellfree(["run", "m.yaml", "-j", "2"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("cached"), "\(again.output)")
        var results: [String: [String: [UInt8]]] = [:]
        for r in w.results() { results[r] = try w.content(r) }
        #expect(results == expected)
        #expect(w.strays().isEmpty, "\(w.strays())")
        #expect(!w.cacheFiles().contains { $0.hasSuffix(".partial.h5") })
        // The instances that had a checkpoint and no result resumed from it.
        for key in halfway {
            let log = try String(contentsOfFile: w.layout.log(kind: "toy", key: key), encoding: .utf8)
            #expect(log.contains("resumed from checkpoint"), "\(key): \(log)")
        }
    }

    @Test func interruptWithSIGINTStopsCleanlyAndResumes() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let driver = try w.start(["run", "m.yaml", "-j", "2"], log: w.dir + "/driver.log")
        #expect(wait(30) { w.cacheFiles().contains { $0.hasSuffix(".partial.h5") } })
        kill(driver.processIdentifier, SIGINT)
        driver.waitUntilExit()
        #expect(driver.terminationStatus == 130)
        let log = try String(contentsOfFile: w.dir + "/driver.log", encoding: .utf8)
        #expect(log.contains("interrupted: finished results are kept"), "\(log)")
        #expect(w.strays().isEmpty, "\(w.strays())")
        let again = try w.cellfree(["run", "m.yaml", "-j", "2"])
        #expect(again.status == 0, "\(again.output)")
        #expect(w.results().count == 7)
    }

    @Test func twoDriversNeverComputeTheSameKey() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let one = try w.start(["run", "m.yaml", "-j", "2"], log: w.dir + "/one.log")
        let two = try w.start(["run", "m.yaml", "-j", "2"], log: w.dir + "/two.log")
        one.waitUntilExit()
        two.waitUntilExit()
        let logs = try ["one", "two"].map { try String(contentsOfFile: w.dir + "/\($0).log", encoding: .utf8) }
        #expect(one.terminationStatus == 0 && two.terminationStatus == 0, "\(logs)")
        let computed = logs.map { $0.split(separator: "\n").filter { $0.hasPrefix("done   ") }.count }
        #expect(computed[0] + computed[1] == 7, "\(logs)")
        #expect(w.results().count == 7)
        #expect(w.strays().isEmpty, "\(w.strays())")
    }
}
