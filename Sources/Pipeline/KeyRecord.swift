/// Everything a stage instance's result depends on; its SHA-256 is the instance's key.
public struct KeyRecord: Sendable, Equatable {
    public var kind: String
    public var version: Int
    /// Resolved parameters, by name.
    public var params: [String: ParamValue]
    /// Input name → the keys of the upstream instances it reads, in plan order.
    public var inputs: [String: [String]]

    public var paramsJSON: String { ParamValue.map(params.map { ($0.key, $0.value) }).canonicalJSON }
    public var inputsJSON: String { ParamValue.map(inputs.map { ($0.key, .list($0.value.map(ParamValue.string))) }).canonicalJSON }

    /// `{"inputs":…,"kind":…,"params":…,"version":…}` with sorted keys and canonical numbers.
    public var canonicalJSON: String {
        var out = "{\"inputs\":" + inputsJSON + ",\"kind\":"
        appendJSONString(kind, to: &out)
        out += ",\"params\":" + paramsJSON + ",\"version\":" + String(version) + "}"
        return out
    }

    public var key: String { sha256Hex(canonicalJSON) }

    /// What differs from an earlier record, one line each (`why`): kind version, each parameter
    /// (old → new, added, removed), each input whose upstream keys changed.
    public func differences(from old: KeyRecord) -> [String] {
        var lines: [String] = []
        if old.kind != kind { lines.append("kind: \(old.kind) → \(kind)") }
        if old.version != version { lines.append("code version of '\(kind)': \(old.version) → \(version)") }
        for name in Set(params.keys).union(old.params.keys).sorted() {
            switch (old.params[name], params[name]) {
            case let (a?, b?) where a != b: lines.append("parameter \(name): \(a.display) → \(b.display)")
            case (nil, let b?): lines.append("parameter \(name): added (\(b.display))")
            case (let a?, nil): lines.append("parameter \(name): removed (was \(a.display))")
            default: break
            }
        }
        for name in Set(inputs.keys).union(old.inputs.keys).sorted() where inputs[name] != old.inputs[name] {
            let was = old.inputs[name] ?? [], now = inputs[name] ?? []
            if was.count != now.count {
                lines.append("input \(name): \(was.count) → \(now.count) upstream instances")
            } else {
                let changed = zip(was, now).filter { $0 != $1 }.count
                lines.append("input \(name): \(changed) of \(now.count) upstream results changed")
            }
        }
        return lines
    }
}
