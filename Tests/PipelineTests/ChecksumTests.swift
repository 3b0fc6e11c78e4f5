import Foundation
import H5
@testable import Pipeline
import Testing
import TestSupport

/// The content checksum covers what a reader sees: datatype fields, attributes of every object and the
/// values as read, not only the stored bytes (issue 19 item 1).
struct ChecksumTests {
    /// A small cache-like file: provenance attributes, a float64 and an int64 dataset in a group with
    /// attributes, and its checksum.
    func cacheFile(_ dir: ScratchDirectory, checksum: (H5File) throws -> String = contentChecksum(of:)) throws -> String {
        let path = dir.path("result.h5")
        let f = try H5File.create(path)
        for (name, value) in [("stage", "layouts[K=4]"), ("kind", "layouts"), ("key", "abc"), ("params", "{\"K\":4}"),
                              ("inputs", "[]"), ("code_version", "test"), ("created", "2026-12-03T09:00:00Z")] {
            try f.setAttribute(name, value)
        }
        let g = try f.createGroup("cf")
        try g.setAttribute("sigma_m", "5.0")
        let se = try g.write("se_ul", [1.5, 2.25, 3.125, 4.0625], shape: [2, 2])
        try se.setAttribute("units", "bit/s/Hz")
        try se.setDimensionLabels(["sample", "ue"])
        try f.write("count", [Int64(3), 4], shape: [2])
        try f.setAttribute("checksum", try checksum(f))
        try f.close()
        return path
    }

    func verifies(_ path: String) throws -> Bool {
        let f = try H5File.open(path)
        defer { try? f.close() }
        return try checksumVerifies(try f.stringAttribute("checksum"), of: f).verifies
    }

    /// Flips `mask` in the byte at `offset`.
    func flip(_ path: String, at offset: Int, mask: UInt8) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[offset] ^= mask
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The offset of the byte-order bit field of the first little-endian IEEE float64 datatype message
    /// (version 1, class 1; bit fields 20 3f 00; size 8).
    func float64TypeMessage(_ path: String) throws -> Int {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pattern: [UInt8] = [0x11, 0x20, 0x3f, 0x00, 0x08, 0x00, 0x00, 0x00]
        return try #require((0...(data.count - pattern.count)).first { data[$0..<($0 + pattern.count)].elementsEqual(pattern) })
    }

    /// The dimension labels (a variable-length string array attribute) are covered: a renamed dimension fails.
    @Test func aChangedDimensionLabelFailsTheChecksum() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = try cacheFile(dir)
        #expect(try verifies(path))
        do {
            let f = try H5File.open(path, writable: true)
            try f.group("cf").dataset("se_ul").setDimensionLabels(["sample", "ap"])
            try f.close()
        }
        #expect(try !verifies(path))
    }

    @Test func aFreshFileVerifiesAndCreatedIsLeftOut() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = try cacheFile(dir)
        #expect(try verifies(path))
        let f = try H5File.open(path, writable: true)
        try f.setAttribute("created", "2027-01-01T00:00:00Z")
        try f.close()
        #expect(try verifies(path))
    }

    @Test func aFlippedByteOrderIsCaughtThoughTheStoredBytesAreUnchanged() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = try cacheFile(dir)
        let type = try float64TypeMessage(path)
        try flip(path, at: type + 1, mask: 0x01)          // little- → big-endian
        let f = try H5File.open(path)
        defer { try? f.close() }
        #expect(try f.group("cf").read("se_ul", as: Double.self).values != [1.5, 2.25, 3.125, 4.0625])
        #expect(try !checksumVerifies(try f.stringAttribute("checksum"), of: f).verifies)
    }

    @Test func aChangedAttributeOfAnyObjectIsCaught() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        for (object, name) in [("cf/se_ul", "units"), ("cf", "sigma_m")] {
            let path = try cacheFile(dir)
            let f = try H5File.open(path, writable: true)
            if object == "cf" { try f.group("cf").setAttribute(name, "0.0") } else { try f.group("cf").dataset("se_ul").setAttribute(name, "W") }
            try f.close()
            #expect(try !verifies(path), "\(object)@\(name)")
        }
    }

    /// Every flip of bit 0 or 7 in the datasets' datatype messages (float64 and int64, with their
    /// properties) and stored values must either leave what the file reads unchanged or fail the
    /// checksum. (Flips elsewhere, e.g. in the global heap of the string attributes, can crash
    /// libhdf5 itself inside H5Aread, so the scan keeps to these regions.)
    @Test func noFlipOfADatatypeOrValueBitPassesUnnoticed() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = try cacheFile(dir)
        func reading(_ path: String) -> String? {
            guard let f = try? H5File.open(path) else { return nil }
            defer { try? f.close() }
            guard let se = try? f.group("cf").read("se_ul", as: Double.self), let count = try? f.read("count", as: Int64.self) else { return nil }
            return "\(se.shape)\(se.values.map(\.bitPattern))\(count.shape)\(count.values)"
        }
        let original = try #require(reading(path))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Datatype messages: IEEE float64 LE (8 bytes + 12 of properties), int64 LE (8 + 4).
        var regions: [Range<Int>] = []
        for (pattern, length) in [([0x11, 0x20, 0x3f, 0x00, 0x08, 0x00, 0x00, 0x00] as [UInt8], 20), ([0x10, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00], 12)] {
            regions += (0...(bytes.count - pattern.count)).filter { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }.map { $0..<($0 + length) }
        }
        let f = try H5File.open(path)
        for (group, name) in [("cf", "se_ul"), ("/", "count")] {
            let d = try (group == "/" ? f.dataset(name) : f.group(group).dataset(name))
            let start = try #require(d.storageOffset)
            regions.append(start..<(start + 8 * d.shape.reduce(1, *)))
        }
        try f.close()
        var changedReads = 0, flips = 0
        for offset in regions.flatMap({ Array($0) }) {
            for mask: UInt8 in [0x01, 0x80] {
                var flipped = bytes
                flipped[offset] ^= mask
                try Data(flipped).write(to: URL(fileURLWithPath: path))
                flips += 1
                guard let read = reading(path), read != original else { continue }
                changedReads += 1
                let f = try H5File.open(path)
                let verdict = (try? f.stringAttribute("checksum")).flatMap { try? checksumVerifies($0, of: f).verifies } ?? false
                try? f.close()
                #expect(!verdict, "flip \(mask) at byte \(offset) changes what is read yet verifies")
            }
        }
        #expect(regions.count == 4 && changedReads > flips / 2, "\(regions) \(changedReads) of \(flips)")
    }

    @Test func filesOfTheFirstChecksumStillVerify() throws {
        let dir = try ScratchDirectory()
        defer { dir.cleanup() }
        let path = try cacheFile(dir, checksum: storedBytesChecksum(of:))
        let f = try H5File.open(path)
        defer { try? f.close() }
        let stored = try f.stringAttribute("checksum")
        #expect(!stored.hasPrefix("v2:"))
        #expect(try checksumVerifies(stored, of: f).verifies)
        #expect(try contentChecksum(of: f).hasPrefix("v2:"))
    }
}
