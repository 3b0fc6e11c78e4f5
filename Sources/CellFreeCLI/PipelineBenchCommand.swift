import ArgumentParser
import Foundation
import Pipeline

/// `cellfree bench pipeline`: the scheduler's own costs, measured through the real CLI.
struct PipelineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time the pipeline: -j 1 vs -j 2 on CPU-bound toy instances, and a no-op rerun of a large plan.",
        discussion: """
            (1) --instances independent `toy` instances, each --work iterations per sample × 4 samples, run from an
            empty cache with -j 1 and with -j 2 (worker processes); the ratio is wall(-j 2) / wall(-j 1).
            (2) A plan of --plan-size `toy` instances plus one `toy-sum` over all of them, run once, then run again:
            the second run computes nothing; its wall time includes process start, manifest parsing, sweep expansion,
            1,000 SHA-256 keys and a stat of every cache file. Medians over --repeats.
            """
    )

    @Option(help: "CPU-bound instances for the -j comparison.") var instances = 8
    @Option(help: "Work iterations per sample (about 5 ns each in release).") var work = 40_000_000
    @Option(help: "Instances of the no-op rerun plan.") var planSize = 1000
    @Option(help: "Repeats (median).") var repeats = 3

    func run() throws {
        let exe = currentExecutable()
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
            guard p.terminationStatus == 0 else { throw fail("cellfree \(args.joined(separator: " ")) exited with \(p.terminationStatus)", code: 1) }
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
        print("CPU-bound toy instances: \(instances) × 4 samples × \(work) iterations")
        print("  -j 1: \(String(format: "%.2f", w1)) s   -j 2: \(String(format: "%.2f", w2)) s   ratio -j 2 / -j 1: \(String(format: "%.2f", w2 / w1))")

        let firsts = (0..<planSize).map(String.init).joined(separator: ", ")
        let big = "name: big\nstages:\n  - name: d\n    kind: toy\n    params: {count: 1, size: 1}\n    sweep: {grid: {first: [\(firsts)]}}\n  - {name: s, kind: toy-sum, inputs: [d]}\n"
        try big.write(toFile: scratch + "/big.yaml", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: scratch + "/outputs")
        let firstRun = try cellfree(["run", "big.yaml", "-j", "2"])
        let noop = median(try (0..<max(repeats, 5)).map { _ in try cellfree(["run", "big.yaml", "-j", "2"]) })
        let plan = median(try (0..<max(repeats, 5)).map { _ in try cellfree(["plan", "big.yaml"]) })
        print("Plan of \(planSize + 1) instances: first run (computing all, -j 2) \(String(format: "%.2f", firstRun)) s")
        print("  no-op rerun: \(String(format: "%.3f", noop)) s   plan (dry run): \(String(format: "%.3f", plan)) s")
    }
}
