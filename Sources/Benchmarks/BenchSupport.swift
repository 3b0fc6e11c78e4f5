import Foundation

/// Wall-clock seconds spent in `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median (upper middle for an even count).
func median(_ x: [Double]) -> Double { let s = x.sorted(); return s[s.count / 2] }

/// `s` padded with spaces to a table column of `width` (at least one trailing space).
func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count + 1), withPad: " ", startingAt: 0) }

/// A benchmark that could not run (a child process failed, a setup was invalid).
public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
