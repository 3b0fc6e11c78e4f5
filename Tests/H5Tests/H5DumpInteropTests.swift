import Foundation
import Testing
import H5

/// Files we write must read correctly in the HDF5 tools (and so in h5py, which uses the same library).
@Suite("h5dump reads our files")
struct H5DumpInteropTests {
    @Test func h5dumpReadsWhatWeWrite() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = dir.path("interop.h5")
        let values: [Double] = [0.1, -2.5e-300, 3.0, 1e300, -0.0, 6.02214076e23]
        do {
            let f = try H5File.create(path)
            let d = try f.write("stats/beta", values, shape: [2, 3], options: .gzip())
            try d.setAttribute("dims", "ap,ue")
            try f.write("H", [Complex(1.5, -2.0), Complex(0.0, 4.25)], shape: [2])
            try f.write("pilot", [Int32(7), Int32(-1)], shape: [2])
            try f.close()
        }
        guard let dump = try runTool("h5dump", ["-m", "%.17g", "-w", "0", path]) else {
            Issue.record("h5dump not found: install hdf5-tools (`make deps`)")
            return
        }
        #expect(dump.status == 0)
        let text = dump.output
        #expect(text.contains("DATASET \"beta\"") && text.contains("H5T_IEEE_F64LE") && text.contains("SIMPLE { ( 2, 3 ) / ( 2, 3 ) }"))
        // Values printed with 17 significant digits parse back to the same doubles, in row-major order.
        let betaBlock = text.components(separatedBy: "DATASET \"beta\"")[1].components(separatedBy: "DATA {")[1]
        let numbers = betaBlock.components(separatedBy: "}")[0]
            .split(whereSeparator: { $0 == "," || $0.isWhitespace }).filter { !$0.contains(":") }.compactMap { Double($0) }
        #expect(numbers.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(text.contains("ATTRIBUTE \"dims\"") && text.contains("\"ap,ue\""))
        #expect(text.contains("H5T_IEEE_F64LE \"r\";") && text.contains("H5T_IEEE_F64LE \"i\";"))
        #expect(text.contains("1.5,") && text.contains("-2") && text.contains("4.25"))
        #expect(text.contains("H5T_STD_I32LE") && text.contains("7, -1"))
    }
}
