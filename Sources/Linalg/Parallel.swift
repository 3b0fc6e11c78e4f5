import Dispatch

/// A value shared with worker threads that only touch disjoint parts of it.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(value: Value) { self.value = value }
}

/// Runs `body(i)` for i in 0..<count on `threads` threads (item i goes to thread i mod threads); with one
/// thread, inline and in order. Bodies must write disjoint memory; results then do not depend on the
/// thread count. The first error (lowest i) is rethrown after all bodies finish; a body that cannot
/// throw makes the call non-throwing (typed throws, `E` = `Never`).
public func parallelFor<E: Error>(_ count: Int, threads: Int, _ body: (Int) throws(E) -> Void) throws(E) {
    let threads = max(1, min(threads, count))
    if threads == 1 {
        for i in 0..<count { try body(i) }
        return
    }
    var errors = [(Int, E)?](repeating: nil, count: threads)
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(value: body)
        errors.withUnsafeMutableBufferPointer { buffer in
            let slots = UncheckedSendable(value: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for i in stride(from: t, to: count, by: threads) {
                    do throws(E) { try shared.value(i) } catch {
                        slots.value[t] = slots.value[t] ?? (i, error)
                    }
                }
            }
        }
    }
    if let first = errors.compactMap({ $0 }).min(by: { $0.0 < $1.0 }) { throw first.1 }
}

/// Runs `body(range)` on contiguous chunks covering 0..<count, one chunk per thread; inline when one
/// thread suffices or the work is below `minimumPerThread` items per thread.
public func parallelChunks(_ count: Int, threads: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    let t = max(1, min(threads, count / max(1, minimumPerThread)))
    if t == 1 { body(0..<count); return }
    parallelFor(t, threads: t) { i in body((count * i / t)..<(count * (i + 1) / t)) }
}
