import Foundation

/// What the cache holds for one instance, as `status` counts it.
public enum InstanceState: Sendable {
    case cached, running, partial, corrupt, missing
}

/// A cache file (or its log) that no plan references.
public struct UnreferencedFile: Sendable {
    public let path: String
    public let bytes: Int
}

extension CacheLayout {
    /// The state of instance (`kind`, `key`): a valid result, a live process computing it (its lock
    /// is held), a checkpoint left by an interrupted run, a corrupt result, or nothing.
    public func state(kind: String, key: String, verifier: CacheVerifier) -> InstanceState {
        switch verifier.state(kind: kind, key: key) {
        case .valid: return .cached
        case .corrupt: return .corrupt
        case .missing:
            if FileLock.isHeld(lock(kind: kind, key: key)) { return .running }
            return FileManager.default.fileExists(atPath: partial(kind: kind, key: key)) ? .partial : .missing
        }
    }

    /// Every result, checkpoint and temporary of a key outside `keep`, with the result's log, grouped by
    /// key (`<kind>/<key>`); lock files are the stale sweep's.
    public func unreferenced(keeping keep: Set<String>) -> [(kind: String, key: String, files: [UnreferencedFile])] {
        let fm = FileManager.default
        func size(_ path: String) -> Int { (try? fm.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        var out: [(kind: String, key: String, files: [UnreferencedFile])] = []
        for kind in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() where !kind.hasPrefix(".") {
            var byKey: [String: [UnreferencedFile]] = [:]
            for name in ((try? fm.contentsOfDirectory(atPath: root + "/" + kind)) ?? []).sorted() {
                let key = String(name.prefix { $0 != "." })
                guard key.count == 64, !keep.contains(key), !name.hasSuffix(".lock") else { continue }
                let path = root + "/" + kind + "/" + name
                byKey[key, default: []].append(UnreferencedFile(path: path, bytes: size(path)))
                let log = self.log(kind: kind, key: key)
                if path == file(kind: kind, key: key), fm.fileExists(atPath: log) {
                    byKey[key, default: []].append(UnreferencedFile(path: log, bytes: size(log)))
                }
            }
            for key in byKey.keys.sorted() { out.append((kind, key, byKey[key]!)) }
        }
        return out
    }

    /// Removes the files of one unreferenced key under its lock; false (nothing removed) when a live
    /// process holds the lock, i.e. is computing that key right now.
    public func remove(_ files: [UnreferencedFile], kind: String, key: String) -> Bool {
        guard let held = try? FileLock.tryAcquire(lock(kind: kind, key: key)) else { return false }
        defer { held.release() }
        for f in files { try? FileManager.default.removeItem(atPath: f.path) }
        return true
    }
}
