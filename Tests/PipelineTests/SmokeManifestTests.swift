import Foundation
import ComplexModule
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
        var checkedBaselines = 0, checkedRefined = 0
        for f in w.results() where f.hasPrefix("baselines/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let params = try parseJSON(try h5.stringAttribute("params"))
            guard case .map(let pairs) = params, let K = Dictionary(pairs, uniquingKeysWith: { a, _ in a })["K"]?.integer else {
                Issue.record("no K in \(f)"); continue
            }
            for scheme in ["max-min-refined", "positions-refined"] where h5.contains(scheme) {
                // Refined clusters: 0/1 links [n, K, L], no AP over τ_p = 10 UEs, every UE served, UL max-min.
                let g = try h5.group(scheme)
                let D = try g.read("clusters", as: UInt8.self), ul = try g.read("ul_power", as: Double.self)
                let n = D.shape[0]
                #expect(D.shape == [n, K, L] && D.values.allSatisfy { $0 <= 1 })
                for d in 0..<n {
                    let link = { (k: Int, l: Int) in D.values[(d * K + k) * L + l] == 1 }
                    #expect((0..<L).allSatisfy { l in (0..<K).filter { link($0, l) }.count <= 10 })
                    #expect((0..<K).allSatisfy { k in (0..<L).contains { link(k, $0) } })
                    #expect(isClose(ul.values[d * K..<(d + 1) * K].max()!, pUL, relative: 1e-9))
                }
                checkedRefined += 1
            }
            guard h5.contains("cf") else { continue }
            for scheme in ["cf", "dcc"] {
                let g = try h5.group(scheme)
                let ul = try g.read("ul_power", as: Double.self), dl = try g.read("dl_power_total", as: Double.self)
                let seUL = try g.read("se_ul", as: Double.self).values, seDL = try g.read("se_dl", as: Double.self).values
                let links = try g.read("connections", as: Int64.self).values
                let n = ul.shape[0]
                #expect(ul.shape == [n, K] && dl.shape == [n, K] && n >= 2)
                #expect(ul.values.allSatisfy { $0 > 0 && $0 <= pUL * (1 + 1e-12) })
                #expect((seUL + seDL).allSatisfy { $0.isFinite && $0 > 0 })
                for d in 0..<n {
                    // Max-min: the strongest-loaded UE is at P̄_UL; the DL total budget L·P̄_DL is spent exactly.
                    #expect(isClose(ul.values[d * K..<(d + 1) * K].max()!, pUL, relative: 1e-9))
                    #expect(isClose(dl.values[d * K..<(d + 1) * K].reduce(0, +), Double(L) * pDL, absolute: 1e-9 * Double(L) * pDL))
                }
                #expect(links.allSatisfy { $0 == Int64(scheme == "cf" ? K * L : K * Q) })
            }
            checkedBaselines += 1
        }
        #expect(checkedBaselines == 11 && checkedRefined == 8)
        // Labels state their method and pilot model; under reuse the gain-ranked masks report their
        // pilot conflicts, and contamination never helps CF at K = 20 > τ_p.
        var cfAtTwenty: [String: Double] = [:], unitNormFiles = 0
        for f in w.results() where f.hasPrefix("baselines/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let method = try h5.stringAttribute("label_method"), pilots = try h5.stringAttribute("pilot_model")
            #expect(method.hasPrefix("centralized MMSE") || method.hasPrefix("MR combining"), "\(method)")
            let precoder = try h5.stringAttribute("dl_precoder")
            #expect(precoder.hasPrefix("UL–DL duality") || precoder.hasPrefix("unit norm per realization"), "\(precoder)")
            // Every label states its DL precoders; precoder-baselines' two are the unit-norm ones.
            if precoder.hasPrefix("unit norm") { unitNormFiles += 1 }
            #expect(pilots.hasPrefix("orthogonal") || pilots.hasPrefix("reuse"), "\(pilots)")
            guard (try? h5.group("gain-ranked")) != nil else { continue }
            guard case .map(let pairs) = try parseJSON(try h5.stringAttribute("params")) else { continue }
            let K = Dictionary(pairs, uniquingKeysWith: { a, _ in a })["K"]?.integer
            let reuse = pilots.hasPrefix("reuse")
            let conflicts = try? h5.group("gain-ranked").read("pilot_conflicts", as: Int64.self).values
            #expect((conflicts != nil) == reuse && (conflicts ?? []).allSatisfy { $0 >= 0 })
            if K == 20 {
                let se = try h5.group("cf").read("se_ul", as: Double.self).values
                cfAtTwenty[reuse ? "reuse" : "orthogonal"] = stride(from: 0, to: se.count, by: 20).map { se[$0..<($0 + 20)].min()! }.reduce(0, +)
            }
        }
        #expect(cfAtTwenty.count == 2 && cfAtTwenty["reuse"]! < cfAtTwenty["orthogonal"]!, "\(cfAtTwenty)")
        #expect(unitNormFiles == 2)
        // Channels: tr(R_kl) = N·β_kl (local scattering keeps the average gain), the estimate's
        // energy tr(B_kl) lies in (0, tr(R_kl)], and R_kl is Hermitian.
        var checkedChannels = 0
        for f in w.results() where f.hasPrefix("channels/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let gain = try h5.read("gain_db", as: Double.self).values, trR = try h5.read("trace_r", as: Double.self).values
            let trB = try h5.read("trace_b", as: Double.self).values, R = try h5.read("correlation", as: Complex<Double>.self)
            let N = R.shape[3]
            #expect(N == 4 && R.shape.count == 5 && R.shape[1] * R.shape[2] * R.shape[0] == gain.count)
            #expect(try h5.dataset("correlation").typeDescription == "compound {r: float64, i: float64}")
            for i in gain.indices {
                let beta = pow(10, gain[i] / 10)
                #expect(isClose(trR[i] / Double(N), beta, relative: 1e-9))
                #expect(trB[i] > 0 && trB[i] <= trR[i] * (1 + 1e-12))
                let o = i * N * N
                var trace = 0.0
                for a in 0..<N {
                    trace += R.values[o + a * N + a].real
                    for b in 0..<N {   // Hermitian: R[a, b] = conj(R[b, a])
                        #expect(isClose(R.values[o + a * N + b].real, R.values[o + b * N + a].real, absolute: 1e-12 * beta))
                        #expect(abs(R.values[o + a * N + b].imaginary + R.values[o + b * N + a].imaginary) <= 1e-12 * beta)
                    }
                }
                #expect(isClose(trace, trR[i], relative: 1e-9))
            }
            checkedChannels += 1
        }
        #expect(checkedChannels == 3)
        // Max-min clustering: Algorithm 1 reaches the spectral-radius optimum (16) on every drop, and the
        // exhaustive scheme is never worse than fixed or add-AP (its option set contains theirs).
        for f in w.results() where f.hasPrefix("maxmin-clustering/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let fixedPoint = try h5.read("sinr_fixed_point", as: Double.self), spectral = try h5.read("sinr_spectral", as: Double.self)
            #expect(fixedPoint.shape == spectral.shape && fixedPoint.values.allSatisfy { $0.isFinite && $0 > 0 })
            #expect(zip(fixedPoint.values, spectral.values).allSatisfy { isClose($0, $1, relative: 1e-6) })
            let schemes = try h5.stringAttribute("schemes").split(separator: ",").map(String.init)
            if let e = schemes.firstIndex(of: "exhaustive") {
                let perScheme = fixedPoint.count / fixedPoint.shape[0]
                for s in schemes.indices where s != e {
                    for i in 0..<perScheme { #expect(fixedPoint.values[e * perScheme + i] >= fixedPoint.values[s * perScheme + i] * (1 - 1e-6)) }
                }
            }
        }
        // Training: finite losses, the training loss falls, the weights are stored.
        var models: [String: String] = [:]   // model → result file
        for f in w.results() where f.hasPrefix("train/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            models[try h5.stringAttribute("model")] = f
            try h5.close()
        }
        #expect(Set(models.keys) == ["tree", "token_cosformer", "elu_cosformer", "performer"])
        let model = try H5File.open(w.layout.root + "/" + models["tree"]!)
        let trainLoss = try model.read("train_loss", as: Double.self).values, valLoss = try model.read("val_loss", as: Double.self).values
        #expect(trainLoss.count == 3 && valLoss.count == 3 && (trainLoss + valLoss).allSatisfy { $0.isFinite && $0 > 0 })
        #expect(trainLoss.last! < trainLoss.first!)
        #expect(try model.dataset("params/dec_l2.W").shape == [64, 2])
        try model.close()
        let cluster = try H5File.open(w.layout.root + "/" + models["performer"]!)
        #expect(try cluster.read("train_loss", as: Double.self).values.allSatisfy { $0.isFinite && $0 > 0 })
        #expect(try cluster.dataset("omegas/0").shape == [256, 16])   // the Performer's fixed projections are kept
        try cluster.close()
        // Evaluation, for the Tree (CF) and the clustering models (UC-CF) alike: powers within the
        // budgets, finite non-negative SEs, and the predicted powers never beat the closed-form
        // optimum's max-min SE. Learned clusters serve every UE and load no AP beyond τ_p UEs.
        var groups = 0, clusterGroups = 0, layerGroups = 0, referenceGroups = 0
        for f in w.results() where f.hasPrefix("evaluate/") || f.hasPrefix("ablate/") {
            let evaluation = try H5File.open(w.layout.root + "/" + f)
            defer { try? evaluation.close() }
            for (name, kind) in try evaluation.members() where kind == .group {
                let g = try evaluation.group(name)
                let K = Int(try g.attribute("K", as: Int64.self)[0])   // numeric attributes (issue 20 item 3)
                let ul = try g.read("ul_pred", as: Double.self), dl = try g.read("dl_pred", as: Double.self).values
                let n = ul.shape[0]
                #expect(ul.values.allSatisfy { $0 > 0 && $0 <= pUL } && dl.allSatisfy { $0 > 0 && $0.isFinite })
                /// Every drop's max-min SE of `column` is at most the closed-form optimum's (`se_<dir>_opt`).
                func neverAboveTheOptimum(_ column: String, _ dir: String) throws {
                    let o = try g.read("se_\(dir)_opt", as: Double.self).values, s = try g.read(column, as: Double.self).values
                    for d in 0..<n { #expect(s[d * K..<(d + 1) * K].min()! <= o[d * K..<(d + 1) * K].min()! * (1 + 1e-9), "\(f) \(name) \(column) drop \(d)") }
                }
                for dir in ["ul", "dl"] {
                    let o = try g.read("se_\(dir)_opt", as: Double.self).values, p = try g.read("se_\(dir)_pred", as: Double.self).values
                    #expect((o + p).allSatisfy { $0.isFinite && $0 >= 0 })
                    try neverAboveTheOptimum("se_\(dir)_pred", dir)
                }
                let members = try g.members().map(\.name)
                if members.contains("clusters") {
                    let D = try g.read("clusters", as: UInt8.self)
                    #expect(D.shape == [n, K, L])
                    for d in 0..<n {
                        for k in 0..<K { #expect((0..<L).contains { D.values[(d * K + k) * L + $0] == 1 }, "UE \(k) unserved") }
                        for l in 0..<L { #expect((0..<K).reduce(0) { $0 + Int(D.values[(d * K + $1) * L + l]) } <= 10, "AP \(l) above τ_p") }
                    }
                    // Fig. 5's references (evaluate-la; the ablation runs without them, as the default manifest's):
                    // power vectors other than the optimum of the very terms they are scored on, so never above it.
                    #expect(members.contains("se_ul_positions") == f.hasPrefix("evaluate/") && members.contains("se_dl_redraw") == f.hasPrefix("evaluate/"), "\(f) \(name)")
                    if members.contains("se_ul_positions") {
                        for dir in ["ul", "dl"] {
                            for reference in ["positions", "redraw"] { try neverAboveTheOptimum("se_\(dir)_\(reference)", dir) }
                        }
                        referenceGroups += 1
                    }
                    if members.contains("ul_layer") {   // evaluate-la's power_layer
                        // The layer's closed form puts each drop's bottleneck UE at P̄_UL, and it cannot beat the
                        // optimum of the terms it is scored on.
                        let layer = try g.read("ul_layer", as: Double.self).values
                        for d in 0..<n { #expect(isClose(layer[d * K..<(d + 1) * K].max()!, pUL, relative: 1e-9), "\(f) \(name) drop \(d)") }
                        try neverAboveTheOptimum("se_ul_layer", "ul")
                        #expect(try g.read("layer_ms", as: Double.self).values.allSatisfy { $0 > 0 })
                        layerGroups += 1
                    }
                    let links = try g.read("connections", as: Double.self).values
                    #expect(links.enumerated().allSatisfy { d, c in c == Double(D.values[(d * K * L)..<((d + 1) * K * L)].reduce(0) { $0 + Int($1) }) })
                    clusterGroups += 1
                } else {
                    // Tree: DL rescaled to the total budget L·P̄_DL.
                    for d in 0..<n { #expect(isClose(dl[d * K..<(d + 1) * K].reduce(0, +), Double(L) * pDL, absolute: 1e-6 * Double(L) * pDL)) }
                }
                groups += 1
            }
        }
        #expect(groups == 2 + 2 + 2 * 4 + 2 * 2 && clusterGroups == 12 && layerGroups == 2 * 4 && referenceGroups == 2 * 4)
        let figures = try FileManager.default.contentsOfDirectory(atPath: w.outputs + "/figures").sorted()
        let figureNames = ["smoke-pilot-models", "smoke-dl-precoders", "smoke-connections-vs-k", "smoke-se-vs-k", "smoke-maxmin-cdf", "smoke-maxmin-vs-cs", "smoke-maxmin-setups",
                           "smoke-tree-loss", "smoke-tree-power-cdf", "smoke-tree-se-vs-k", "smoke-la-ablation", "smoke-la-se-vs-k",
                           "smoke-la-connections", "smoke-la-map", "smoke-la-power-cdf", "smoke-la-robustness", "smoke-la-variants",
                           "smoke-latency", "smoke-label-cost"]
        for base in figureNames {
            for ext in ["csv", "gp", "pdf", "png"] { #expect(figures.contains("\(base).\(ext)"), "\(figures)") }
        }
        for table in ["smoke-tree-table", "smoke-la-table4", "smoke-runtime"] {
            for ext in ["md", "tex", "csv"] { #expect(FileManager.default.fileExists(atPath: "\(w.outputs)/tables/\(table).\(ext)")) }
        }
        // Table IV: both variants share the parameter count (models.md §2).
        let table4 = try String(contentsOfFile: w.outputs + "/tables/smoke-la-table4.md", encoding: .utf8).split(separator: "\n")
        #expect(table4.count == 4 && Set(table4.dropFirst(2).map { $0.split(separator: "|")[1] }).count == 1)
        // Table II: a row per static model, the Tree's latency ratio to itself 1.
        let table2 = try String(contentsOfFile: w.outputs + "/tables/smoke-tree-table.md", encoding: .utf8).split(separator: "\n")
        #expect(table2.count == 4 && table2[2].contains("Tree-Transformer") && table2[2].contains("| 1× |") && table2[3].contains("CosFormer"))
        let report = try String(contentsOfFile: w.outputs + "/REPORT.md", encoding: .utf8)
        for base in figureNames { #expect(report.contains("figures/\(base).png"), "\(base) missing from REPORT.md") }
        #expect(report.contains("- **The paper reports:** UC-CF beats CF at large K"))
        // The claim table opens the report; CF ≥ DCC holds by construction (full cooperation), the
        // variants share their parameter count (models.md §2).
        #expect(report.components(separatedBy: "\n## ")[1].hasPrefix("Claims at a glance"), "\(report.prefix(600))")
        #expect(report.contains("| full cooperation at least DCC (UL) | CF ≥ DCC | "))
        #expect(report.contains("| the variants share the parameter count | the same | 46561 vs 46561 | **agrees** |"))
        #expect(report.contains("- **Why it differs:** a smoke run is too small to say"))
        // A why under a table whose every check agrees is a "Why", not a "Why it differs".
        #expect(report.contains("- **Why:** the variants differ only in their attention") && !report.contains("differs:** the variants differ only"))
        #expect(!report.contains(").."), "a sentence ends twice")
        #expect(report.contains("- **Finding:** reuse costs Optimal CF"), "no pilot-model finding in REPORT.md")
        #expect(report.contains("- **Finding:** orthogonal pilots, K = 6 / 20: unit norm costs Optimal CF"), "no DL-precoder finding in REPORT.md")
        #expect(report.contains("## Linear-attention") && report.contains("| performer | 46561 |"))
        let csv = try String(contentsOfFile: w.outputs + "/figures/smoke-se-vs-k.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "K,Optimal_CF_ul,Optimal_CF_dl,DCC_ul,DCC_dl")
        #expect(csv.dropFirst().map { $0.split(separator: ",").first! } == ["6", "10", "20"])
        // Full cooperation serves every UE from every AP: its max-min SE is at least DCC's.
        for row in csv.dropFirst() {
            let v = row.split(separator: ",").map { Double($0)! }
            #expect(v[1] >= v[3] - 1e-12 && v[2] >= v[4] - 1e-12, "\(row)")
        }
        // Conventions: every dataset of the data kinds has `dims` (one name per axis) and `units`.
        for f in w.results() where ["layouts/", "channels/", "baselines/", "evaluate/", "ablate/"].contains(where: { f.hasPrefix($0) }) {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            for path in try h5.datasetPaths() {
                let parts = path.split(separator: "/").map(String.init)
                var group: H5Group = h5
                for p in parts.dropLast() { group = try group.group(p) }
                let d = try group.dataset(parts.last!)
                let dims = (try? d.stringAttribute("dims"))?.split(separator: ",") ?? []
                #expect(dims.count == d.shape.count && d.hasAttribute("units"), "\(f): \(path) \(d.shape) dims \(dims)")
            }
        }
        // Provenance: code_version names the checkout's commit when the binary lives in one (as in CI's clone).
        let inGit = FileManager.default.fileExists(atPath: Fixtures.testsDirectory.deletingLastPathComponent().appendingPathComponent(".git").path)
        for f in w.results() where f.hasPrefix("layouts/") {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let version = try h5.stringAttribute("code_version")
            #expect(version.hasPrefix("cellfree ") && version.hasSuffix("; layouts v2") && (!inGit || version.contains("(git ")), "\(version)")
        }
        // Find a result, export it, read it back: `path` names the file, `export` writes long-format CSV
        // (pandas-ready), `show` prints the same values.
        let found = try w.cellfree(["path", Self.manifest, "test-baselines[K=6]"])
        #expect(found.status == 0 && found.output.hasSuffix("\ttest-baselines[K=6]\n"), "\(found.output)")
        let file = String(found.output.split(separator: "\t")[0])
        #expect(try w.cellfree(["path", Self.manifest, "test-baselines[K=7]"]).output.contains("its instances: test-baselines[K=6], test-baselines[K=20]"))
        let exported = try w.cellfree(["export", Self.manifest, "test-baselines", "--csv", w.dir + "/export"])
        #expect(exported.status == 0 && exported.output.contains("/export/se_ul.csv"), "\(exported.output)")
        let rows = try String(contentsOfFile: w.dir + "/export/se_ul.csv", encoding: .utf8).split(separator: "\n")
        #expect(rows[0] == "K,group,sample,ue,se_ul [bit/s/Hz]")
        // 2 drops × (6 + 20) UEs × 3 schemes (cf, dcc, max-min-refined) rows.
        #expect(rows.count == 1 + 2 * 26 * 3, "\(rows.count)")
        let firstCF = rows.first { $0.hasPrefix("6,cf,0,0,") }.map { Double($0.split(separator: ",")[4])! }
        let shown = try w.cellfree(["show", file + ":cf/se_ul", "--limit", "1"])
        let shownLines = shown.output.split(separator: "\n")
        #expect(shownLines[0].hasPrefix("cf/se_ul  shape [2, 6]  dims sample,ue  units bit/s/Hz"), "\(shown.output)")
        let firstShown = Double(shownLines[1].split(separator: " ")[0])!
        #expect(firstCF.map { abs($0 - firstShown) <= 1e-5 * abs($0) } == true, "\(String(describing: firstCF)) vs \(firstShown)")
        // Text datasets (a figure's CSV and summary) print as text.
        let figure = try w.cellfree(["path", Self.manifest, "la-fig5"]).output.split(separator: "\t")[0]
        let summary = try w.cellfree(["show", figure + ":csv"])
        #expect(summary.status == 0 && summary.output.hasPrefix("K,Optimal_UC-CF_(elu_cosformer)_ul,"), "\(summary.output.prefix(200))")
        // The same file and CSV as a Python user reads them (h5py from Debian's python3-h5py, which
        // `make deps` installs; Debian's own python3, where that package lives).
        let reader = Fixtures.testsDirectory.deletingLastPathComponent().appendingPathComponent("scripts/read_result.py").path
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = [reader, file, "cf/se_ul", w.dir + "/export/se_ul.csv"]
        python.currentDirectoryURL = URL(fileURLWithPath: w.dir)   // `path` prints the file relative to it
        let pipe = Pipe(), errors = Pipe()
        (python.standardOutput, python.standardError) = (pipe, errors)
        try python.run()
        let printed = pipe.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        #expect(python.terminationStatus == 0, "read_result.py (needs python3-h5py: make deps): \(complaint)")
        if python.terminationStatus == 0, case .map(let fields) = try parseJSON(String(decoding: printed, as: UTF8.self)) {
            let read = Dictionary(fields, uniquingKeysWith: { a, _ in a })
            let part = { (name: String) -> [String: ParamValue] in
                if case .map(let pairs)? = read[name] { return Dictionary(pairs, uniquingKeysWith: { a, _ in a }) }
                return [:]
            }
            let (dataset, table) = (part("dataset"), part("csv"))
            #expect(dataset["shape"] == .list([.int(2), .int(6)]) && dataset["dims"] == .string("sample,ue") && dataset["units"] == .string("bit/s/Hz"))
            #expect(dataset["labels"] == .list([.string("sample"), .string("ue")]), "h5py dset.dims labels: \(String(describing: dataset["labels"]))")
            #expect(table["header"] == .list(["K", "group", "sample", "ue", "se_ul [bit/s/Hz]"].map(ParamValue.string)) && table["rows"]?.integer == 156)
            for value in [dataset["first"]?.number, table["first"]?.number] {
                #expect(value.map { abs($0 - firstShown) <= 1e-5 * abs($0) } == true, "h5py/csv \(String(describing: value)) vs show \(firstShown)")
            }
        }
        let again = try w.cellfree(["run", Self.manifest, "-j", "2"])
        #expect(again.output.contains("62 instances: 62 cached, 0 computed"), "\(again.output)")
        #expect(again.output.contains("REPORT.md (unchanged)"), "\(again.output)")
        #expect(again.output.contains("smoke-se-vs-k.{csv,gp,png,pdf} (unchanged)"), "\(again.output)")
        // A deliberately failing tolerance (CF ten times DCC) shows "differs"; a column the figure lacks
        // "not comparable". Only the figure and the report recompute.
        let failing = try w.cellfree(["run", Self.manifest, "-j", "2", "--set",
                                      "la-fig5.checks=['CF ten times DCC | 10× | every K: [Optimal_CF_ul] >= [DCC_ul] * 10', 'x | y | every K: [Nothing_ul] > 0']"])
        #expect(failing.status == 0 && failing.output.contains("2 computed"), "\(failing.output)")
        let strict = try String(contentsOfFile: w.outputs + "/REPORT.md", encoding: .utf8)
        let row = strict.split(separator: "\n").first { $0.contains("| CF ten times DCC | 10× |") }.map(String.init) ?? ""
        #expect(row.hasSuffix("| **differs** |") && row.contains(" vs ") && row.contains("(K = 6)"), "\(row)")
        #expect(strict.contains("| x | y | no column 'Nothing_ul'") && strict.contains("| **not comparable** |"))
        // A damaged figure (gnuplot killed mid-write, a full disk) is rendered again, whole: a PNG ends
        // with its IEND chunk, a PDF with %%EOF.
        let png = w.outputs + "/figures/smoke-se-vs-k.png", pdf = w.outputs + "/figures/smoke-se-vs-k.pdf"
        let whole = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(whole.suffix(12).elementsEqual([0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: png))
        try Data().write(to: URL(fileURLWithPath: pdf))
        let repaired = try w.cellfree(["run", Self.manifest, "-j", "2"])
        #expect(repaired.output.contains("smoke-se-vs-k.{csv,gp,png,pdf} (rendered png, pdf)"), "\(repaired.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).suffix(12).elementsEqual(whole.suffix(12)))
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdf)).suffix(32), as: UTF8.self).contains("%%EOF"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.outputs + "/figures").allSatisfy { !$0.contains(".tmp-") })
    }

    /// Every manifest in `manifests/` plans under each profile `make reproduce` offers (no typo in a
    /// parameter, input or include can wait until a long run reaches it).
    @Test func everyManifestPlansUnderItsProfiles() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let directory = (Self.manifest as NSString).deletingLastPathComponent
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names == ["drops.yaml", "la-tuning.yaml", "linear-attention.yaml", "maxmin-clustering.yaml", "reproduce.yaml", "robustness-sweep.yaml",
                          "smoke.yaml", "sweep-example.yaml", "tree-transformer.yaml"])
        for name in names {
            let profiles = ["la-tuning.yaml", "robustness-sweep.yaml", "smoke.yaml", "sweep-example.yaml"].contains(name) ? [[String]()] : [["--profile", "default"], ["--profile", "paper"]]
            for profile in profiles {
                let r = try w.cellfree(["plan", directory + "/" + name] + profile)
                #expect(r.status == 0 && r.output.contains("instances would run"), "\(name) \(profile): \(r.output)")
            }
        }
    }
}

/// `layouts` with AP position error: the APs the models see move by σ_AP, the UEs they see do not change.
struct PositionErrorTests {
    @Test func apErrorMovesOnlyTheSeenAPs() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        try w.write("m.yaml", """
            name: errors
            seed: 3
            stages:
              - {name: exact, kind: layouts, params: {count: 50, K: 4, sigma: 5}}
              - {name: moved, kind: layouts, params: {count: 50, K: 4, sigma: 5, ap_sigma: 20}}

            """)
        let r = try w.cellfree(["run", "m.yaml"])
        #expect(r.status == 0, "\(r.output)")
        var read: [Double: (ue: [Double], ueSeen: [Double], ap: [Double], apSeen: [Double])] = [:]
        for f in w.results() {
            let h5 = try H5File.open(w.layout.root + "/" + f)
            defer { try? h5.close() }
            let moved = try h5.stringAttribute("params").contains("\"ap_sigma\":20")
            read[moved ? 20 : 0] = (try h5.read("ue", as: Double.self).values, try h5.read("ue_seen", as: Double.self).values,
                                    try h5.read("ap", as: Double.self).values, try h5.read("ap_seen", as: Double.self).values)
        }
        let exact = try #require(read[0]), moved = try #require(read[20])
        #expect(exact.ue == moved.ue && exact.ueSeen == moved.ueSeen && exact.ap == moved.ap)
        #expect(exact.apSeen == exact.ap)
        let d = zip(moved.apSeen, moved.ap).map { $0 - $1 }
        let std = (d.map { $0 * $0 }.reduce(0, +) / Double(d.count)).squareRoot()
        #expect(isClose(std, 20, absolute: 2.5), "std of the AP error \(std) m over \(d.count) coordinates")   // 1,600 draws: se ≈ 0.35 m
    }
}
