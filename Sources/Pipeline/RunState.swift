import Foundation

/// The key records of a manifest's last cached results, per instance id, so `why` and `plan` can say
/// what changed: `<cache>/.state/<manifest>[.<profile>].tsv`, lines `id<TAB>key<TAB>record JSON`.
public struct RunState {
    public let path: String
    public private(set) var records: [String: (key: String, record: KeyRecord)] = [:]

    public init(layout: CacheLayout, manifest: String, profile: String?) {
        path = layout.stateDirectory + "/" + manifest + (profile.map { "." + $0 } ?? "") + ".tsv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 2)
            guard parts.count == 3, let record = try? KeyRecord(json: String(parts[2])) else { continue }
            records[String(parts[0])] = (String(parts[1]), record)
        }
    }

    public mutating func update(_ instance: StageInstance) {
        records[instance.id] = (instance.key, instance.record)
    }

    public func save() throws {
        try makeDirectory((path as NSString).deletingLastPathComponent)
        let text = records.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value.key)\t\($0.value.record.canonicalJSON)\n" }.joined()
        try writeAtomically(text, to: path)
    }
}

extension Plan {
    /// Why instance `i` must run (or that it need not), against the last cached run and the cache.
    public func reason(_ i: Int, state: RunState, cache: CacheEntryState) -> String {
        let inst = instances[i]
        switch cache {
        case .valid: return "cached"
        case .corrupt(let why): return "cache file corrupt (\(why)); recompute"
        case .missing: break
        }
        guard let last = state.records[inst.id] else { return "new: never computed" }
        if last.key == inst.key { return "result missing from the cache (deleted or never finished)" }
        let diffs = inst.record.differences(from: last.record)
        return "changed: " + (diffs.isEmpty ? "key differs" : diffs.joined(separator: "; "))
    }
}
