import H5
import Linalg

/// One recomputed variable against the file: max |ours − reference| over the variable's largest
/// |reference| entry (absolute when the reference is all zeros).
public struct VariableCheck: Sendable, CustomStringConvertible {
    public let name: String
    public let shape: [Int]
    public let relativeError: Double
    public let tolerance: Double
    public var passed: Bool { relativeError <= tolerance }

    public var description: String {
        let shapeText = shape.map(String.init).joined(separator: "×")
        let errorText = relativeError.isFinite ? String(format: "%.3e", relativeError) : "\(relativeError)"
        let pad = { (s: String, n: Int) in s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        return pad(name, 34) + pad(shapeText, 14) + pad(errorText, 11) + (passed ? "ok" : "FAIL (tolerance \(tolerance))")
    }
}

/// Relative error of `ours` against `reference`, both in the same element order.
func relativeError(_ ours: [Complex<Double>], _ reference: [Complex<Double>]) -> Double {
    guard ours.count == reference.count else { return .infinity }
    var worst = 0.0, scale = 0.0
    for (a, b) in zip(ours, reference) {
        let d = (a - b).length
        if d.isNaN { return .nan }
        worst = max(worst, d)
        scale = max(scale, b.length)
    }
    return scale > 0 ? worst / scale : worst
}

/// Collects checks of recomputed variables against an Octave file, skipping what the file lacks.
struct Checker {
    let file: OctaveFile
    let names: Set<String>
    var checks: [VariableCheck] = []

    mutating func compare(_ name: String, _ ours: [Complex<Double>], tolerance: Double = 1e-9) throws {
        guard names.contains(name) else { return }
        let reference = try file.complex(name)
        checks.append(VariableCheck(name: name, shape: reference.shape, relativeError: relativeError(ours, reference.values),
                                    tolerance: tolerance))
    }

    mutating func compare(_ name: String, _ ours: [Double], tolerance: Double = 1e-9) throws {
        try compare(name, ours.map { Complex($0) }, tolerance: tolerance)
    }

    /// 0-based indices against the reference's 1-based ones.
    mutating func compare(_ name: String, indices: [Int]) throws {
        try compare(name, indices.map { Double($0 + 1) }, tolerance: 0)
    }

    func wants(_ prefix: String) -> Bool { names.contains { $0.hasPrefix(prefix) } }
}
