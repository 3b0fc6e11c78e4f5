import Foundation
@_exported import TestSupport

/// The bytes of an array's elements, for bit-exact comparison (NaN payloads and −0 included).
func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

/// A CSV with a header row, as the golden `caseNN_vectors.csv` files are written.
struct CSVTable {
    let header: [String]
    let rows: [[String]]

    init(path: String) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        header = lines[0].split(separator: ",").map(String.init)
        rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func column(_ name: String) -> [Double]? {
        guard let j = header.firstIndex(of: name) else { return nil }
        return rows.map { Double($0[j])! }
    }
}
