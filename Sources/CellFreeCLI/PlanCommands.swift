import ArgumentParser
import Foundation
import Pipeline

/// `cellfree plan MANIFEST`: what `run` would compute, and why.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Dry run: what would run, and why.")

    @OptionGroup var options: ManifestOptions

    @Flag(help: "List cached instances too.")
    var all = false

    @Flag(help: "Print only 'instance-id <tab> kind <tab> key' for every instance, in plan order (cache not read).")
    var keys = false

    func run() throws {
        let plan = try options.loadPlan()
        if keys {
            for inst in plan.instances { print("\(inst.id)\t\(inst.kind)\t\(inst.key)") }
            return
        }
        printPlan(plan, layout: options.layout, all: all)
    }
}

/// What `run` would compute, stage by stage, and why (`plan`, `run --dry-run`).
func printPlan(_ plan: Plan, layout: CacheLayout, all: Bool) {
    let verifier = CacheVerifier(layout: layout)
    verifier.isolatingExecutable = currentExecutable()
    let state = RunState(layout: layout, manifest: plan.manifest.name, profile: plan.profile)
    var toRun = 0
    for stage in plan.stageOrder {
        let list = plan.instances(of: stage)
        var lines: [String] = []
        var cached = 0
        for i in list {
            let inst = plan.instances[i]
            let cache = verifier.state(kind: inst.kind, key: inst.key)
            if cache == .valid { cached += 1 }
            if cache != .valid || all { lines.append("  \(inst.id): \(plan.reason(i, state: state, cache: cache))") }
        }
        toRun += list.count - cached
        print("\(stage) (\(plan.instances[list[0]].kind)): \(list.count) instance\(list.count == 1 ? "" : "s"), \(cached) cached, \(list.count - cached) to run")
        for l in lines.prefix(50) { print(l) }
        if lines.count > 50 { print("  … and \(lines.count - 50) more") }
    }
    verifier.save()
    print("\(toRun) of \(plan.instances.count) instances would run (inputs that change may add their dependents once computed).")
}

/// `cellfree why MANIFEST STAGE`: which part of each instance's key changed since its last cached run.
struct WhyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "why", abstract: "Why a stage would (re)run: what changed in its key.")

    @OptionGroup var options: ManifestOptions

    @Argument(help: "A stage name, or one instance id such as 'draw[size=4,replica=0]'.")
    var stage: String

    func run() throws {
        let plan = try options.loadPlan()
        let chosen = plan.instances.indices.filter { plan.instances[$0].stage == stage || plan.instances[$0].id == stage }
        guard !chosen.isEmpty else { throw fail("no stage or instance '\(stage)' in \(options.manifest); stages: \(plan.stageOrder.joined(separator: ", "))") }
        let verifier = CacheVerifier(layout: options.layout)
        verifier.isolatingExecutable = currentExecutable()
        let state = RunState(layout: options.layout, manifest: plan.manifest.name, profile: plan.profile)
        for i in chosen {
            let inst = plan.instances[i]
            print("\(inst.id): \(plan.reason(i, state: state, cache: verifier.state(kind: inst.kind, key: inst.key)))")
            // Name the upstream instances whose own keys changed.
            for input in inst.inputs {
                for j in input.instances {
                    let up = plan.instances[j]
                    guard let last = state.records[up.id], last.key != up.key else { continue }
                    print("    upstream \(up.id): " + up.record.differences(from: last.record).joined(separator: "; "))
                }
            }
        }
        verifier.save()
    }
}

/// `cellfree status MANIFEST`: per stage, how many instances are cached, running, checkpointed, missing.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "What is cached, running or missing, per stage.")

    @OptionGroup var options: ManifestOptions

    func run() throws {
        let plan = try options.loadPlan()
        let layout = options.layout
        let verifier = CacheVerifier(layout: layout)
        verifier.isolatingExecutable = currentExecutable()
        print("stage".padding(toLength: 24, withPad: " ", startingAt: 0) + "  total  cached  running  partial  corrupt  missing")
        for stage in plan.stageOrder {
            var counts = [0, 0, 0, 0, 0]
            let list = plan.instances(of: stage)
            for i in list {
                let inst = plan.instances[i]
                switch layout.state(kind: inst.kind, key: inst.key, verifier: verifier) {
                case .cached: counts[0] += 1
                case .running: counts[1] += 1
                case .partial: counts[2] += 1
                case .corrupt: counts[3] += 1
                case .missing: counts[4] += 1
                }
            }
            let cells = [list.count] + counts
            print(stage.padding(toLength: 24, withPad: " ", startingAt: 0) + cells.map { String($0).leftPadded(7) }.joined(separator: "  "))
        }
        verifier.save()
    }
}

/// `cellfree dag MANIFEST`: the stage graph as Graphviz DOT or Mermaid.
struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage graph (Graphviz DOT or Mermaid).")

    @OptionGroup var options: ManifestOptions

    enum Format: String, CaseIterable, ExpressibleByArgument { case dot, mermaid }

    @Option(help: "Graphviz DOT or Mermaid.")
    var format = Format.dot

    @Flag(help: "One node per instance instead of per stage.")
    var instances = false

    func run() throws {
        let plan = try options.loadPlan()
        switch format {
        case .dot: print(plan.dot(instances: instances), terminator: "")
        case .mermaid: print(plan.mermaid(instances: instances), terminator: "")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
