import Foundation

/// The image formats `exportResults` renders, and whether a file on disk is a whole one: gnuplot writes
/// as it goes, so a killed gnuplot or a full disk leaves a truncated file that must not pass for a figure.
enum RenderedImage: String, CaseIterable {
    case png, pdf

    /// gnuplot's terminal for this format, at IEEE two-column figure sizes.
    var terminal: String {
        switch self {
        case .png: return "pngcairo size 900,560 font ',11'"
        case .pdf: return "pdfcairo size 5in,3.2in font ',9'"
        }
    }

    /// Whether `data` is a complete file of this format: a PNG ends with its IEND chunk (length 0, type
    /// "IEND", CRC AE 42 60 82; PNG spec §11.2.5), a PDF has "%%EOF" in its last 32 bytes (ISO 32000 §7.5.5).
    func isComplete(_ data: Data) -> Bool {
        switch self {
        case .png:
            let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            return data.count >= signature.count + iend.count && data.prefix(8).elementsEqual(signature) && data.suffix(12).elementsEqual(iend)
        case .pdf:
            return data.starts(with: Array("%PDF-".utf8)) && String(decoding: data.suffix(32), as: UTF8.self).contains("%%EOF")
        }
    }

    /// Whether the file at `path` exists and is complete.
    func isComplete(atPath path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return isComplete(data)
    }
}
