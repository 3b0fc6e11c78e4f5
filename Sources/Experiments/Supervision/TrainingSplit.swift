import Linalg

/// The one split and the one shuffle of every training set (`train`'s Tree data and the ClusterPowerNet
/// drops of `train` and `ablate`): the last `validationFraction` of each input's drops (rounded) are held
/// out; each epoch the training drops of each input are shuffled by the epoch's stream (Fisher–Yates from
/// the end) and cut into batches of `size`, so every batch holds drops of one input (one K); then the
/// order of all the epoch's batches is shuffled, so the K interleave. (Visiting the inputs one after
/// the other, as before, let the output biases chase each K's label mean in turn: the Tree's training
/// loss sat at the per-K constant predictor's 0.081 for 100 epochs, its validation loss at a global constant's.)
enum TrainingSplit {
    /// Training and validation drop counts of an input of `n` drops.
    static func counts(drops n: Int, validationFraction: Double) -> (training: Int, validation: Int) {
        let validation = Int((Double(n) * validationFraction).rounded())
        return (n - validation, validation)
    }

    /// The epoch's batches as (input, drop indices) in shuffled order, empty inputs skipped.
    static func batches(groupSizes: [Int], size: Int, using rng: inout RandomStream) -> [(group: Int, indices: [Int])] {
        var out: [(group: Int, indices: [Int])] = []
        for (g, n) in groupSizes.enumerated() where n > 0 {
            var order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.uniformInt(below: i + 1)) }
            for start in stride(from: 0, to: n, by: size) { out.append((g, Array(order[start..<min(start + size, n)]))) }
        }
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, rng.uniformInt(below: i + 1)) }
        return out
    }
}
