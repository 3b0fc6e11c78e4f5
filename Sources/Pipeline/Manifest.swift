import Foundation
import Yams

/// A parameter value with where it was written.
public struct LocatedValue: Sendable {
    public var value: ParamValue
    public var location: SourceLocation
    public var field: String
}

/// `name: value` in a `params` or `defaults` mapping.
public struct NamedValue: Sendable {
    public var name: String
    public var value: LocatedValue
}

/// One axis of a sweep: a parameter and the values it takes.
public struct SweepAxis: Sendable {
    public var name: String
    public var values: [LocatedValue]
    public var location: SourceLocation
    public var field: String
}

/// `sweep:` of a stage: the cartesian `grid`, the element-wise `zip` (equal lengths), `seeds`
/// (replicas: `seeds: 3` is replicas 0, 1, 2; a list names them) and `follow` (axes an input sweeps
/// that this stage takes over: `follow: [sigma]` makes one instance per σ of its inputs, and
/// `follow: {sigma: train_sigma}` also sets its parameter `train_sigma` to that σ, so train → evaluate
/// repeat per σ of `layouts`, see manifests/robustness-sweep.yaml). Instances = grid × zip × seeds
/// × followed values. An instance reads the instances of each input stage that agree with it on
/// every axis both stages sweep (`replica` and followed axes included), and gathers along the
/// input's other axes (e.g. a figure over K).
public struct SweepSpec: Sendable {
    public var grid: [SweepAxis] = []
    public var zip: [SweepAxis] = []
    public var seeds: [Int]?
    /// Followed axes: the input's axis `name`, and the parameter of this stage it sets (nil: none, the
    /// axis only matches inputs and tells readers apart).
    public var follow: [(name: String, parameter: String?, location: SourceLocation, field: String)] = []
    public var location: SourceLocation

    /// The most instances one stage's sweep may expand to (issue 19): a typo such as
    /// `seeds: 1000000000` is refused before anything is expanded, not grown until memory runs out.
    public static let maxInstances = 1_000_000
}

/// An input reference `inputs: [name, …]`.
public struct InputReference: Sendable {
    public var stage: String
    public var location: SourceLocation
    public var field: String
}

/// A stage as written: kind, parameters, inputs and sweep.
public struct StageSpec: Sendable {
    public var name: String
    public var kind: String
    public var kindLocation: SourceLocation
    public var params: [NamedValue]
    public var inputs: [InputReference]
    public var sweep: SweepSpec?
    public var location: SourceLocation
    public var field: String
}

/// A profile's changes to one stage: more parameters, and a sweep that replaces the stage's own.
public struct StageOverride: Sendable {
    public var stage: String
    public var params: [NamedValue]
    public var sweep: SweepSpec?
    public var location: SourceLocation
    public var field: String
}

/// Named overrides, e.g. `smoke` (tiny), `default` (what `make reproduce` runs), `paper` (full sizes).
public struct Profile: Sendable {
    public var name: String
    public var defaults: [NamedValue]
    public var stages: [StageOverride]
    /// Slurm resources per stage kind, over the manifest's field by field (`TaskResources`).
    public var resources: [String: TaskResources] = [:]
    public var location: SourceLocation
}

/// A pipeline manifest (YAML). Structure only; `plan(...)` checks it against the stage kinds.
///
/// ```yaml
/// name: example
/// seed: 1
/// defaults: {size: 8}              # for every stage whose kind declares the parameter
/// profiles:
///   smoke: {defaults: {size: 2}, stages: {draw: {sweep: {seeds: 2}}}}
/// stages:
///   - {name: draw, kind: toy, params: {count: 4}, sweep: {grid: {size: [4, 8]}, seeds: 3}}
///   - {name: total, kind: toy-sum, inputs: [draw]}
/// ```
public struct Manifest: Sendable {
    public var file: String
    public var name: String
    public var seed: Int
    public var defaults: [NamedValue]
    public var profiles: [Profile]
    public var stages: [StageSpec]
    /// Slurm resources per stage kind (`default`: every kind), `TaskResources`.
    public var resources: [String: TaskResources] = [:]
    /// Where `resources:` was written (its kinds are checked against the registry by `plan`).
    public var resourcesLocation: SourceLocation?

    /// Reads and parses `path`; a missing or unreadable file is a `ManifestError` at line 0.
    public static func load(_ path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError(file: path, line: 0, column: 0, field: "", message: "cannot read the manifest file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(file: path, line: 0, column: 0, field: "", message: "the manifest is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// `include: [other.yaml, …]` (paths relative to this file) takes the stages, defaults and profiles
    /// of other manifests first, then this file's own. Included manifests must have this one's seed,
    /// so a stage keeps its cache key whichever manifest runs it; stage names must stay unique.
    public static func parse(_ text: String, file: String) throws -> Manifest {
        try parse(text, file: file, including: [])
    }

    private static func parse(_ text: String, file: String, including: [String]) throws -> Manifest {
        // YAML forbids NUL and most C0 control characters; the parser reports them at 1:1, so name the place here.
        var line = 1, column = 1
        for scalar in text.unicodeScalars {
            if scalar == "\n" { line += 1; column = 1; continue }
            if scalar.value < 0x20 && scalar != "\t" && scalar != "\r" {
                throw ManifestError(file: file, line: line, column: column, field: "",
                                    message: String(format: "control character U+%04X is not allowed in YAML", scalar.value))
            }
            column += 1
        }
        if let found = YAMLAnchorScan.first(in: text) {
            throw ManifestError(file: file, line: found.line, column: found.column, field: "",
                                message: "YAML \(found.what == "alias" ? "aliases" : "anchors") are not supported in manifests (write the value out, or quote it for a string)")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ManifestError(file: file, line: 1, column: 1, field: "", message: "the manifest is empty")
            }
            root = node
        } catch let e as YamlError {
            throw yamlSyntaxError(e, file: file)
        }
        let top = YAMLField(node: root, file: file, field: "")
        let entries = try top.mapping(allowing: ["name", "seed", "include", "defaults", "profiles", "stages", "resources"])
        var manifest = Manifest(file: file, name: "", seed: 0, defaults: [], profiles: [], stages: [])
        var sawStages = false, sawName = false
        var included: [Manifest] = []
        for e in entries {
            switch e.key {
            case "include":
                for item in try e.value.sequence() {
                    let name = try item.string()
                    let path = name.hasPrefix("/") ? name : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
                    let chain = including + [file]   // the files being read, outermost first
                    guard !chain.contains(path) else { throw item.error("include cycle: \((chain + [path]).joined(separator: " → "))") }
                    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                        throw item.error("cannot read the included manifest \(path)")
                    }
                    included.append(try parse(text, file: path, including: including + [file]))
                }
            case "name": manifest.name = try e.value.name(); sawName = true
            case "seed": manifest.seed = try e.value.int()
            case "defaults": manifest.defaults = try namedValues(e.value)
            case "profiles": manifest.profiles = try e.value.mapping().map { try parseProfile($0.key, $0.value) }
            case "stages": manifest.stages = try e.value.sequence().map(stage); sawStages = true
            case "resources": (manifest.resources, manifest.resourcesLocation) = (try parseResources(e.value), e.value.location)
            default: break
            }
        }
        guard sawName else { throw top.error("missing required key 'name'") }
        guard sawStages || !included.isEmpty else { throw top.error("missing required key 'stages'") }
        for other in included.reversed() {
            guard other.seed == manifest.seed else {
                throw top.child("include", root).error("included manifest \(other.file) has seed \(other.seed), this one \(manifest.seed): they must agree")
            }
            // A file included twice (e.g. by two included manifests) contributes its stages once.
            func fresh<T>(_ items: [T], _ existing: [T], _ location: (T) -> SourceLocation) -> [T] {
                items.filter { item in !existing.contains { location($0) == location(item) } }
            }
            manifest.stages = fresh(other.stages, manifest.stages, \.location) + manifest.stages
            manifest.defaults = fresh(other.defaults, manifest.defaults, \.value.location) + manifest.defaults
            // This file's resources win over an included one's, kind by kind and field by field.
            for (kind, r) in other.resources { manifest.resources[kind] = (manifest.resources[kind] ?? TaskResources()).over(r) }
            manifest.resourcesLocation = manifest.resourcesLocation ?? other.resourcesLocation
            for profile in other.profiles {
                if let i = manifest.profiles.firstIndex(where: { $0.name == profile.name }) {
                    manifest.profiles[i].defaults = fresh(profile.defaults, manifest.profiles[i].defaults, \.value.location) + manifest.profiles[i].defaults
                    manifest.profiles[i].stages = fresh(profile.stages, manifest.profiles[i].stages, \.location) + manifest.profiles[i].stages
                    for (kind, r) in profile.resources {
                        manifest.profiles[i].resources[kind] = (manifest.profiles[i].resources[kind] ?? TaskResources()).over(r)
                    }
                } else {
                    manifest.profiles.append(profile)
                }
            }
        }
        return manifest
    }

    public func profile(named name: String) -> Profile? { profiles.first { $0.name == name } }
}

private func yamlSyntaxError(_ e: YamlError, file: String) -> ManifestError {
    switch e {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
        return ManifestError(file: file, line: mark.line, column: mark.column, field: "", message: "YAML syntax: \(problem)")
    case .duplicatedKeysInMapping(let duplicates, let context):
        return ManifestError(file: file, line: context.mark.line, column: context.mark.column, field: duplicates.joined(separator: ", "),
                             message: "duplicate key '\(duplicates.joined(separator: "', '"))' in the mapping that starts here")
    default:
        return ManifestError(file: file, line: 1, column: 1, field: "", message: "YAML: \(e)")
    }
}

private func namedValues(_ f: YAMLField) throws -> [NamedValue] {
    try f.mapping().map { e in
        NamedValue(name: e.key, value: LocatedValue(value: try e.value.value(), location: e.value.location, field: e.value.field))
    }
}

private func stage(_ unnamed: YAMLField) throws -> StageSpec {
    guard let nameField = try unnamed.mapping().first(where: { $0.key == "name" })?.value else { throw unnamed.error("missing required key 'name'") }
    let name = try nameField.name()
    let f = YAMLField(node: unnamed.node, file: unnamed.file, field: "stages.\(name)")
    let entries = try f.mapping(allowing: ["name", "kind", "params", "inputs", "sweep"])
    guard let kindField = entries.first(where: { $0.key == "kind" })?.value else { throw f.error("stage '\(name)': missing required key 'kind'") }
    var s = StageSpec(name: name, kind: try kindField.name(), kindLocation: kindField.location, params: [], inputs: [],
                      sweep: nil, location: f.location, field: "stages.\(name)")
    for e in entries {
        let v = YAMLField(node: e.value.node, file: f.file, field: "stages.\(name).\(e.key)")
        switch e.key {
        case "params": s.params = try namedValues(v)
        case "inputs":
            let items = v.node.scalar != nil ? [v] : try v.sequence()
            s.inputs = try items.map { InputReference(stage: try $0.name(), location: $0.location, field: $0.field) }
        case "sweep": s.sweep = try sweep(v)
        default: break
        }
    }
    return s
}

private func sweep(_ f: YAMLField) throws -> SweepSpec {
    var s = SweepSpec(location: f.location)
    func axes(_ g: YAMLField) throws -> [SweepAxis] {
        try g.mapping().map { e in
            let values = try e.value.sequence().map { LocatedValue(value: try $0.value(), location: $0.location, field: $0.field) }
            guard !values.isEmpty else { throw e.value.error("a sweep axis needs at least one value") }
            return SweepAxis(name: e.key, values: values, location: e.keyLocation, field: e.value.field)
        }
    }
    for e in try f.mapping(allowing: ["grid", "zip", "seeds", "follow"]) {
        switch e.key {
        case "follow":
            if e.value.node.sequence != nil {
                s.follow = try e.value.sequence().map { (try $0.name(), nil, $0.location, $0.field) }
            } else {
                s.follow = try e.value.mapping().map { m in (m.key, try m.value.name(), m.keyLocation, m.value.field) }
            }
        case "grid": s.grid = try axes(e.value)
        case "zip":
            s.zip = try axes(e.value)
            if let first = s.zip.first, let bad = s.zip.first(where: { $0.values.count != first.values.count }) {
                throw bad.location.error(bad.field, "zip axes must have equal lengths: '\(first.name)' has \(first.values.count), '\(bad.name)' has \(bad.values.count)")
            }
        case "seeds":
            if e.value.node.sequence != nil {
                let list = try e.value.sequence().map { try $0.int() }
                guard !list.isEmpty, list.allSatisfy({ $0 >= 0 }), Set(list).count == list.count else {
                    throw e.value.error("seeds must be distinct non-negative replica numbers")
                }
                s.seeds = list
            } else {
                let n = try e.value.int()
                guard n >= 1 else { throw e.value.error("seeds must be at least 1, found \(n)") }
                guard n <= SweepSpec.maxInstances else {
                    throw e.value.error("seeds: \(n) replicas exceed the limit of \(SweepSpec.maxInstances) instances per stage")
                }
                s.seeds = Array(0..<n)
            }
        default: break
        }
    }
    let names = (s.grid + s.zip).map(\.name)
    if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }),
       let axis = (s.grid + s.zip).last(where: { $0.name == dup }) {
        throw axis.location.error(axis.field, "parameter '\(dup)' is swept twice")
    }
    if let twice = s.follow.first(where: { f in names.contains(f.name) || s.follow.filter { $0.name == f.name }.count > 1 }) {
        throw twice.location.error(twice.field, "axis '\(twice.name)' is swept twice (follow takes an input's axis the stage does not sweep itself)")
    }
    // Instances = grid × zip × seeds, counted before anything is expanded (overflow-safe).
    var count = 1
    for n in s.grid.map(\.values.count) + [s.zip.first?.values.count ?? 1, s.seeds?.count ?? 1] {
        let (product, overflow) = count.multipliedReportingOverflow(by: n)
        guard !overflow, product <= SweepSpec.maxInstances else {
            throw f.error("the sweep expands to more than \(SweepSpec.maxInstances) instances (grid × zip × seeds)")
        }
        count = product
    }
    return s
}

private func parseProfile(_ name: String, _ f: YAMLField) throws -> Profile {
    var p = Profile(name: name, defaults: [], stages: [], location: f.location)
    for e in try f.mapping(allowing: ["defaults", "stages", "resources"]) {
        switch e.key {
        case "defaults": p.defaults = try namedValues(e.value)
        case "resources": p.resources = try parseResources(e.value)
        case "stages":
            p.stages = try e.value.mapping().map { s in
                var o = StageOverride(stage: s.key, params: [], sweep: nil, location: s.keyLocation, field: s.value.field)
                for x in try s.value.mapping(allowing: ["params", "sweep"]) {
                    if x.key == "params" { o.params = try namedValues(x.value) } else { o.sweep = try sweep(x.value) }
                }
                return o
            }
        default: break
        }
    }
    return p
}
