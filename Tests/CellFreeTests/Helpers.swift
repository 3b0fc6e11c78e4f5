import CellFree
import Foundation
import Linalg

/// Paths of the test fixtures and, on our machines only, of the full golden data.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let referenceSimulator = testsDirectory.appendingPathComponent("Fixtures/reference-simulator")
    /// `../shared/golden/reference-simulator` next to the clone; absent on CI.
    static let sharedGolden = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/golden/reference-simulator")
    static var hasSharedGolden: Bool { FileManager.default.fileExists(atPath: sharedGolden.appendingPathComponent("case01.h5").path) }
    static func reference(_ name: String) -> String { referenceSimulator.appendingPathComponent(name).path }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cellfree-physics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `h5copy` (hdf5-tools, installed by `make deps`) to copy one object between files.
func h5copy(_ source: String, _ object: String, to target: String, as destination: String? = nil) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/h5copy")
    p.arguments = ["-i", source, "-o", target, "-s", object, "-d", destination ?? object]
    try p.run()
    p.waitUntilExit()
    if p.terminationStatus != 0 { throw CocoaError(.fileWriteUnknown) }
}

/// A small book-style network (wrap-around 1 km², local scattering 15°) drawn from `seed`.
func smallSetup(L: Int = 9, N: Int = 2, K: Int = 6, tau_p: Int = 3, seed: UInt64 = 7) throws -> NetworkSetup {
    let params = NetworkParameters(L: L, N: N, K: K, tau_p: tau_p)
    var rng = RandomStream(seed: seed, name: "test-setup")
    return try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
}

/// MMSE estimates of `setup` over `realizations` draws from `seed`.
func smallEstimates(_ setup: NetworkSetup, realizations: Int, seed: UInt64 = 11) throws -> ChannelEstimates {
    var rng = RandomStream(seed: seed, name: "test-channels")
    let draws = ChannelDraws.draw(setup.params, realizations: realizations, using: &rng)
    return try channelEstimates(R: setup.R, pilots: setup.pilots, p: setup.params.p, draws: draws)
}
