/// One stage instance to compute, as the driver hands it to a worker process (one JSON line).
public struct Job: Sendable {
    public var id: String
    public var kind: String
    public var version: Int
    public var key: String
    public var params: [String: ParamValue]
    /// Compute even when a valid result is cached (`run --force`); the new file replaces the old one
    /// atomically, so the old stays readable until then.
    public var recompute = false
    /// Input name → upstream results (kind, key, params).
    public var inputs: [String: [(kind: String, key: String, params: [String: ParamValue])]]

    public init(_ instance: StageInstance, in plan: Plan) {
        id = instance.id
        kind = instance.kind
        version = instance.record.version
        key = instance.key
        params = instance.record.params
        var inputs: [String: [(kind: String, key: String, params: [String: ParamValue])]] = [:]
        for input in instance.inputs {
            inputs[input.name] = input.instances.map { (plan.instances[$0].kind, plan.instances[$0].key, plan.instances[$0].readerParams) }
        }
        self.inputs = inputs
    }

    public var json: String {
        func map(_ d: [String: ParamValue]) -> ParamValue { .map(d.map { ($0.key, $0.value) }) }
        let ins = inputs.map { name, list in
            (name, ParamValue.list(list.map { .map([("kind", .string($0.kind)), ("key", .string($0.key)), ("params", map($0.params))]) }))
        }
        return ParamValue.map([("id", .string(id)), ("kind", .string(kind)), ("version", .int(version)), ("key", .string(key)),
                               ("params", map(params)), ("inputs", .map(ins))] + (recompute ? [("recompute", .bool(true))] : [])).canonicalJSON
    }

    public init(json: String) throws {
        guard case .map(let pairs) = try parseJSON(json) else { throw JSONError(offset: 0, message: "a job must be an object") }
        let f = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        func dict(_ v: ParamValue?) -> [String: ParamValue]? {
            guard case .map(let p)? = v else { return nil }
            return Dictionary(p, uniquingKeysWith: { a, _ in a })
        }
        guard let id = f["id"]?.string, let kind = f["kind"]?.string, let version = f["version"]?.integer,
              let key = f["key"]?.string, let params = dict(f["params"]), let ins = dict(f["inputs"]) else {
            throw JSONError(offset: 0, message: "a job needs id, kind, version, key, params and inputs")
        }
        self.id = id
        self.kind = kind
        self.version = version
        self.key = key
        self.params = params
        var inputs: [String: [(kind: String, key: String, params: [String: ParamValue])]] = [:]
        for (name, list) in ins {
            inputs[name] = try (list.list ?? []).map { item in
                let d = dict(item) ?? [:]
                guard let k = d["kind"]?.string, let key = d["key"]?.string else { throw JSONError(offset: 0, message: "an input needs kind and key") }
                return (k, key, dict(d["params"]) ?? [:])
            }
        }
        self.inputs = inputs
        if case .bool(let b)? = f["recompute"] { recompute = b }
    }
}
