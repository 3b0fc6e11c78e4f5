import Learning
import Linalg
import Testing

/// The Table IV cost figures: FLOPs of a forward pass counted by hand on a tiny configuration, their
/// growth in K per attention core, and the memory a tape holds.
struct ModelCostTests {
    func tiny(_ attention: AttentionKind) -> ClusterPowerNetConfig {
        var c = ClusterPowerNetConfig()
        (c.attention, c.dModel, c.heads, c.layers, c.dFF, c.L) = (attention, 4, 1, 1, 8, 1)
        return c
    }

    @Test func softmaxForwardFLOPsCountedByHand() {
        // K = 2, d = dh = 4, d_ff = 8, L = 1 (4 input features). Dense(in → out) = 2·K·in·out + K·out.
        let embed = 2 * 2 * 4 * 4 + 2 * 4                                        // 72
        let qkv = 2 * 2 * 4 * 12 + 2 * 12, out = 2 * 2 * 4 * 4 + 2 * 4           // 216, 72
        let ffn = (2 * 2 * 4 * 8 + 2 * 8) + (2 * 2 * 8 * 4 + 2 * 4)              // 144 + 136
        let core = 4 * 2 * 2 * 4 + 5 * 2 * 2                                      // QKᵀ and AV, softmax: 84
        let normsAndResiduals = 2 * 5 * 2 * 4 + 2 * 2 * 4                         // 96
        let heads = 3 * (2 * 2 * 4 * 1 + 2 * 1) + 4 * 2 * 1                       // 62
        #expect(forwardFLOPs(tiny(.softmax), K: 2) == embed + qkv + core + out + ffn + normsAndResiduals + heads)
    }

    @Test func linearCoresGrowLinearlyInKAndSoftmaxQuadratically() {
        for kind in [AttentionKind.cosFormer(.eluPlusOne), .performer(features: 16), .slidingWindow(2)] {
            let c = tiny(kind)
            #expect(forwardFLOPs(c, K: 40) == 2 * forwardFLOPs(c, K: 20), "\(kind)")
        }
        let s = tiny(.softmax)
        let quadratic = forwardFLOPs(s, K: 40) - 2 * forwardFLOPs(s, K: 20)      // = 2·20²·(4·dh + 5) from the K² terms
        #expect(quadratic == 2 * 20 * 20 * (4 * 4 + 5))
    }

    @Test func tapeStoredBytesCountEveryRecordedValue() {
        let tape = Tape<Float>()
        let a = tape.constant(Tensor(shape: [3, 5]))
        #expect(tape.storedBytes == 15 * 4)
        _ = tape.add(a, a)
        #expect(tape.storedBytes == 30 * 4)
    }
}
