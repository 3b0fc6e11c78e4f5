import Pipeline
import Testing

/// The typed declarations are the one source of a kind's parameter list, and decoding them reads the
/// plan's values with errors that name the stage and the parameter.
struct StageParameterSetTests {
    enum Shape: String, CaseIterable, ParameterValue, Decodable { case square, disc }

    struct Shared: StageParameterSet {
        @Parameter("side", "area side", unit: "m", range: .positive) var side = 500.0
        @Parameter("batch", "drops per batch", range: .atLeast(1)) var batch = 128
        init() {}
        init(batch: Int) { self.init(); _batch = _batch.withDefault(batch) }
    }

    struct Example: StageParameterSet {
        @Parameter("K", "UEs", range: .atLeast(1)) var K = 10
        @Parameter("shape", "area shape") var shape = Shape.square
        @Parameter("cs", "candidate sizes") var cs = [1, 2]
        @Parameter(required: "file", "output name", placeholder: "") var file: String
        @ParameterGroup var shared = Shared(batch: 32)
        @ParameterGroup var random = SeedAndReplica()
        @Parameter("pair", "expected shape (empty: any)") var pair = OptionalChoice<Shape>.any
        init() {}
    }

    @Test func specsAreDerivedFromTheDeclarations() {
        let specs = Example.specs
        #expect(specs.map(\.name) == ["K", "shape", "cs", "file", "side", "batch", "seed", "replica", "pair"])
        let byName = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
        #expect(byName["K"]?.type == .int && byName["K"]?.defaultValue == .int(10) && byName["K"]?.range == .atLeast(1))
        #expect(byName["shape"]?.type == .string && byName["shape"]?.choices == ["square", "disc"])
        #expect(byName["cs"]?.type == .list(.int) && byName["cs"]?.defaultValue == .list([.int(1), .int(2)]))
        #expect(byName["file"]?.defaultValue == nil)
        #expect(byName["pair"]?.defaultValue == .string("") && byName["pair"]?.choices == ["", "square", "disc"])
        #expect(byName["side"]?.unit == "m" && byName["side"]?.defaultValue == .double(500))
        // A group started at another default keeps its declaration.
        #expect(byName["batch"]?.defaultValue == .int(32) && byName["batch"]?.help == "drops per batch")
        #expect(ParameterRange.positive.contains(1e-9) && !ParameterRange.positive.contains(0) && !ParameterRange.atLeast(0).contains(.nan))
    }

    @Test func decodingReadsEveryValueAndNamesTheBadOne() throws {
        var values = Dictionary(uniqueKeysWithValues: Example.specs.compactMap { s in s.defaultValue.map { (s.name, $0) } })
        values["file"] = .string("fig5")
        values["shape"] = .string("disc")
        values["side"] = .int(250)   // an integer where a real is declared
        values["replica"] = .int(3)
        let p = try Example.decode(values, id: "s[K=10]")
        #expect(p.K == 10 && p.shape == .disc && p.cs == [1, 2] && p.file == "fig5")
        #expect(p.shared.side == 250 && p.shared.batch == 32 && p.random.replica == 3 && p.random.seed == 0)

        func failure(_ name: String, _ value: ParamValue?) -> String {
            var bad = values
            bad[name] = value
            do { _ = try Example.decode(bad, id: "s[K=10]"); return "no error" } catch { return "\(error)" }
        }
        #expect(failure("K", .string("ten")).contains("parameter 'K' must be an integer, found a string (ten)"))
        #expect(failure("shape", .string("hexagon")).contains("parameter 'shape' must be one of square, disc"))
        #expect(failure("cs", .list([.int(1), .string("x")])).contains("parameter 'cs[1]' must be an integer"))
        #expect(failure("file", nil).contains("parameter 'file' is not set"))
        #expect(failure("pair", .string("hexagon")).contains("parameter 'pair' must be one of , square, disc"))
        values["pair"] = .string("disc")
        #expect(try Example.decode(values, id: "s").pair == .some(.disc))
        #expect(failure("K", .string("ten")).contains("s[K=10]"))
    }
}
