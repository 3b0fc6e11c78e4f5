import Foundation
import Linalg

/// The body of `cellfree bench linalg`: BLAS throughput and Hermitian solve rate on this machine.
public struct LinalgBenchmark {
    public var minTime: Double
    public var repeats: Int
    public var threads: [Int]

    public init(minTime: Double, repeats: Int, threads: [Int]) {
        self.minTime = minTime
        self.repeats = repeats
        self.threads = threads
    }

    public func run(emit: (String) -> Void) throws {
        emit("OpenBLAS: \(BLASThreads.configuration)")
        emit("best of \(repeats) batches of ≥ \(minTime) s; flops = 2N³ (real) or 8N³ (complex)\n")
        emit(pad("routine", 28) + threads.map { pad("\($0) thread" + ($0 == 1 ? "" : "s"), 14) }.joined())
        var rng = RandomStream(seed: 2, name: "bench-linalg")
        for n in [64, 512] {
            let rows: [(String, Double, () -> Void)] = [
                gemmCase(Float.self, "sgemm", n, &rng),
                gemmCase(Complex<Float>.self, "cgemm", n, &rng),
                gemmCase(Complex<Double>.self, "zgemm", n, &rng),
            ]
            for (name, flops, body) in rows {
                let figures = threads.map { t -> String in
                    BLASThreads.set(t)
                    return String(format: "%.1f GFLOP/s", flops / best(body) / 1e9)
                }
                emit(pad("\(name) N=\(n)", 28) + figures.map { pad($0, 14) }.joined())
            }
        }
        let solve = posvCase(n: 64, &rng)
        let rates = threads.map { t -> String in
            BLASThreads.set(t)
            return String(format: "%.0f /s", 1 / best(solve))
        }
        emit(pad("zposv 64×64, 1 rhs", 28) + rates.map { pad($0, 14) }.joined())
    }

    /// op() timed in batches of at least `minTime`; returns the best seconds per call.
    func best(_ op: () -> Void) -> Double {
        op()  // warm-up (thread pool, caches)
        var calls = 1
        while true {
            let t = time(op, calls)
            if t >= minTime { break }
            calls *= max(2, Int((minTime / max(t, 1e-6)).rounded(.up)))
        }
        return (0..<repeats).map { _ in time(op, calls) / Double(calls) }.min()!
    }

    func time(_ op: () -> Void, _ calls: Int) -> Double { seconds { for _ in 0..<calls { op() } } }

    func gemmCase<T: LinalgScalar>(_: T.Type, _ name: String, _ n: Int, _ rng: inout RandomStream) -> (String, Double, () -> Void) {
        let a = Matrix<T>.randomNormal(rows: n, columns: n, using: &rng), b = Matrix<T>.randomNormal(rows: n, columns: n, using: &rng)
        var c = Matrix<T>(rows: n, columns: n)
        let flops = (T.isComplex ? 8.0 : 2.0) * pow(Double(n), 3)
        return (name, flops, { c.multiplyAdd(a, .none, b, .none) })
    }

    /// One Hermitian positive definite solve per call: copy A and b, then potrf + potrs in place.
    func posvCase(n: Int, _ rng: inout RandomStream) -> () -> Void {
        let g = Matrix<Complex<Double>>.randomNormal(rows: n, columns: n, using: &rng)
        var a = Matrix<Complex<Double>>.gram(g)
        for i in 0..<n { a[i, i] = a[i, i] + Complex(Double(n), 0) }
        let b = Matrix<Complex<Double>>.randomNormal(rows: n, columns: 1, using: &rng)
        var work = a, x = b
        let body = {
            work.elements.withUnsafeMutableBufferPointer { w in a.elements.withUnsafeBufferPointer { w.baseAddress!.update(from: $0.baseAddress!, count: $0.count) } }
            x.elements.withUnsafeMutableBufferPointer { w in b.elements.withUnsafeBufferPointer { w.baseAddress!.update(from: $0.baseAddress!, count: $0.count) } }
            try! work.solvePositiveDefiniteInPlace(&x)
        }
        return body
    }

}
