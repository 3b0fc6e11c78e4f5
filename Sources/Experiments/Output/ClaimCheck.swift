import Foundation
import Pipeline

/// One claim of a paper about a figure or table, with the check that decides it, as a manifest writes
/// it (`checks:` of `figure` and `table`): `"claim | the paper's statement | check"`.
///
/// The check compares two expressions over the figure's CSV (or the table), with an optional
/// tolerance: `[every K:|some K:] lhs op rhs [± tol]`, `op` one of `>= <= > < =` (`=` needs `± tol`).
/// Terms: numbers, `[column]` (the column's values by row key), `[column @ key]` (one cell, e.g.
/// `[Optimal_ul @ 10]`), `+ - * /`, parentheses and the functions `mean min max first last` (of a
/// column), `abs`, `maxof minof` (per row, of two or more), `ks(a, b)` (two-sample Kolmogorov–Smirnov
/// distance of two columns' values) and `slope(a)` (log–log slope of a column over its numeric row keys). A check over columns needs `every …:` or `some …:` (over the
/// rows where every column has a number). `none: reason` records a claim no number can decide.
/// Example: `"predicted tracks optimal (UL) | closely tracks | every K: [Predicted_UC-CF_ul] / [Optimal_UC-CF_ul] >= 0.85"`.
struct ClaimCheck: ParameterValue, Equatable {
    enum Quantifier: String, Equatable, Sendable { case every, some }
    enum Comparison: String, Equatable, CaseIterable, Sendable { case atLeast = ">=", atMost = "<=", above = ">", below = "<", equal = "=" }

    let source: String
    let claim: String, paper: String
    /// Nil for `none: reason`.
    let test: Test?
    let reason: String

    struct Test: Equatable, Sendable {
        let quantifier: Quantifier?
        let lhs: CheckExpression, comparison: Comparison, rhs: CheckExpression
        let tolerance: Double
    }

    static var parameterType: ParameterType { .string }
    var parameterValue: ParamValue { .string(source) }

    init(_ source: String) throws {
        self.source = source
        let parts = source.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, !parts[0].isEmpty, !parts[2].isEmpty else {
            throw CheckSyntaxError("'\(source)' is not 'claim | paper | check'")
        }
        (claim, paper) = (parts[0], parts[1])
        var text = Substring(parts[2])
        if text.hasPrefix("none:") {
            test = nil
            reason = text.dropFirst(5).trimmingCharacters(in: .whitespaces)
            return
        }
        reason = ""
        var quantifier: Quantifier?
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("["),
           let word = text[..<colon].split(separator: " ").first, let q = Quantifier(rawValue: String(word)) {
            quantifier = q
            text = text[text.index(after: colon)...]
        }
        var parser = CheckParser(String(text))
        let lhs = try parser.expression()
        guard let comparison = parser.comparison() else { throw CheckSyntaxError("expected one of >= <= > < = after '\(lhs)' in '\(parts[2])'") }
        let rhs = try parser.expression()
        var tolerance = 0.0
        let tolerated = parser.take("±")
        if tolerated {
            guard let t = parser.number(), t >= 0 else { throw CheckSyntaxError("expected a tolerance ≥ 0 after ± in '\(parts[2])'") }
            tolerance = t
        }
        guard parser.atEnd else { throw CheckSyntaxError("unexpected '\(parser.rest)' in '\(parts[2])'") }
        if comparison == .equal && !tolerated { throw CheckSyntaxError("'=' needs a tolerance ('= 2.9 ± 0.5') in '\(parts[2])'") }
        let overRows = lhs.isSeries || rhs.isSeries
        if overRows && quantifier == nil { throw CheckSyntaxError("a check over columns needs 'every K:' or 'some K:' in '\(parts[2])'") }
        if !overRows && quantifier != nil { throw CheckSyntaxError("'\(quantifier!.rawValue)' needs a column, not only cells and numbers, in '\(parts[2])'") }
        test = Test(quantifier: quantifier, lhs: lhs, comparison: comparison, rhs: rhs, tolerance: tolerance)
    }

    init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch let e as CheckSyntaxError {
            throw InvalidParameterValue(expected: "a check 'claim | paper | check' (\(e.message))")
        }
    }

    static func == (a: ClaimCheck, b: ClaimCheck) -> Bool { a.source == b.source }
}

struct CheckSyntaxError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// What REPORT.md shows of a check: the claim, the paper's statement, our numbers and the verdict.
struct CheckOutcome: Codable, Equatable {
    enum Verdict: String, Codable { case agrees, differs, notComparable = "not comparable" }
    var claim: String, paper: String, check: String, ours: String
    var verdict: Verdict
}

extension ClaimCheck {
    /// Decides the claim on `table`: "not comparable" when a column or cell it names is missing.
    func outcome(on table: ResultTable) -> CheckOutcome {
        let checkText = source.split(separator: "|").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        func result(_ ours: String, _ v: CheckOutcome.Verdict) -> CheckOutcome {
            CheckOutcome(claim: claim, paper: paper, check: checkText, ours: ours, verdict: v)
        }
        guard let test else { return result(reason.isEmpty ? "no number decides it" : reason, .notComparable) }
        do {
            let (l, r) = (try test.lhs.evaluate(on: table), try test.rhs.evaluate(on: table))
            let rows = aligned(l, r)
            guard !rows.isEmpty else { return result("no row where both sides have a number", .notComparable) }
            let holds = rows.map { test.holds($0.lhs, $0.rhs) }
            let showRHS = !test.rhs.isConstant
            let cells = rows.map { row in
                reported(row.lhs) + (showRHS ? " vs " + reported(row.rhs) : "") + (row.key.map { " (\(table.keyName) = \($0))" } ?? "")
            }
            let verdict: Bool = test.quantifier == .some ? holds.contains(true) : !holds.contains(false)
            return result(cells.joined(separator: ", "), verdict ? .agrees : .differs)
        } catch let e as CheckSyntaxError {
            return result(e.message, .notComparable)
        } catch {
            return result("\(error)", .notComparable)
        }
    }
}

extension ClaimCheck.Test {
    func holds(_ l: Double, _ r: Double) -> Bool {
        switch comparison {
        case .atLeast: l >= r - tolerance
        case .atMost: l <= r + tolerance
        case .above: l > r - tolerance
        case .below: l < r + tolerance
        case .equal: abs(l - r) <= tolerance
        }
    }
}

/// A number as the claim table shows it: 3 significant digits, large ones in full (46561, not 4.66e+04).
func reported(_ x: Double) -> String { abs(x) >= 1000 && x.isFinite ? String(format: "%.0f", x) : fmt(x) }

/// The pairs a comparison decides: one for two scalars, else one per row key both sides have.
private func aligned(_ l: CheckValue, _ r: CheckValue) -> [(key: String?, lhs: Double, rhs: Double)] {
    switch (l, r) {
    case let (.scalar(a), .scalar(b)): return a.isFinite && b.isFinite ? [(nil, a, b)] : []
    case let (.series(a), .scalar(b)): return a.filter { $0.value.isFinite && b.isFinite }.map { ($0.key, $0.value, b) }
    case let (.scalar(a), .series(b)): return b.filter { $0.value.isFinite && a.isFinite }.map { ($0.key, a, $0.value) }
    case let (.series(a), .series(b)):
        return a.compactMap { x in
            b.first { rowKeysMatch($0.key, x.key) }.flatMap { y in x.value.isFinite && y.value.isFinite ? (x.key, x.value, y.value) : nil }
        }
    }
}
