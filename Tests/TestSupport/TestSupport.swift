import Foundation

/// Paths of the test fixtures and, on our machines only, of the full golden data.
public enum Fixtures {
    public static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    public static let referenceSimulator = testsDirectory.appendingPathComponent("Fixtures/reference-simulator")
    /// `../shared/golden/reference-simulator` next to the clone; absent on CI.
    public static let sharedGolden = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/golden/reference-simulator")
    public static var hasSharedGolden: Bool { FileManager.default.fileExists(atPath: sharedGolden.appendingPathComponent("case01.h5").path) }
    /// A file of Tests/Fixtures/reference-simulator.
    public static func reference(_ name: String) -> String { referenceSimulator.appendingPathComponent(name).path }
    /// A file of Tests/Fixtures/models.
    public static func model(_ name: String) -> String {
        testsDirectory.appendingPathComponent("Fixtures/models").appendingPathComponent(name).path
    }
    /// `../shared/golden/models` next to the clone; absent on CI.
    public static let sharedGoldenModels = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/golden/models")
    public static var hasSharedGoldenModels: Bool {
        FileManager.default.fileExists(atPath: sharedGoldenModels.appendingPathComponent("tree_transformer_paper.h5").path)
    }
}

/// A fresh temporary directory, removed by `cleanup()`.
public struct ScratchDirectory {
    public let url: URL
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cellfree-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Runs a program found on PATH; returns its exit status and standard output, or nil if it is not installed.
public func runTool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
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
