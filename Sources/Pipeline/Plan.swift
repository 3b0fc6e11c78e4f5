/// One point of a stage's sweep: resolved parameters, matched inputs and its key.
public struct StageInstance: Sendable {
    /// The stage's name in the manifest.
    public var stage: String
    public var kind: String
    /// The swept parameters and their values here (grid, zip, then `replica`), for names and input matching.
    public var coordinates: [(name: String, value: ParamValue)]
    public var record: KeyRecord
    public var key: String
    /// Input name → indices (into `Plan.instances`) of the upstream instances this one reads.
    public var inputs: [(name: String, instances: [Int])]

    /// The value of sweep axis `axis` here (a swept or followed one), nil if it has none.
    public func coordinate(_ axis: String) -> ParamValue? { coordinates.first { $0.name == axis }?.value }

    /// What readers see as its parameters (`StageInput.params`): its own, and the axes it follows
    /// without a parameter of that name (so a figure tells `evaluate[sigma=5]` from `evaluate[sigma=0]`).
    public var readerParams: [String: ParamValue] {
        var p = record.params
        for c in coordinates where p[c.name] == nil { p[c.name] = c.value }
        return p
    }

    /// `stage` or `stage[K=10,eta=0.5,replica=0]`.
    public var id: String {
        coordinates.isEmpty ? stage : stage + "[" + coordinates.map { "\($0.name)=\($0.value.display)" }.joined(separator: ",") + "]"
    }
}

/// A manifest checked against the stage kinds and expanded: instances in dependency order, with keys.
public struct Plan: Sendable {
    public var manifest: Manifest
    /// The profile applied, if any.
    public var profile: String?
    /// Stage names in dependency order.
    public var stageOrder: [String]
    /// Instances, stage by stage in `stageOrder`; inputs always come before their readers.
    public var instances: [StageInstance]
    /// Slurm resources of each stage kind in the plan: the manifest's `default` < its entry for the
    /// kind < the profile's `default` < the profile's entry.
    public var resources: [String: TaskResources] = [:]

    public func instances(of stage: String) -> [Int] { instances.indices.filter { instances[$0].stage == stage } }

    /// Direct dependents of each instance (reverse edges of `inputs`).
    public var dependents: [[Int]] {
        var out = [[Int]](repeating: [], count: instances.count)
        for (i, inst) in instances.enumerated() {
            for input in inst.inputs { for j in input.instances { out[j].append(i) } }
        }
        return out
    }
}

extension Manifest {
    /// Checks every stage against `registry` and expands the sweeps. `profile` nil takes the profile
    /// named `default` when there is one. Unknown kinds or parameters, wrong types, missing inputs,
    /// duplicate names and cycles throw a located `ManifestError`.
    public func plan(profile requested: String? = nil, registry: StageRegistry) throws -> Plan {
        var chosen: Profile?
        if let requested {
            guard let p = profile(named: requested) else {
                let known = profiles.map(\.name).joined(separator: ", ")
                throw ManifestError(file: file, line: 1, column: 1, field: "profiles",
                                    message: "no profile '\(requested)' (defined: \(known.isEmpty ? "none" : known))")
            }
            chosen = p
        } else {
            chosen = profile(named: "default")
        }
        let stagesByName = try checkedStages(registry)
        try checkDefaults(registry, profile: chosen)
        let order = try dependencyOrder(stagesByName)
        var instances: [StageInstance] = []
        var axesOfStage: [String: [String]] = [:]
        var indicesOfStage: [String: [Int]] = [:]
        for name in order {
            let spec = stagesByName[name]!
            let kind = registry[spec.kind]!
            let override = chosen?.stages.first { $0.stage == name }
            var points = try sweepPoints(spec: spec, override: override, kind: kind)
            let follow = (override?.sweep ?? spec.sweep)?.follow ?? []
            for f in follow {
                // The values the inputs sweep this axis over, in their order.
                var values: [ParamValue] = []
                for ref in spec.inputs where (axesOfStage[ref.stage] ?? []).contains(f.name) {
                    for j in indicesOfStage[ref.stage] ?? [] {
                        if let v = instances[j].coordinate(f.name), !values.contains(v) { values.append(v) }
                    }
                }
                guard !values.isEmpty else {
                    let swept = spec.inputs.map { "\($0.stage): \((axesOfStage[$0.stage] ?? []).joined(separator: ", "))" }
                    throw f.location.error(f.field, "stage '\(name)' follows '\(f.name)', but none of its inputs sweeps it (\(swept.joined(separator: "; ")))")
                }
                if let target = f.parameter {
                    guard let spec = kind.parameter(target) else {
                        throw f.location.error(f.field, "kind '\(kind.name)' has no parameter '\(target)' for the followed axis '\(f.name)'")
                    }
                    values = values.map { normalized($0, spec.type) }
                    for v in values { try checkValue(LocatedValue(value: v, location: f.location, field: f.field), spec: spec, kind: kind) }
                } else if kind.parameter(f.name) != nil {
                    throw f.location.error(f.field, "kind '\(kind.name)' has a parameter '\(f.name)': sweep it with grid, or follow {\(f.name): \(f.name)}")
                }
                points.points = points.points.flatMap { p in values.map { p + [(f.name, $0)] } }
                points.axes.append(f.name)
            }
            // A followed axis sets the parameter it names, or none.
            let target = Dictionary(follow.map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
            axesOfStage[name] = points.axes
            let base = try baseParameters(spec: spec, kind: kind, profile: chosen, override: override)
            var mine: [Int] = []
            for coordinates in points.points {
                var params = base
                for c in coordinates {
                    if let followed = target[c.name] {
                        if let parameter = followed { params[parameter] = c.value }
                    } else {
                        params[c.name] = c.value
                    }
                }
                if let missing = kind.parameters.first(where: { params[$0.name] == nil }) {
                    throw spec.location.error(spec.field + ".params", "stage '\(name)' of kind '\(kind.name)' needs parameter '\(missing.name)' (\(missing.help))")
                }
                let at = coordinates.isEmpty ? "" : " [" + coordinates.map { "\($0.name)=\($0.value.display)" }.joined(separator: ", ") + "]"
                if let problem = kind.preflightProblem(params) {
                    throw spec.location.error(spec.field + ".params", "stage '\(name)'\(at): \(problem)")
                }
                if let bytes = kind.estimatedBytes(params), bytes > MachineMemory.bytes {
                    throw spec.location.error(spec.field + ".params", "stage '\(name)'\(at) would need about \(MachineMemory.format(bytes)) of memory, "
                                              + "more than this machine's \(MachineMemory.format(MachineMemory.bytes)); make it smaller (or split it over a sweep)")
                }
                var inputs: [(name: String, instances: [Int])] = []
                var inputKeys: [String: [String]] = [:]
                for ref in spec.inputs {
                    // Sweep axes both stages sweep must agree; the reader gathers along the others.
                    let shared = (axesOfStage[ref.stage] ?? []).filter { points.axes.contains($0) }
                    let matched = (indicesOfStage[ref.stage] ?? []).filter { j in
                        shared.allSatisfy { axis in instances[j].coordinate(axis) == coordinates.first { $0.name == axis }?.value }
                    }
                    guard !matched.isEmpty else {
                        let at = coordinates.map { "\($0.name)=\($0.value.display)" }.joined(separator: ", ")
                        throw ref.location.error(ref.field, "no instance of '\(ref.stage)' matches \(at)")
                    }
                    inputs.append((ref.stage, matched))
                    inputKeys[ref.stage] = matched.map { instances[$0].key }
                }
                let record = KeyRecord(kind: kind.name, version: kind.version, params: params, inputs: inputKeys)
                mine.append(instances.count)
                instances.append(StageInstance(stage: name, kind: kind.name, coordinates: coordinates, record: record,
                                               key: record.key, inputs: inputs))
            }
            indicesOfStage[name] = mine
        }
        var plan = Plan(manifest: self, profile: chosen?.name, stageOrder: order, instances: instances)
        for (source, table) in [("resources", resources), ("profiles.\(chosen?.name ?? "").resources", chosen?.resources ?? [:])] {
            if let unknown = table.keys.sorted().first(where: { $0 != "default" && registry[$0] == nil }) {
                throw ManifestError(file: file, line: resourcesLocation?.line ?? 1, column: resourcesLocation?.column ?? 1, field: source,
                                    message: "resources for '\(unknown)', which is not a stage kind (use 'default' or one of: \(registry.names.joined(separator: ", ")))")
            }
        }
        for kind in Set(instances.map(\.kind)) {
            let layers = [resources["default"], resources[kind], chosen?.resources["default"], chosen?.resources[kind]].compactMap { $0 }
            plan.resources[kind] = layers.reduce(TaskResources()) { $1.over($0) }
        }
        return plan
    }

    /// Stages by name, after checking names, kinds, parameter names/types and profile references.
    private func checkedStages(_ registry: StageRegistry) throws -> [String: StageSpec] {
        var byName: [String: StageSpec] = [:]
        for s in stages {
            if let first = byName[s.name] {
                throw s.location.error(s.field, "duplicate stage name '\(s.name)' (first defined at line \(first.location.line))")
            }
            guard let kind = registry[s.kind] else {
                throw s.kindLocation.error(s.field + ".kind", "unknown stage kind '\(s.kind)'; known kinds: \(registry.names.joined(separator: ", "))")
            }
            try checkParameters(s.params, kind: kind)
            byName[s.name] = s
        }
        for p in profiles {
            for o in p.stages {
                guard let s = byName[o.stage] else {
                    throw o.location.error(o.field, "profile '\(p.name)' overrides stage '\(o.stage)', which the manifest does not define")
                }
                try checkParameters(o.params, kind: registry[s.kind]!)
            }
        }
        for s in stages {
            for ref in s.inputs where byName[ref.stage] == nil {
                throw ref.location.error(ref.field, "input '\(ref.stage)' is not a stage of this manifest")
            }
        }
        return byName
    }

    /// `defaults` entries must be declared, with a fitting type, by some stage kind in the manifest.
    private func checkDefaults(_ registry: StageRegistry, profile: Profile?) throws {
        let kinds = stages.compactMap { registry[$0.kind] }
        for d in defaults + (profile?.defaults ?? []) {
            let declaring = kinds.filter { $0.parameter(d.name) != nil }
            guard !declaring.isEmpty else {
                throw d.value.location.error(d.value.field, "no stage kind of this manifest has a parameter '\(d.name)'")
            }
            for k in declaring { try checkValue(d.value, spec: k.parameter(d.name)!, kind: k) }
        }
    }

    /// Kind defaults < manifest defaults < profile defaults < stage params < profile stage params;
    /// `seed` falls back to the manifest's seed.
    private func baseParameters(spec: StageSpec, kind: any StageKind, profile: Profile?, override: StageOverride?) throws -> [String: ParamValue] {
        var params: [String: ParamValue] = [:]
        for p in kind.parameters { if let d = p.defaultValue { params[p.name] = d } }
        if kind.parameter("seed") != nil { params["seed"] = .int(seed) }
        for layer in [defaults, profile?.defaults ?? [], spec.params, override?.params ?? []] {
            for v in layer where kind.parameter(v.name) != nil { params[v.name] = normalized(v.value.value, kind.parameter(v.name)!.type) }
        }
        return params
    }

    /// The sweep's points (grid × zip × replicas) and its axis names; a profile's sweep replaces the stage's.
    private func sweepPoints(spec: StageSpec, override: StageOverride?, kind: any StageKind) throws
        -> (axes: [String], points: [[(name: String, value: ParamValue)]]) {
        guard let sweep = override?.sweep ?? spec.sweep else { return ([], [[]]) }
        for axis in sweep.grid + sweep.zip {
            guard let p = kind.parameter(axis.name) else {
                throw axis.location.error(axis.field, "kind '\(kind.name)' has no parameter '\(axis.name)' to sweep; its parameters: \(kind.parameters.map(\.name).joined(separator: ", "))")
            }
            for v in axis.values { try checkValue(v, spec: p, kind: kind) }
        }
        if sweep.seeds != nil, kind.parameter("replica") == nil {
            throw sweep.location.error(spec.field + ".sweep.seeds", "kind '\(kind.name)' draws no random numbers (no 'replica' parameter); remove 'seeds'")
        }
        var points: [[(name: String, value: ParamValue)]] = [[]]
        for axis in sweep.grid {
            let type = kind.parameter(axis.name)!.type
            points = points.flatMap { p in axis.values.map { p + [(axis.name, normalized($0.value, type))] } }
        }
        if let n = sweep.zip.first?.values.count {
            points = points.flatMap { p in
                (0..<n).map { i in p + sweep.zip.map { ($0.name, normalized($0.values[i].value, kind.parameter($0.name)!.type)) } }
            }
        }
        if let seeds = sweep.seeds {
            points = points.flatMap { p in seeds.map { p + [("replica", ParamValue.int($0))] } }
        }
        return ((sweep.grid + sweep.zip).map(\.name) + (sweep.seeds == nil ? [] : ["replica"]), points)
    }

    /// Stage names so that every stage follows its inputs (manifest order among independent ones).
    private func dependencyOrder(_ byName: [String: StageSpec]) throws -> [String] {
        var state: [String: Int] = [:]   // 1 visiting, 2 done
        var order: [String] = []
        func visit(_ name: String, _ path: [String]) throws {
            if state[name] == 2 { return }
            let spec = byName[name]!
            if state[name] == 1 {
                let cycle = path.drop(while: { $0 != name }) + [name]
                throw spec.location.error(spec.field + ".inputs", "stages form a cycle: \(cycle.joined(separator: " → "))")
            }
            state[name] = 1
            for ref in spec.inputs { try visit(ref.stage, path + [name]) }
            state[name] = 2
            order.append(name)
        }
        for s in stages { try visit(s.name, []) }
        return order
    }
}

/// Checks each parameter against the kind's declaration.
private func checkParameters(_ params: [NamedValue], kind: any StageKind) throws {
    for p in params {
        guard let spec = kind.parameter(p.name) else {
            throw p.value.location.error(p.value.field, "kind '\(kind.name)' has no parameter '\(p.name)'; its parameters: \(kind.parameters.map(\.name).joined(separator: ", "))")
        }
        try checkValue(p.value, spec: spec, kind: kind)
    }
}

private func checkValue(_ v: LocatedValue, spec: ParameterSpec, kind: any StageKind) throws {
    guard spec.type.accepts(v.value) else {
        throw v.location.error(v.field, "parameter '\(spec.name)' of kind '\(kind.name)' must be \(spec.type.description), found \(v.value.typeName) (\(v.value.display))")
    }
    let strings = v.value.list?.compactMap(\.string) ?? v.value.string.map { [$0] } ?? []
    if !spec.choices.isEmpty, let s = strings.first(where: { !spec.choices.contains($0) }) {
        throw v.location.error(v.field, "parameter '\(spec.name)' must be one of \(spec.choices.joined(separator: ", ")), found '\(s)'")
    }
    let numbers = v.value.list?.compactMap(\.number) ?? v.value.number.map { [$0] } ?? []
    if let range = spec.range, let x = numbers.first(where: { !range.contains($0) }) {
        throw v.location.error(v.field, "parameter '\(spec.name)' of kind '\(kind.name)' must be \(range.description)\(spec.unit.isEmpty ? "" : " " + spec.unit), found \(ParamValue.double(x).display)")
    }
}

/// Integers where an integer is declared (`5.0` → 5), reals where a real is (`5` → 5.0), recursively in lists.
private func normalized(_ v: ParamValue, _ type: ParameterType) -> ParamValue {
    switch (type, v) {
    case (.int, _): v.integer.map(ParamValue.int) ?? v
    case (.double, _): v.number.map(ParamValue.double) ?? v
    case (.list(let e), .list(let items)): .list(items.map { normalized($0, e) })
    default: v
    }
}
