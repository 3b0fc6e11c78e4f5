import Foundation
import Glibc
import Pipeline
import Testing
import TestSupport

/// A `train` stage (ClusterPowerNet, dynamic supervision) killed with the driver after some epochs
/// resumes from its last epoch's checkpoint, and ends with the weights and loss history of an
/// uninterrupted run, bit for bit (the per-epoch wall times excepted).
@Suite(.serialized)
struct TrainResumeTests {
    static let manifest = """
        name: resume
        seed: 9
        stages:
          - name: layouts
            kind: layouts
            params: {count: 6}
            sweep: {grid: {K: [6, 10]}}
          - name: train
            kind: train
            inputs: [layouts]
            params: {model: elu_cosformer, epochs: 8, batch: 2, d_ff: 32, val_fraction: 0.34}

        """

    /// The trained model's datasets and attributes, without the wall-time histories and the checksum over them.
    func trained(_ w: Workspace) throws -> [String: [UInt8]] {
        let file = try #require(w.results().first { $0.hasPrefix("train/") })
        return try w.content(file).filter { !$0.key.contains("seconds") && $0.key != "@" + ProvenanceAttribute.checksum }
    }

    @Test func killedTrainingResumesFromItsLastEpoch() throws {
        let clean = try Workspace()
        defer { clean.cleanup() }
        try clean.write("m.yaml", Self.manifest)
        #expect(try clean.cellfree(["run", "m.yaml"]).status == 0)
        let expected = try trained(clean)
        #expect(expected.keys.contains { $0.hasPrefix("/params/") })

        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", Self.manifest)
        let driver = try w.start(["run", "m.yaml"], log: w.dir + "/driver.log")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && !w.cacheFiles().contains(where: { $0.hasPrefix("train/") && $0.hasSuffix(".partial.h5") }) { usleep(20_000) }
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
        #expect(!w.results().contains { $0.hasPrefix("train/") }, "training finished before the kill: make it longer")

        let again = try w.cellfree(["run", "m.yaml"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("2 cached, 1 computed"), "\(again.output)")
        #expect(try trained(w) == expected)
        let logs = try FileManager.default.contentsOfDirectory(atPath: w.layout.logs + "/train")
        let log = try String(contentsOfFile: w.layout.logs + "/train/" + logs[0], encoding: .utf8)
        #expect(log.contains("resumed from checkpoint after epoch"), "\(log)")
    }
}
