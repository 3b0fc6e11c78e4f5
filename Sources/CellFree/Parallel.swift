import Dispatch

/// A value shared with worker threads that only touch disjoint parts of it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

/// Runs `body(i)` for i in 0..<count on `threads` threads (UE i goes to thread i mod threads); with one
/// thread, inline and in order. Bodies must write disjoint memory; results then do not depend on the
/// thread count. The first error (lowest i) is rethrown after all bodies finish.
func parallelFor(_ count: Int, threads: Int, _ body: (Int) throws -> Void) throws {
    let threads = max(1, min(threads, count))
    if threads == 1 {
        for i in 0..<count { try body(i) }
        return
    }
    var errors = [(Int, any Error)?](repeating: nil, count: threads)
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(value: body)
        errors.withUnsafeMutableBufferPointer { buffer in
            let slots = UncheckedSendable(value: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for i in stride(from: t, to: count, by: threads) {
                    do { try shared.value(i) } catch {
                        slots.value[t] = slots.value[t] ?? (i, error)
                    }
                }
            }
        }
    }
    if let first = errors.compactMap({ $0 }).min(by: { $0.0 < $1.0 }) { throw first.1 }
}
