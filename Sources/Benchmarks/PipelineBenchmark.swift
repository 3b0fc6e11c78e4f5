import Foundation
import Pipeline

/// The body of `cellfree bench pipeline`: the scheduler's own costs, measured through the real CLI.
public struct PipelineBenchmark {
    public var instances: Int
    public var work: Int
    public var planSize: Int
    public var repeats: Int
    public var executable: String

    public init(instances: Int, work: Int, planSize: Int, repeats: Int, executable: String) {
        self.instances = instances
        self.work = work
        self.planSize = planSize
        self.repeats = repeats
        self.executable = executable
    }

    public func run(emit: (String) -> Void) throws {
        let exe = executable
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cellfree-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        func cellfree(_ args: [String]) throws -> Double {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = args
            p.currentDirectoryURL = URL(fileURLWithPath: scratch)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            let t = try seconds {
                try p.run()
                p.waitUntilExit()
            }
            guard p.terminationStatus == 0 else { throw BenchmarkError("cellfree \(args.joined(separator: " ")) exited with \(p.terminationStatus)") }
            return t
        }

        let cpu = "name: cpu\nstages:\n  - name: burn\n    kind: toy\n    params: {count: 4, size: 2, work: \(work)}\n    sweep: {seeds: \(instances)}\n"
        try cpu.write(toFile: scratch + "/cpu.yaml", atomically: true, encoding: .utf8)
        var wall: [String: [Double]] = ["1": [], "2": []]
        for _ in 0..<repeats {
            for j in ["1", "2"] {
                try? FileManager.default.removeItem(atPath: scratch + "/outputs")
                wall[j]!.append(try cellfree(["run", "cpu.yaml", "-j", j]))
            }
        }
        let w1 = median(wall["1"]!), w2 = median(wall["2"]!)
        emit("CPU-bound toy instances: \(instances) × 4 samples × \(work) iterations")
        emit("  -j 1: \(String(format: "%.2f", w1)) s   -j 2: \(String(format: "%.2f", w2)) s   ratio -j 2 / -j 1: \(String(format: "%.2f", w2 / w1))")

        let firsts = (0..<planSize).map(String.init).joined(separator: ", ")
        let big = "name: big\nstages:\n  - name: d\n    kind: toy\n    params: {count: 1, size: 1}\n    sweep: {grid: {first: [\(firsts)]}}\n  - {name: s, kind: toy-sum, inputs: [d]}\n"
        try big.write(toFile: scratch + "/big.yaml", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: scratch + "/outputs")
        let firstRun = try cellfree(["run", "big.yaml", "-j", "2"])
        let noop = median(try (0..<max(repeats, 5)).map { _ in try cellfree(["run", "big.yaml", "-j", "2"]) })
        let plan = median(try (0..<max(repeats, 5)).map { _ in try cellfree(["plan", "big.yaml"]) })
        emit("Plan of \(planSize + 1) instances: first run (computing all, -j 2) \(String(format: "%.2f", firstRun)) s")
        emit("  no-op rerun: \(String(format: "%.3f", noop)) s   plan (dry run): \(String(format: "%.3f", plan)) s")
    }
}
