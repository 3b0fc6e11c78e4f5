import Foundation
import Testing
import H5

@Suite("HDF5 errors name the file and the dataset")
struct ErrorTests {
    @Test func missingAndForeignFilesAreClearErrors() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let missing = dir.path("nope.h5")
        #expect(throws: H5Error.fileNotFound(file: missing)) { try H5File.open(missing) }
        #expect(H5Error.fileNotFound(file: missing).description == "\(missing): no such file")
        let text = dir.path("manifest.yaml")
        try "name: not hdf5\n".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: H5Error.notHDF5(file: text)) { try H5File.open(text) }
        let empty = dir.path("empty.h5")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: H5Error.notHDF5(file: empty)) { try H5File.open(empty) }
        #expect(throws: H5Error.fileNotFound(file: dir.url.path)) { try H5File.open(dir.url.path) }
        // Failures inside HDF5 carry its own message and still name the file.
        let nowhere = dir.path("no/such/dir/x.h5")
        do {
            _ = try H5File.create(nowhere)
            Issue.record("creating \(nowhere) should fail")
        } catch let H5Error.library(file, object, operation, detail) {
            #expect(file == nowhere && object == "/" && operation == "create file" && detail.contains("unable to"))
        }
        let existing = dir.path("keep.h5")
        try H5File.create(existing).close()
        #expect(throws: H5Error.fileExists(file: existing)) { try H5File.create(existing, overwrite: false) }
    }

    @Test func wrongTypeRankOrNameIsAClearError() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = dir.path("typed.h5")
        let f = try H5File.create(path)
        try f.write("stats/beta", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape: [2, 3])
        try f.write("count", [Int32(1)], shape: [1])

        #expect(throws: H5Error.typeMismatch(file: path, object: "/stats/beta", expected: "float32", found: "float64")) {
            try f.read("stats/beta", as: Float.self)
        }
        #expect(throws: H5Error.typeMismatch(file: path, object: "/count", expected: "int64", found: "int32")) {
            try f.read("count", as: Int64.self)
        }
        #expect(throws: H5Error.typeMismatch(file: path, object: "/stats/beta", expected: "complex128", found: "float64")) {
            try f.read("stats/beta", as: Complex<Double>.self)
        }
        #expect(throws: H5Error.shapeMismatch(file: path, object: "/stats/beta", expected: "[3, 2]", found: [2, 3])) {
            try f.read("stats/beta", as: Double.self, shape: [3, 2])
        }
        #expect(throws: H5Error.shapeMismatch(file: path, object: "/stats/beta", expected: "rank 3", found: [2, 3])) {
            try f.dataset("stats/beta").requireRank(3)
        }
        #expect(throws: H5Error.missing(file: path, object: "/stats/gamma")) { try f.dataset("stats/gamma") }
        #expect(throws: H5Error.missing(file: path, object: "/stats/@units")) { try f.group("stats").stringAttribute("units") }
        #expect(throws: H5Error.invalidArgument(file: path, object: "/stats/beta", detail: "dataset exists")) {
            try f.write("stats/beta", [0.0], shape: [1])
        }
        #expect(throws: H5Error.invalidArgument(file: path, object: "/short", detail: "3 values do not fill shape [2, 2]")) {
            try f.write("short", [1.0, 2.0, 3.0], shape: [2, 2])
        }
        let message = H5Error.typeMismatch(file: path, object: "/stats/beta", expected: "float32", found: "float64").description
        #expect(message == "\(path): /stats/beta: element type is float64, expected float32")
    }
}
