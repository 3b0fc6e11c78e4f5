import Foundation
import H5

// Small stage kinds of the pipeline's own, for its tests and benchmarks: they exercise parameters,
// sweeps, inputs, progress, checkpoints, failure and CPU-bound work without any physics.

/// `toy`: draws `count` samples of `size` uniform numbers in [0, scale). Sample i's numbers depend
/// only on (seed, replica, first + i), so any split of the samples over instances gives the same rows.
public struct ToyDrawStage: StageKind {
    public init() {}
    public let name = "toy"
    public let version = 1
    public let summary = "random samples (pipeline tests)"

    public struct Parameters: StageParameterSet {
        @Parameter("count", "number of samples", range: .atLeast(0)) var count = 4
        @Parameter("size", "numbers per sample", range: .atLeast(1)) var size = 8
        @Parameter("first", "global index of the first sample", range: .atLeast(0)) var first = 0
        @Parameter("scale", "upper end of the uniform range") var scale = 1.0
        @ParameterGroup var random = SeedAndReplica()
        @Parameter("work", "extra CPU work per sample (iterations), for benchmarks", range: .atLeast(0)) var work = 0
        @Parameter("step_ms", "sleep per sample, for interruption tests", unit: "ms", range: .atLeast(0)) var stepMillis = 0
        @Parameter("checkpoint_every", "save a checkpoint every this many samples (0 = never)", range: .atLeast(0))
        var checkpointEvery = 0
        @Parameter("fail", "fail on purpose (failure tests)") var fail = false
        public init() {}
    }

    /// The samples (and their checkpoint copy) and two numbers per sample.
    public func memoryEstimate(_ p: Parameters) -> Double? { Double(p.count) * (16 * Double(p.size) + 24) }

    public func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (count, size, first, scale, work, stepMillis, every) = (p.count, p.size, p.first, p.scale, p.work, p.stepMillis, p.checkpointEvery)
        if p.fail { throw PipelineError.stage(id: context.id, detail: "failing on purpose (fail: true)") }
        let seed = context.streamSeed
        var samples = [Double](repeating: 0, count: count * size)
        var burned = [Double](repeating: 0, count: count)
        var done = 0
        if let saved = context.checkpoint.load(log: context.log) {
            done = Int(try saved.dataset("done").readScalar(as: Int64.self))
            let rows = try saved.read("samples", as: Double.self).values
            let burnt = try saved.read("work", as: Double.self).values
            guard rows.count == samples.count, burnt.count == count, done <= count else {
                throw PipelineError.stage(id: context.id, detail: "checkpoint does not match the parameters")
            }
            samples = rows
            burned = burnt
            context.log("resumed from checkpoint at sample \(done) of \(count)")
        }
        while done < count {
            let i = UInt64(first + done)
            for e in 0..<size {
                samples[done * size + e] = scale * uniform(seed, i, UInt64(e))
            }
            var acc = 0.0
            for w in 0..<work { acc += uniform(seed, i, UInt64(size + w)).squareRoot() }
            burned[done] = acc
            if stepMillis > 0 { usleep(UInt32(stepMillis * 1000)) }
            done += 1
            context.progress(done, of: count)
            if every > 0, done % every == 0, done < count {
                try context.checkpoint.save { f in
                    try f.write("done", scalar: Int64(done))
                    try f.write("samples", samples, shape: [count, size])
                    try f.write("work", burned, shape: [count])
                }
            }
        }
        try context.output.write("samples", samples, shape: [count, size]).setAttribute("dims", "sample,element")
        try context.output.write("index", (0..<count).map { Int64(first + $0) }, shape: [count])
        try context.output.write("work", burned, shape: [count])
    }
}

/// `toy-sum`: adds the `samples` rows of all its inputs into `sum` (one row) and `total`.
public struct ToySumStage: StageKind {
    public init() {}
    public let name = "toy-sum"
    public let version = 1
    public let summary = "sums the samples of its inputs (pipeline tests)"
    public struct Parameters: StageParameterSet {
        @Parameter("scale", "factor applied to the sum") var scale = 1.0
        public init() {}
    }

    public func run(_ context: StageContext) throws {
        let scale = try context.parameters(Parameters.self).scale
        var sum: [Double] = []
        var rows = 0
        for name in context.inputs.keys.sorted() {
            for input in context.inputs[name]! {
                let file = try input.open()
                let samples = try file.read("samples", as: Double.self)
                try file.close()
                guard samples.rank == 2 else { throw PipelineError.stage(id: context.id, detail: "\(input.path): samples must be 2-d") }
                if sum.isEmpty { sum = [Double](repeating: 0, count: samples.shape[1]) }
                guard samples.shape[1] == sum.count else {
                    throw PipelineError.stage(id: context.id, detail: "\(input.path): rows of \(samples.shape[1]) numbers, expected \(sum.count)")
                }
                for r in 0..<samples.shape[0] {
                    for e in 0..<sum.count { sum[e] += samples.values[r * sum.count + e] }
                }
                rows += samples.shape[0]
            }
        }
        sum = sum.map { $0 * scale }
        try context.output.write("sum", sum, shape: [sum.count])
        try context.output.write("total", scalar: sum.reduce(0, +))
        try context.output.write("rows", scalar: Int64(rows))
    }
}

/// A uniform number in [0, 1) addressed by (seed, sample, element): SplitMix64 finalizer of a mixed
/// counter, so draws never depend on order or on which process makes them.
func uniform(_ seed: UInt64, _ sample: UInt64, _ element: UInt64) -> Double {
    var z = seed &+ sample &* 0x9E37_79B9_7F4A_7C15 &+ (element &+ 1) &* 0xD1B5_4A32_D192_ED03
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) * 0x1p-53
}

/// The pipeline's own stage kinds.
public let toyStageKinds: [any StageKind] = [ToyDrawStage(), ToySumStage()]
