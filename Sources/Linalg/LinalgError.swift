/// A failure reported by LAPACK (`info != 0`) or a precondition on the input that the caller can act on.
public enum LinalgError: Error, Equatable, CustomStringConvertible {
    /// LAPACK rejected argument `index` (1-based, as LAPACK counts; LAPACKE also reports NaN inputs so).
    case illegalArgument(routine: String, index: Int)
    /// The leading minor of order `order` is not positive definite (potrf/posv).
    case notPositiveDefinite(routine: String, order: Int)
    /// U(pivot, pivot) is exactly zero (getrf/getri/gesv).
    case singular(routine: String, pivot: Int)
    /// An eigenvalue algorithm failed to converge.
    case noConvergence(routine: String, info: Int)
    /// A Hermitian matrix that must be positive semidefinite has a clearly negative eigenvalue.
    case notPositiveSemidefinite(routine: String, smallestEigenvalue: Double, tolerance: Double)
    /// Shapes that cannot combine.
    case shapeMismatch(routine: String, detail: String)

    public var description: String {
        switch self {
        case let .illegalArgument(r, i):
            return "\(r): argument \(i) is illegal or contains NaN (LAPACK info = \(-i))"
        case let .notPositiveDefinite(r, o):
            return "\(r): matrix is not positive definite (leading minor of order \(o))"
        case let .singular(r, p):
            return "\(r): matrix is singular (U(\(p),\(p)) = 0)"
        case let .noConvergence(r, info):
            return "\(r): eigenvalue iteration did not converge (info = \(info))"
        case let .notPositiveSemidefinite(r, e, tol):
            return "\(r): matrix is not positive semidefinite (smallest eigenvalue \(e) < -\(tol))"
        case let .shapeMismatch(r, d):
            return "\(r): shape mismatch: \(d)"
        }
    }

    /// Maps a LAPACK `info` to a Swift error; `positive` interprets info > 0 for that routine.
    static func check(_ info: Int32, _ routine: String, positive: (Int) -> LinalgError) throws {
        if info < 0 { throw LinalgError.illegalArgument(routine: routine, index: Int(-info)) }
        if info > 0 { throw positive(Int(info)) }
    }
}
