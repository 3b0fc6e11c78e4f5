import Foundation
import Pipeline
import Testing
@testable import Experiments

/// Claim checks (`checks:` of figures and tables): their grammar, and verdicts on tables whose answers
/// are worked out by hand.
struct ClaimCheckTests {
    /// A figure's CSV: K = 10, 20, 40; one missing value (NaN) at K = 40.
    let curves = ResultTable(csv: """
        K,Optimal_UC-CF_ul,distance-ranked_UC_(τp_cap)_ul,Optimal_CF_ul,latency_ms
        10,2.0,2.1,2.5,1.0
        20,1.5,1.5,1.2,2.0
        40,NaN,0.8,0.6,4.0

        """)

    func outcome(_ check: String, on table: ResultTable? = nil) throws -> CheckOutcome {
        try ClaimCheck("claim | paper | " + check).outcome(on: table ?? curves)
    }

    @Test func ratiosOverEveryRowDecideByTheirSmallest() throws {
        // 2.0/2.1 = 0.952, 1.5/1.5 = 1; K = 40 has no Optimal value and is left out.
        let holds = try outcome("every K: [Optimal_UC-CF_ul] / [distance-ranked_UC_(τp_cap)_ul] >= 0.95")
        #expect(holds.verdict == .agrees)
        #expect(holds.ours == "0.952 (K = 10), 1 (K = 20)")
        #expect(try outcome("every K: [Optimal_UC-CF_ul] / [distance-ranked_UC_(τp_cap)_ul] >= 0.96").verdict == .differs)
        // The tolerance widens the bound: 0.952 ≥ 0.96 − 0.01.
        #expect(try outcome("every K: [Optimal_UC-CF_ul] / [distance-ranked_UC_(τp_cap)_ul] >= 0.96 ± 0.01").verdict == .agrees)
    }

    @Test func someAndColumnAgainstColumn() throws {
        // Optimal UC-CF beats CF at K = 20 only (1.5 > 1.2).
        let beats = try outcome("some K: [Optimal_UC-CF_ul] > [Optimal_CF_ul]")
        #expect(beats.verdict == .agrees)
        #expect(beats.ours == "2 vs 2.5 (K = 10), 1.5 vs 1.2 (K = 20)")
        #expect(try outcome("every K: [Optimal_UC-CF_ul] > [Optimal_CF_ul]").verdict == .differs)
    }

    @Test func cellsAggregatesAndSlope() throws {
        #expect(try outcome("[Optimal_CF_ul @ 10] = 2.9 ± 0.5").verdict == .agrees)     // |2.5 − 2.9| = 0.4
        #expect(try outcome("[Optimal_CF_ul @ 10.0] = 2.9 ± 0.3").verdict == .differs)  // keys match as numbers
        #expect(try outcome("first([Optimal_CF_ul]) / last([Optimal_CF_ul]) >= 4").ours == "4.17")   // 2.5 / 0.6
        // (0.5 + 0.8 + 1.4) / 3 = 0.9
        #expect(try outcome("mean(abs([Optimal_CF_ul] - 2)) <= 0.9 ± 1e-12").verdict == .agrees)
        #expect(try outcome("mean(abs([Optimal_CF_ul] - 2)) < 0.89").verdict == .differs)
        // Per row: DCC-like lowest of three: min(2.0, 2.1, 2.5) = 2 at K = 10, min(1.5, 1.5, 1.2) = 1.2 at K = 20.
        #expect(try outcome("every K: minof([Optimal_UC-CF_ul], [distance-ranked_UC_(τp_cap)_ul], [Optimal_CF_ul]) >= 1.2").ours == "2 (K = 10), 1.2 (K = 20)")
        #expect(try outcome("maxof([Optimal_CF_ul @ 10], [Optimal_CF_ul @ 20]) = 2.5 ± 0").verdict == .agrees)
        // latency doubles with K: log–log slope exactly 1.
        #expect(try outcome("slope([latency_ms]) = 1 ± 1e-12").verdict == .agrees)
        // KS of {1.5, 2} against {0.8, 1.5, 2.1}: CDF gaps 1/3 (x = 0.8), 1/6 (1.5), 1/3 (2), 0 (2.1).
        let ks = try outcome("ks([Optimal_UC-CF_ul], [distance-ranked_UC_(τp_cap)_ul]) <= 0.34")
        #expect(ks.ours == "0.333" && ks.verdict == .agrees)
    }

    @Test func missingDataIsNotComparable() throws {
        let missing = try outcome("every K: [Predicted_UC-CF_ul] / [Optimal_UC-CF_ul] >= 0.85")
        #expect(missing.verdict == .notComparable)
        #expect(missing.ours.hasPrefix("no column 'Predicted_UC-CF_ul' (columns: Optimal_UC-CF_ul,"))
        #expect(try outcome("[Optimal_UC-CF_ul @ 40] >= 1").verdict == .notComparable)
        let none = try outcome("none: the paper gives no K or L")
        #expect(none.verdict == .notComparable && none.ours == "the paper gives no K or L")
    }

    @Test func tablesAreReadByRowLabel() throws {
        var t = TextTable(header: ["Model", "Parameters", "Average SE (bit/s/Hz)"])
        t.rows = [["Tree-Transformer", "584,354", "2.06"], ["Transformer (softmax)", "1,200", "n/a"]]
        let table = ResultTable(t)
        #expect(try outcome("[Average SE (bit/s/Hz) @ Tree-Transformer] = 2.01 ± 0.5", on: table).verdict == .agrees)
        #expect(try outcome("[Parameters @ Tree-Transformer] = 584354 ± 0.5", on: table).verdict == .agrees)
        // Over rows: the row without a number (n/a) is left out.
        #expect(try outcome("every Model: [Average SE (bit/s/Hz)] > 2", on: table).ours == "2.06 (Model = Tree-Transformer)")
        // A figure's CSV with a quoted row label (maxmin-setups).
        let setups = ResultTable(csv: "setup,fixed\n\"L=1 N=8\",3.5\n\"L=8 N=1\",2.5\n")
        #expect(try outcome("last([fixed]) < first([fixed])", on: setups).verdict == .agrees)
        #expect(try outcome("[fixed @ L=8 N=1] = 2.5 ± 0", on: setups).verdict == .agrees)
        #expect(table.csv == "Model,Parameters,Average SE (bit/s/Hz)\nTree-Transformer,\"584,354\",2.06\nTransformer (softmax),\"1,200\",n/a\n")
    }

    @Test func malformedChecksAreRefusedWithTheReason() {
        func message(_ check: String) -> String {
            do { _ = try ClaimCheck(check); return "" } catch let e as CheckSyntaxError { return e.message } catch { return "\(error)" }
        }
        #expect(message("only a claim").contains("is not 'claim | paper | check'"))
        #expect(message("c | p | [A] / [B] >= 0.9").contains("needs 'every K:' or 'some K:'"))
        #expect(message("c | p | every K: [A @ 10] >= 0.9").contains("needs a column"))
        #expect(message("c | p | [A @ 10] = 2.9").contains("'=' needs a tolerance"))
        #expect(message("c | p | median([A]) >= 1").contains("unknown function 'median'"))
        #expect(message("c | p | every K: [A] >= 1 extra").contains("unexpected 'extra'"))
        #expect(message("c | p | every K: [A >= 1").contains("missing ']'"))
        #expect(message("c | p | ks([A]) >= 1").contains("ks takes 2 arguments, not 1"))
        #expect(message("c | p | every K: maxof([A]) >= 1").contains("maxof takes two or more arguments"))
    }
}
