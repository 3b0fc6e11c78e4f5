import H5

// Text in result files (figure CSVs, gnuplot scripts): UTF-8 bytes as a uint8 dataset, so the
// cache's content checksum covers it.

extension H5Group {
    func writeText(_ name: String, _ text: String) throws {
        try write(name, Array(text.utf8), shape: [text.utf8.count])
    }

    func readText(_ name: String) throws -> String {
        String(decoding: try read(name, as: UInt8.self).values, as: UTF8.self)
    }
}
