import Foundation
import H5
import Pipeline
import Testing
import TestSupport

/// `manifests/smoke.yaml` through the real `cellfree run`: shapes and sanity of every stage's output,
/// the figures on disk, and a second run that recomputes nothing.
@Suite(.serialized)
struct SmokeManifestTests {
    static let manifest = Fixtures.testsDirectory.deletingLastPathComponent().appendingPathComponent("manifests/smoke.yaml").path

    @Test func smokeManifestRunsAndItsOutputsAreSane() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let r = try w.cellfree(["run", Self.manifest, "-j", "2"])
        #expect(r.status == 0, "\(r.output)")
        let L = 16, Q = 4
        let pUL = 100.0, pDL = 200.0   // mW (papers.md §4)
        var checkedBaselines = 0
        for f in w.results() where f.hasPrefix("baselines/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let params = try parseJSON(try h5.stringAttribute("params"))
            guard case .map(let pairs) = params, let K = Dictionary(pairs, uniquingKeysWith: { a, _ in a })["K"]?.integer else {
                Issue.record("no K in \(f)"); continue
            }
            for scheme in ["cf", "dcc"] {
                let g = try h5.group(scheme)
                let ul = try g.read("ul_power", as: Double.self), dl = try g.read("dl_power_total", as: Double.self)
                let seUL = try g.read("se_ul", as: Double.self).values, seDL = try g.read("se_dl", as: Double.self).values
                let links = try g.read("connections", as: Int64.self).values
                #expect(ul.shape == [3, K] && dl.shape == [3, K])
                #expect(ul.values.allSatisfy { $0 > 0 && $0 <= pUL * (1 + 1e-12) })
                #expect((seUL + seDL).allSatisfy { $0.isFinite && $0 > 0 })
                for d in 0..<3 {
                    // Max-min: the strongest-loaded UE is at P̄_UL; the DL total budget L·P̄_DL is spent exactly.
                    #expect(abs(ul.values[d * K..<(d + 1) * K].max()! - pUL) < 1e-9 * pUL)
                    #expect(abs(dl.values[d * K..<(d + 1) * K].reduce(0, +) - Double(L) * pDL) < 1e-9 * Double(L) * pDL)
                }
                #expect(links.allSatisfy { $0 == Int64(scheme == "cf" ? K * L : K * Q) })
            }
            checkedBaselines += 1
        }
        #expect(checkedBaselines == 3)
        // Max-min clustering: Algorithm 1 reaches the spectral-radius optimum (16) on every drop, and the
        // exhaustive scheme is never worse than fixed or add-AP (its option set contains theirs).
        for f in w.results() where f.hasPrefix("maxmin-clustering/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let fixedPoint = try h5.read("sinr_fixed_point", as: Double.self), spectral = try h5.read("sinr_spectral", as: Double.self)
            #expect(fixedPoint.shape == spectral.shape && fixedPoint.values.allSatisfy { $0.isFinite && $0 > 0 })
            #expect(zip(fixedPoint.values, spectral.values).allSatisfy { abs($0 - $1) <= 1e-6 * $1 })
            let schemes = try h5.stringAttribute("schemes").split(separator: ",").map(String.init)
            if let e = schemes.firstIndex(of: "exhaustive") {
                let perScheme = fixedPoint.count / fixedPoint.shape[0]
                for s in schemes.indices where s != e {
                    for i in 0..<perScheme { #expect(fixedPoint.values[e * perScheme + i] >= fixedPoint.values[s * perScheme + i] * (1 - 1e-6)) }
                }
            }
        }
        // Training: finite losses, the training loss falls over the 3 epochs, the weights are stored.
        let trained = try #require(w.results().first { $0.hasPrefix("train/") })
        let model = try H5File.open(w.layout.root + "/" + trained)
        let trainLoss = try model.read("train_loss", as: Double.self).values, valLoss = try model.read("val_loss", as: Double.self).values
        #expect(trainLoss.count == 3 && valLoss.count == 3 && (trainLoss + valLoss).allSatisfy { $0.isFinite && $0 > 0 })
        #expect(trainLoss.last! < trainLoss.first!)
        #expect(try model.dataset("params/dec_l2.W").shape == [64, 2])
        try model.close()
        // Evaluation: predicted powers within the budgets, and never a better max-min SE than the optimum.
        let evaluated = try #require(w.results().first { $0.hasPrefix("evaluate/") })
        let evaluation = try H5File.open(w.layout.root + "/" + evaluated)
        var groups = 0
        for (name, kind) in try evaluation.members() where kind == .group {
            let g = try evaluation.group(name)
            let K = Int(try g.stringAttribute("K"))!
            let ul = try g.read("ul_pred", as: Double.self).values, dl = try g.read("dl_pred", as: Double.self).values
            #expect(ul.allSatisfy { $0 > 0 && $0 <= pUL })
            for d in 0..<2 { #expect(abs(dl[d * K..<(d + 1) * K].reduce(0, +) - Double(L) * pDL) < 1e-6 * Double(L) * pDL) }
            for (opt, pred) in [("se_ul_opt", "se_ul_pred"), ("se_dl_opt", "se_dl_pred")] {
                let o = try g.read(opt, as: Double.self).values, p = try g.read(pred, as: Double.self).values
                for d in 0..<2 { #expect(p[d * K..<(d + 1) * K].min()! <= o[d * K..<(d + 1) * K].min()! * (1 + 1e-9), "\(name) \(pred) drop \(d)") }
            }
            groups += 1
        }
        #expect(groups == 2)
        try evaluation.close()
        let figures = try FileManager.default.contentsOfDirectory(atPath: w.outputs + "/figures").sorted()
        for base in ["smoke-connections-vs-k", "smoke-se-vs-k", "smoke-maxmin-cdf", "smoke-maxmin-vs-cs", "smoke-maxmin-setups", "smoke-tree-loss", "smoke-tree-power-cdf", "smoke-tree-se-vs-k"] {
            for ext in ["csv", "gp", "pdf", "png"] { #expect(figures.contains("\(base).\(ext)"), "\(figures)") }
        }
        let csv = try String(contentsOfFile: w.outputs + "/figures/smoke-se-vs-k.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "K,cf_ul,cf_dl,dcc_ul,dcc_dl")
        #expect(csv.dropFirst().map { $0.split(separator: ",").first! } == ["6", "10", "20"])
        // Full cooperation serves every UE from every AP: its max-min SE is at least DCC's.
        for row in csv.dropFirst() {
            let v = row.split(separator: ",").map { Double($0)! }
            #expect(v[1] >= v[3] - 1e-12 && v[2] >= v[4] - 1e-12, "\(row)")
        }
        let again = try w.cellfree(["run", Self.manifest, "-j", "2"])
        #expect(again.output.contains("22 instances: 22 cached, 0 computed"), "\(again.output)")
        #expect(again.output.contains("smoke-se-vs-k.{csv,gp,png,pdf} (unchanged)"), "\(again.output)")
    }
}
