import Foundation

/// Paths of the test fixtures and, on our machines only, of the full golden data.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let referenceSimulator = testsDirectory.appendingPathComponent("Fixtures/reference-simulator")
    /// `../shared/golden/reference-simulator` next to the clone; absent on CI.
    static let sharedGolden = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/golden/reference-simulator")
    static var hasSharedGolden: Bool { FileManager.default.fileExists(atPath: sharedGolden.appendingPathComponent("case01.h5").path) }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cellfree-h5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

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

/// Runs a program found on PATH; returns its standard output, or nil if it is not installed.
func runTool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    guard let exe = dirs.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = Pipe()
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
