import Foundation
import Testing
import H5
import Linalg

@Suite("HDF5 round trips")
struct RoundTripTests {
    /// Writes `values` with `shape` plainly and gzip-compressed, reads both back and compares bytes.
    func roundTrip<T: H5Element>(_ values: [T], shape: [Int], in dir: ScratchDirectory, _ tag: String) throws {
        let path = dir.path("\(tag).h5")
        do {
            let f = try H5File.create(path)
            try f.write("plain", values, shape: shape)
            if !shape.isEmpty { try f.write("deep/group/gzip", values, shape: shape, options: .gzip(6)) }
            try f.close()
        }
        let f = try H5File.open(path)
        let plain = try f.read("plain", as: T.self)
        #expect(plain.shape == shape, "\(tag) shape")
        #expect(bytes(plain.values) == bytes(values), "\(tag): plain round trip is bit-exact")
        if !shape.isEmpty {
            let packed = try f.dataset("deep/group/gzip")
            #expect(packed.storageDescription.contains("gzip 6") && packed.storageDescription.contains("shuffle"))
            #expect(bytes(try packed.read(as: T.self).values) == bytes(values), "\(tag): gzip round trip is bit-exact")
        }
    }

    @Test func everyElementTypeRoundTripsBitExactly() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        var rng = RandomStream(seed: 1, name: "h5-roundtrip")
        let specialDoubles: [Double] = [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi]
        let doubles = specialDoubles + rng.normals(24 - specialDoubles.count)
        for shape in [[], [0], [24], [2, 3, 4], [4, 1, 6, 1]] {
            let n = shape.reduce(1, *)
            let tag = shape.map(String.init).joined(separator: "x")
            try roundTrip(Array(doubles.prefix(n)), shape: shape, in: dir, "f64-\(tag)")
            try roundTrip(doubles.prefix(n).map { Float($0) }, shape: shape, in: dir, "f32-\(tag)")
            try roundTrip((0..<n).map { Int32(truncatingIfNeeded: $0 &* 2_654_435_761) }, shape: shape, in: dir, "i32-\(tag)")
            try roundTrip((0..<n).map { $0 % 2 == 0 ? Int64.min + Int64($0) : Int64.max - Int64($0) }, shape: shape, in: dir, "i64-\(tag)")
            try roundTrip((0..<n).map { Int8(truncatingIfNeeded: $0 * 37 - 100) }, shape: shape, in: dir, "i8-\(tag)")
            try roundTrip((0..<n).map { UInt8(truncatingIfNeeded: $0 * 37) }, shape: shape, in: dir, "u8-\(tag)")
            try roundTrip((0..<n).map { Complex(doubles[$0], -doubles[(n - 1 - $0 + 24) % 24]) }, shape: shape, in: dir, "c128-\(tag)")
            try roundTrip((0..<n).map { Complex(Float(doubles[$0]), Float($0)) }, shape: shape, in: dir, "c64-\(tag)")
        }
    }

    /// Dimension labels (h5py: `dset.dims[i].label`) round-trip; a wrong count is refused.
    @Test func dimensionLabelsRoundTrip() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let f = try H5File.create(dir.path("d.h5"))
        let d = try f.write("se", [1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(d.dimensionLabels == ["", ""])
        try d.setDimensionLabels(["sample", "ue"])
        #expect(d.dimensionLabels == ["sample", "ue"])
        #expect(throws: H5Error.self) { try d.setDimensionLabels(["sample"]) }
        try f.close()
        #expect(try H5File.open(dir.path("d.h5")).dataset("se").dimensionLabels == ["sample", "ue"])
    }

    @Test func complexIsStoredAsH5pyCompound() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let f = try H5File.create(dir.path("c.h5"))
        let d = try f.write("z", [Complex(1.0, 2.0)], shape: [1])
        #expect(d.typeDescription == "compound {r: float64, i: float64}")
        #expect(try f.write("w", [Complex<Float>(1, 2)], shape: [1]).typeDescription == "compound {r: float32, i: float32}")
    }

    @Test func attributesRoundTripAndReplace() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = dir.path("attrs.h5")
        do {
            let f = try H5File.create(path)
            try f.setAttribute("params", #"{"K":40,"sigma_m":5.0,"name":"β σ² ≤ 1e-9"}"#)
            try f.setAttribute("stage", "first")
            try f.setAttribute("stage", "replaced")
            try f.setAttribute("n_params", scalar: Int64(584_354))
            let d = try f.write("g/x", [1.0, 2.0], shape: [2])
            try d.setAttribute("dims", "ue")
            try d.setAttribute("scale", [0.5, 2.0])
            try f.group("g").setAttribute("count", scalar: Int32(-3))
            try f.close()
        }
        let f = try H5File.open(path)
        #expect(try f.stringAttribute("params") == #"{"K":40,"sigma_m":5.0,"name":"β σ² ≤ 1e-9"}"#)
        #expect(try f.stringAttribute("stage") == "replaced")
        #expect(try f.attribute("n_params", as: Int64.self) == [584_354])
        #expect(f.attributeNames == ["n_params", "params", "stage"])
        let d = try f.dataset("g/x")
        #expect(try d.stringAttribute("dims") == "ue" && d.attribute("scale", as: Double.self) == [0.5, 2.0])
        #expect(try f.group("g").attribute("count", as: Int32.self) == [-3])
        #expect(!f.hasAttribute("missing"))
    }

    @Test func groupsListTheirMembers() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let f = try H5File.create(dir.path("tree.h5"))
        try f.write("params/layers.0.attn.W_qkv", [Float](repeating: 1, count: 6), shape: [2, 3])
        try f.write("params/embed.W", [Float](repeating: 2, count: 4), shape: [2, 2])
        try f.createGroup("outputs/empty")
        try f.write("loss", scalar: 0.25)
        #expect(try f.members().map { "\($0.name):\($0.kind)" } == ["loss:dataset", "outputs:group", "params:group"])
        #expect(try f.group("params").members().map(\.name) == ["embed.W", "layers.0.attn.W_qkv"])
        #expect(f.contains("outputs/empty") && !f.contains("outputs/full") && !f.contains("nope/deeper"))
        #expect(try f.dataset("loss").readScalar(as: Double.self) == 0.25)
        #expect(try f.dataset("params/embed.W").shape == [2, 2])
    }

    /// No timestamps in object headers: the pipeline's resumed runs must give bit-identical files.
    @Test func writingTheSameContentTwiceGivesIdenticalFiles() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        var contents: [Data] = []
        for name in ["a.h5", "b.h5"] {
            let f = try H5File.create(dir.path(name))
            try f.setAttribute("stage", "toy")
            try f.write("x/y", [1.0, 2.0, 3.0, 4.0], shape: [2, 2], options: .gzip())
            try f.createGroup("z")
            try f.close()
            contents.append(try Data(contentsOf: URL(fileURLWithPath: dir.path(name))))
            Thread.sleep(forTimeInterval: 1.1)   // a timestamp, if any were written, would now differ
        }
        #expect(contents[0] == contents[1])
    }

    @Test func automaticChunksStayNearOneMebibyte() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let f = try H5File.create(dir.path("chunks.h5"))
        let d = try f.write("big", [Double](repeating: 0, count: 200 * 100 * 16), shape: [200, 100, 16], options: .gzip(1))
        // Halves the largest (on ties the leading) dimension: trailing dims stay whole; 50·100·16·8 B = 640 KB.
        #expect(d.storageDescription == "chunked [50, 100, 16], shuffle, gzip 1")
        let e = try f.write("explicit", [Float](repeating: 0, count: 12), shape: [3, 4], options: H5StorageOptions(chunks: [1, 4]))
        #expect(e.storageDescription == "chunked [1, 4]")
    }
}
