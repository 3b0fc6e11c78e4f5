import Pipeline
import Testing

/// Canonical JSON must be exact and stable: RFC 8785 number forms, sorted keys, and a round trip.
struct CanonicalJSONTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (5.0, "5"), (-3.0, "-3"), (0.1, "0.1"), (1.5, "1.5"), (1e-7, "1e-7"),
        (1.25e-10, "1.25e-10"), (1e21, "1e+21"), (1.5e300, "1.5e+300"), (123456789012.0, "123456789012"),
        (0.000001, "0.000001"), (1e20, "100000000000000000000"), (9007199254740993.0, "9007199254740992"),
        (-2.5e-5, "-0.000025"), (1.0 / 3.0, "0.3333333333333333"),
    ])
    func numbersFollowECMAScript(_ value: Double, _ expected: String) {
        #expect(canonicalNumber(value) == expected)
    }

    @Test func realsRoundTripExactly() throws {
        var state: UInt64 = 42
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let d = Double(bitPattern: (state >> 2) | 0x0010_0000_0000_0000 & ~(1 << 63))
            guard d.isFinite else { continue }
            let text = canonicalNumber(d)
            let back = try parseJSON(text).number
            #expect(back == d, "\(d) → \(text)")
        }
    }

    @Test func mapsSortKeysAndEscapeStrings() throws {
        let v = ParamValue.map([("b", .int(1)), ("a", .list([.string("x\"y\n"), .bool(true), .null])), ("A", .double(0.5))])
        let expected = #"{"A":0.5,"a":["x\"y\n",true,null],"b":1}"#
        #expect(v.canonicalJSON == expected)
        #expect(try parseJSON(v.canonicalJSON) == v)
    }

    @Test func integersAndIntegralRealsShareAKey() {
        #expect(ParamValue.int(5).canonicalJSON == ParamValue.double(5).canonicalJSON)
        #expect(ParamValue.int(5) == ParamValue.double(5))
        #expect(ParamValue.int(5) != ParamValue.double(5.5))
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
