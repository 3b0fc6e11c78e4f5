import CellFree
import Foundation
@_exported import TestSupport
import Linalg

/// Copies one object between HDF5 files with `h5copy` (hdf5-tools, installed by `make deps`).
func h5copy(_ source: String, _ object: String, to target: String, as destination: String? = nil) throws {
    let result = try runTool("h5copy", ["-i", source, "-o", target, "-s", object, "-d", destination ?? object])
    guard result?.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["object": object, "file": source]) }
}

/// A small book-style network (wrap-around 1 km², local scattering 15°) drawn from `seed`.
func smallSetup(L: Int = 9, N: Int = 2, K: Int = 6, tau_p: Int = 3, seed: UInt64 = 7) throws -> NetworkSetup {
    let params = NetworkParameters(L: L, N: N, K: K, tau_p: tau_p)
    var rng = RandomStream(seed: seed, name: "test-setup")
    return try NetworkSetup(params, draws: SetupDraws.draw(params, using: &rng))
}

/// MMSE estimates of `setup` over `realizations` draws from `seed`.
func smallEstimates(_ setup: NetworkSetup, realizations: Int, seed: UInt64 = 11, threads: Int = 1) throws -> ChannelEstimates {
    var rng = RandomStream(seed: seed, name: "test-channels")
    let draws = ChannelDraws.draw(setup.params, realizations: realizations, using: &rng)
    return try channelEstimates(R: setup.R, pilots: setup.pilots, p: setup.params.p, draws: draws, threads: threads)
}
