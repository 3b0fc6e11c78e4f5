import Foundation
import Learning
import Linalg
import ModelStore
import Testing
import TestSupport

/// HDF5 checkpoints: an exact round trip, and training resumed from a checkpoint equals training
/// straight through, bit for bit (dropout masks come from a stream derived per epoch).
struct CheckpointTests {
    static func epochs<M: PowerModel>(_ model: inout M, _ optimizer: inout AdamW<Float>, _ range: Range<Int>,
                                      _ data: [PowerBatch<Float>]) where M.Scalar == Float {
        for epoch in range {
            let dropout = DropoutStream(RandomStream(seed: 5, name: "dropout", index: UInt64(epoch)))
            for batch in data { model.trainingStep(batch, optimizer: &optimizer, dropout: dropout) }
        }
    }

    @Test func resumedTrainingEqualsUninterrupted() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let data = TrainingTests.dataset(batch: 64, seed: 3)
        var straight = TrainingTests.smallTree(seed: 3), straightOpt = AdamW<Float>()
        Self.epochs(&straight, &straightOpt, 0..<3, data)

        var first = TrainingTests.smallTree(seed: 3), firstOpt = AdamW<Float>()
        Self.epochs(&first, &firstOpt, 0..<2, data)
        let path = scratch.path("tree.ckpt.h5")
        try saveCheckpoint(Checkpoint(parameters: first.parameters, optimizer: firstOpt, epoch: 2, metadata: ["model": "tree"]), to: path)
        let loaded = try loadCheckpoint(from: path)
        #expect(loaded == Checkpoint(parameters: first.parameters, optimizer: firstOpt, epoch: 2, metadata: ["model": "tree"]))
        var resumed = TrainingTests.smallTree(seed: 99)   // different initial weights, all replaced
        resumed.parameters = loaded.parameters
        var resumedOpt = loaded.optimizer
        Self.epochs(&resumed, &resumedOpt, loaded.epoch..<3, data)
        #expect(resumed.parameters == straight.parameters && resumedOpt == straightOpt)
        // Saving again over the same path replaces the file atomically and leaves no temporary behind.
        try saveCheckpoint(Checkpoint(parameters: resumed.parameters, optimizer: resumedOpt, epoch: 3), to: path)
        #expect(try loadCheckpoint(from: path).epoch == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["tree.ckpt.h5"])
    }

    @Test func unreadableCheckpointsAreReported() {
        #expect(throws: CheckpointError.self) { try loadCheckpoint(from: "/nonexistent/ckpt.h5") }
        #expect(throws: CheckpointError.self) { try loadCheckpoint(from: Fixtures.model("ops.h5")) }
    }
}
