import Foundation
import H5
import Pipeline
import Testing
import TestSupport

/// A sample's data never depends on how a sweep is split over instances or workers.
@Suite(.serialized)
struct SweepSplitTests {
    @Test func samplesDoNotDependOnTheSplitOrOnWorkers() throws {
        let manifest = """
            name: split
            seed: 9
            stages:
              - {name: whole, kind: toy, params: {count: 8, size: 3}, sweep: {seeds: 2}}
              - name: halves
                kind: toy
                params: {size: 3}
                sweep: {zip: {first: [0, 4], count: [4, 4]}, seeds: 2}
              - name: quarters
                kind: toy
                params: {size: 3, count: 2}
                sweep: {grid: {first: [0, 2, 4, 6]}, seeds: 2}

            """
        var checksums: [[String: String]] = []
        for workers in ["1", "2"] {
            let w = try Workspace()
            defer { w.cleanup() }
            try w.write("m.yaml", manifest)
            let r = try w.cellfree(["run", "m.yaml", "-j", workers])
            #expect(r.status == 0, "\(r.output)")
            let plan = try Manifest.load(w.dir + "/m.yaml").plan(registry: StageRegistry(toyStageKinds))
            func rows(_ stage: String, replica: Int) throws -> [Double] {
                try plan.instances(of: stage).map { plan.instances[$0] }
                    .filter { $0.record.params["replica"] == .int(replica) }
                    .flatMap { inst -> [Double] in
                        let f = try H5File.open(w.layout.file(kind: inst.kind, key: inst.key))
                        defer { try? f.close() }
                        return try f.read("samples", as: Double.self).values
                    }
            }
            for replica in [0, 1] {
                let whole = try rows("whole", replica: replica)
                #expect(whole.count == 24)
                #expect(try rows("halves", replica: replica) == whole)
                #expect(try rows("quarters", replica: replica) == whole)
            }
            #expect(try rows("whole", replica: 0) != rows("whole", replica: 1))
            var sums: [String: String] = [:]
            for inst in plan.instances {
                let f = try H5File.open(w.layout.file(kind: inst.kind, key: inst.key))
                sums[inst.id] = try f.stringAttribute("checksum")
                try f.close()
            }
            checksums.append(sums)
        }
        #expect(checksums[0] == checksums[1])
    }

    /// 1,000 instances: the second run verifies by `stat` only and computes nothing (the wall time
    /// is a benchmark figure, `cellfree bench pipeline`, not asserted here).
    @Test func aThousandInstancesRerunComputesNothing() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let firsts = (0..<1000).map(String.init).joined(separator: ", ")
        try w.write("m.yaml", "name: big\nstages:\n  - name: d\n    kind: toy\n    params: {count: 1, size: 1}\n    sweep: {grid: {first: [\(firsts)]}}\n  - {name: s, kind: toy-sum, inputs: [d]}\n")
        let first = try w.cellfree(["run", "m.yaml", "-j", "2"])
        #expect(first.status == 0)
        #expect(first.output.contains("1001 instances: 0 cached, 1001 computed"), "\(first.output.suffix(500))")
        let start = Date()
        let second = try w.cellfree(["run", "m.yaml", "-j", "2"])
        let seconds = Date().timeIntervalSince(start)
        #expect(second.output.contains("1001 instances: 1001 cached, 0 computed"), "\(second.output)")
        print("no-op rerun of 1001 instances (debug build): \(String(format: "%.2f", seconds)) s")
        let sum = try H5File.open(w.layout.root + "/" + w.results().first { $0.hasPrefix("toy-sum/") }!)
        #expect(try sum.dataset("rows").readScalar(as: Int64.self) == 1000)
        try sum.close()
    }
}
