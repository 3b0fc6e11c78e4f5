import RealModule

/// a ≈ b: |a − b| ≤ max(`absolute`, `relative`·max(|a|, |b|)) — swift-numerics' `isApproximatelyEqual`.
/// The one way tests compare numbers against a reference; say which tolerance and why beside the call.
public func isClose<T: Real>(_ a: T, _ b: T, relative: T = 0, absolute: T = 0) -> Bool {
    a.isApproximatelyEqual(to: b, absoluteTolerance: absolute, relativeTolerance: relative)
}

/// max_i |a_i − b_i| / max_i |b_i|: the worst deviation of `a` from the reference `b`, on b's scale
/// (infinite when the counts differ).
public func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count, !b.isEmpty else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max()! / b.map(abs).max()!
}
