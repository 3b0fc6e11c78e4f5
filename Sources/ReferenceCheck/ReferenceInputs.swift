import CellFree
import H5
import Linalg

/// Why a reference file cannot be checked (exit code 2 of `cellfree verify-reference`).
public enum ReferenceFileError: Error, CustomStringConvertible {
    case unreadable(file: String, detail: String)
    case incomplete(file: String, missing: [String], needed: String)
    case invalid(file: String, variable: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(file, detail): "\(file): not a readable reference file: \(detail)"
        case let .incomplete(file, missing, needed):
            "\(file): incomplete: missing \(missing.joined(separator: ", ")) (needed for \(needed))"
        case let .invalid(file, variable, detail): "\(file): variable \(variable): \(detail)"
        }
    }
}

/// The stored inputs of a reference-simulator file (Octave layout of golden/reference-simulator/README.md).
struct ReferenceInputs {
    var params: NetworkParameters
    var setupDraws: SetupDraws
    var realizations: Int?
    var channelDraws: ChannelDraws?
    /// The cluster matrix used for every SE (`D`; `D_setup` unless the file overrides it).
    var clustersOverride: ClusterMatrix?
    var fullCooperation: Bool?

    /// Variables that depend on channel realizations (they need `Hwhite` and `Np`).
    static func needsChannels(_ name: String) -> Bool {
        ["H", "Hhat", "B", "C"].contains(name) || ["UL_", "DL_", "EXP_", "ULPC_", "DLPC"].contains { name.hasPrefix($0) }
    }

    init(_ f: OctaveFile, names: Set<String>) throws {
        let path = f.path
        func require(_ list: [String], for purpose: String) throws {
            let missing = list.filter { !names.contains($0) }
            if !missing.isEmpty { throw ReferenceFileError.incomplete(file: path, missing: missing, needed: purpose) }
        }
        func integer(_ name: String) throws -> Int {
            let v = try f.scalar(name)
            guard v >= 1, v == v.rounded(), v < 1e9 else {
                throw ReferenceFileError.invalid(file: path, variable: name, detail: "expected a positive integer, got \(v)")
            }
            return Int(v)
        }
        try require(["L", "N", "K", "tau_p", "APpositions", "UEpositions", "shadow_z"], for: "the setup")
        params = NetworkParameters(L: try integer("L"), N: try integer("N"), K: try integer("K"), tau_p: try integer("tau_p"))
        if names.contains("tau_c") { params.tau_c = try integer("tau_c") }
        if names.contains("p") { params.p = try f.scalar("p") }
        if names.contains("rho_tot") { params.rho_tot = try f.scalar("rho_tot") }
        let iid = names.contains("iid") ? try f.scalar("iid") != 0 : false
        if iid {
            params.fading = .iid
        } else {
            try require(["ASD_varphi", "ASD_theta"], for: "the local-scattering correlation (iid = 0)")
            params.fading = .localScattering(azimuthASD: try f.scalar("ASD_varphi"), elevationASD: try f.scalar("ASD_theta"))
        }
        do { try params.validate() } catch { throw ReferenceFileError.invalid(file: path, variable: "parameters", detail: "\(error)") }
        let (L, N, K, tau_p) = (params.L, params.N, params.K, params.tau_p)

        func values<T>(_ v: OctaveVariable<T>, count: Int, _ what: String) throws -> [T] {
            guard v.values.count == count else {
                throw ReferenceFileError.invalid(file: path, variable: v.name, detail: "has \(v.values.count) entries (shape \(v.shape)), expected \(what)")
            }
            return v.values
        }
        let aps = try values(f.complex("APpositions"), count: L, "L = \(L)")
        let ues = try values(f.complex("UEpositions"), count: K, "K = \(K)")
        let z = try values(f.real("shadow_z"), count: K * L, "K×L = \(K)×\(L)")
        setupDraws = SetupDraws(layout: Layout(apPositions: aps, uePositions: ues), shadowZ: z)

        if names.contains("D") {
            let d = try values(f.real("D"), count: L * K, "L×K = \(L)×\(K)")
            clustersOverride = ClusterMatrix(L: L, K: K, serves: d.map { $0 != 0 })
        }
        if names.contains("fullCooperation") { fullCooperation = try f.scalar("fullCooperation") != 0 }

        if names.contains(where: Self.needsChannels) {
            try require(["nbrOfRealizations", "Hwhite", "Np", "p", "tau_c", "rho_tot"], for: "the channel-dependent outputs")
            let nbr = try integer("nbrOfRealizations")
            realizations = nbr
            let white = try values(f.complex("Hwhite"), count: L * N * nbr * K, "(L·N)×nbr×K = \(L * N)×\(nbr)×\(K)")
            let noise = try values(f.complex("Np"), count: N * nbr * L * tau_p, "N×nbr×L×τ_p = \(N)×\(nbr)×\(L)×\(tau_p)")
            channelDraws = ChannelDraws(white: ChannelTensor(referenceLayout: white, L: L, N: N, K: K, realizations: nbr),
                                        pilotNoise: noise)
        }
    }
}
