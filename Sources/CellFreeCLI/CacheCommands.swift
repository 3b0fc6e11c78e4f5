import ArgumentParser
import Foundation
import H5
import Pipeline

/// `cellfree gc`: removes cache files that no plan of the given manifests references (dry run by default).
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove cached results no manifest plan references (dry run unless --delete).",
        discussion: "Every profile of every manifest counts, plus the plan without a profile. A manifest that does not plan stops gc: nothing is removed."
    )

    @Argument(help: "Manifests whose plans to keep (default: every manifests/*.yaml).")
    var manifests: [String] = []

    @Option(help: "Outputs directory (cache in OUTPUTS/cache).")
    var outputs = "outputs"

    @Flag(help: "Really delete (default: only list).")
    var delete = false

    func run() throws {
        let layout = CacheLayout(outputs: outputs)
        var files = manifests
        if files.isEmpty {
            files = ((try? FileManager.default.contentsOfDirectory(atPath: "manifests")) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "manifests/" + $0 }
        }
        guard !files.isEmpty else { throw fail("no manifests given and none in manifests/: refusing to treat everything as garbage") }
        var keep = Set<String>()
        for path in files {
            do {
                let manifest = try Manifest.load(path)
                for profile in [nil] + manifest.profiles.map(\.name) {
                    let plan = try manifest.plan(profile: profile, registry: stageRegistry)
                    keep.formUnion(plan.instances.map(\.key))
                }
            } catch {
                throw fail("\(error)\ngc: nothing removed")
            }
        }
        var removed = 0, bytes = 0, busy: [String] = []
        for entry in layout.unreferenced(keeping: keep) {
            if delete, !layout.remove(entry.files, kind: entry.kind, key: entry.key) {
                busy.append("\(entry.kind)/\(entry.key)")
                print("keeping \(entry.kind)/\(entry.key): a running process holds its lock")
                continue
            }
            for f in entry.files { print("\(delete ? "removed" : "would remove") \(f.path) (\(f.bytes) bytes)") }
            removed += entry.files.count
            bytes += entry.files.reduce(0) { $0 + $1.bytes }
        }
        if delete {
            print("removed \(removed) files, \(bytes) bytes; \(keep.count) keys referenced by \(files.count) manifests"
                  + (busy.isEmpty ? "" : "; \(busy.count) keys in use were kept"))
        } else {
            print("\(removed) files, \(bytes) bytes unreferenced by \(files.count) manifests; pass --delete to remove them")
        }
    }
}

/// `cellfree inspect FILE.h5`: datasets, shapes, types, storage and attributes.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "List an HDF5 file's datasets, shapes and attributes.")

    @Argument(help: "An HDF5 file (a cache file, a checkpoint, a golden file…).")
    var file: String

    @Flag(help: .hidden) var direct = false

    func run() throws {
        // libhdf5 can crash on a damaged file: read it whole in a child first, list only a readable one,
        // and list it in a child too (a damaged object header can crash libhdf5 on a second reading).
        if !direct {
            if case .corrupt(let reason) = CacheVerifier.verifyInChild(executable: currentExecutable(), path: file, key: ""), !reason.contains("checksum") {
                print("\(file): \(reason)")
                throw ExitCode(1)
            }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: currentExecutable())
            child.arguments = ["inspect", "--direct", file]
            try child.run()
            child.waitUntilExit()
            guard child.terminationReason == .exit else {
                print("\(file): reading it crashed libhdf5 (signal \(child.terminationStatus)): damaged")
                throw ExitCode(1)
            }
            if child.terminationStatus != 0 { throw ExitCode(child.terminationStatus) }
            return
        }
        let h5: H5File
        do { h5 = try H5File.open(file) } catch { throw fail("cannot open \(file): \(error)") }
        print(file)
        printAttributes(h5, indent: "  ")
        try printGroup(h5, indent: "  ")
        if h5.hasAttribute("checksum"), let stored = try? h5.stringAttribute("checksum") {
            let (verifies, actual) = (try? checksumVerifies(stored, of: h5)) ?? (false, "unreadable")
            guard verifies else {
                print("CHECKSUM MISMATCH: stored \(stored), computed \(actual)")
                throw ExitCode(1)   // a check failed (exit codes of `cellfree --help`)
            }
            print("checksum verifies")
        } else if ProvenanceAttribute.all.contains(where: h5.hasAttribute) {
            print("NO CHECKSUM: a cache file without one is unfinished or damaged")
            throw ExitCode(1)
        }
    }

    private func printGroup(_ group: H5Group, indent: String) throws {
        for m in try group.members() {
            switch m.kind {
            case .group:
                print("\(indent)\(m.name)/")
                let g = try group.group(m.name)
                printAttributes(g, indent: indent + "  ")
                try printGroup(g, indent: indent + "  ")
            case .dataset:
                let d = try group.dataset(m.name)
                print("\(indent)\(m.name)  \(d.typeDescription) \(d.shape)  (\(d.storageDescription))")
                printAttributes(d, indent: indent + "    ")
            case .other:
                print("\(indent)\(m.name)  (other object)")
            }
        }
    }

    private func printAttributes(_ node: H5Node, indent: String) {
        for name in node.attributeNames {
            let value: String
            if let s = try? node.stringAttribute(name) {
                value = s.count > 200 ? String(s.prefix(200)) + "…" : s
            } else if let d = try? node.attribute(name, as: Double.self) {
                value = d.count == 1 ? "\(d[0])" : "\(d)"
            } else if let i = try? node.attribute(name, as: Int64.self) {
                value = i.count == 1 ? "\(i[0])" : "\(i)"
            } else if let i = try? node.attribute(name, as: Int32.self) {
                value = i.count == 1 ? "\(i[0])" : "\(i)"
            } else if let f = try? node.attribute(name, as: Float.self) {
                value = f.count == 1 ? "\(f[0])" : "\(f)"
            } else {
                value = "(unprintable type)"
            }
            print("\(indent)@\(name) = \(value)")
        }
    }
}

/// `cellfree verify-cache FILE [KEY]`: `CacheVerifier.verify` in a process of its own, so that a damaged
/// file that crashes libhdf5 takes only this process down (used by `run`, `plan`, `status`, `inspect`).
/// Without KEY (or with an empty one), the file is read whole and its checksum checked if it has one.
struct VerifyCacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-cache",
        abstract: "Check one cache file's key and checksum (used by run; not for direct use).",
        shouldDisplay: false
    )

    @Argument(help: "A cache file.")
    var file: String

    @Argument(help: "The key it must hold.")
    var key = ""

    func run() throws {
        let state: CacheEntryState
        if key.isEmpty {
            do {
                let h5 = try H5File.open(file)
                defer { try? h5.close() }
                try h5.canonicalContent { _, _ in }
                let stored = h5.hasAttribute(ProvenanceAttribute.checksum) ? try h5.stringAttribute(ProvenanceAttribute.checksum) : nil
                state = try stored.map { try checksumVerifies($0, of: h5).verifies ? .valid : .corrupt("content checksum mismatch") } ?? .valid
            } catch {
                state = .corrupt("unreadable: \(error)")
            }
        } else {
            state = CacheVerifier.verify(path: file, key: key)
        }
        if case .corrupt(let reason) = state {
            print(reason)
            throw ExitCode(1)
        }
    }
}
