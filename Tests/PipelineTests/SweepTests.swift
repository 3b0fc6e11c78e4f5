import Pipeline
import Testing

/// Sweep expansion (grid, zip, seeds), input matching, profiles, and which keys a change touches.
struct SweepTests {
    static let registry = StageRegistry(toyStageKinds)

    func plan(_ yaml: String, profile: String? = nil) throws -> Plan {
        try Manifest.parse(yaml, file: "m.yaml").plan(profile: profile, registry: Self.registry)
    }

    static let base = """
        name: m
        seed: 3
        defaults: {size: 4}
        profiles:
          small:
            defaults: {size: 2}
            stages:
              draw: {sweep: {seeds: 1}}
        stages:
          - name: draw
            kind: toy
            params: {count: 3}
            sweep:
              grid: {scale: [1, 2, 4]}
              zip: {count: [1, 2], first: [0, 10]}
              seeds: 2
          - name: total
            kind: toy-sum
            inputs: [draw]
          - name: per_scale
            kind: toy-sum
            inputs: [draw]
            sweep: {grid: {scale: [1, 4]}}

        """

    @Test func gridTimesZipTimesSeeds() throws {
        let p = try plan(Self.base)
        let draws = p.instances(of: "draw").map { p.instances[$0] }
        #expect(draws.count == 3 * 2 * 2)
        #expect(draws[0].id == "draw[scale=1,count=1,first=0,replica=0]")
        #expect(draws[3].id == "draw[scale=1,count=2,first=10,replica=1]")
        #expect(draws.last!.id == "draw[scale=4,count=2,first=10,replica=1]")
        // Sweep values win over stage params; defaults and the manifest seed fill the rest.
        #expect(draws[3].record.params["count"] == .int(2))
        #expect(draws[3].record.params["size"] == .int(4))
        #expect(draws[3].record.params["seed"] == .int(3))
        #expect(Set(draws.map(\.key)).count == draws.count)
    }

    /// `follow`: a stage takes over an axis its input sweeps, one instance per value; downstream
    /// stages match it like a swept axis; `{axis: parameter}` also sets a parameter.
    @Test func followedAxesFlowDownstream() throws {
        let p = try plan("""
            name: m
            seed: 1
            stages:
              - {name: draw, kind: toy, sweep: {grid: {count: [1, 2], size: [2, 4, 8]}}}
              - {name: test, kind: toy, params: {first: 100}, sweep: {grid: {count: [3, 5], size: [2, 4, 8]}}}
              - {name: fit, kind: toy-sum, inputs: [draw], sweep: {follow: {size: scale}}}
              - {name: score, kind: toy-sum, inputs: [fit, test], sweep: {follow: [size]}}
              - {name: all, kind: toy-sum, inputs: [score]}

            """)
        let fits = p.instances(of: "fit").map { p.instances[$0] }
        #expect(fits.map(\.id) == ["fit[size=2]", "fit[size=4]", "fit[size=8]"])
        for (fit, size) in zip(fits, [2, 4, 8]) {
            // Each fit gathers the draws of its size over count, and takes the size as its scale.
            #expect(fit.inputs[0].instances.map { p.instances[$0].id } == ["draw[count=1,size=\(size)]", "draw[count=2,size=\(size)]"])
            #expect(fit.record.params["scale"] == .double(Double(size)) && fit.record.params["size"] == nil)
        }
        let scores = p.instances(of: "score").map { p.instances[$0] }
        #expect(scores.map(\.id) == ["score[size=2]", "score[size=4]", "score[size=8]"])
        let four = scores[1]
        #expect(four.inputs.map { $0.instances.map { p.instances[$0].id } } == [["fit[size=4]"], ["test[count=3,size=4]", "test[count=5,size=4]"]])
        // Same parameters, different inputs: different keys; readers see the followed axis.
        #expect(Set(scores.map(\.key)).count == 3 && four.record.params["size"] == nil && four.readerParams["size"] == .int(4))
        #expect(p.instances[p.instances(of: "all")[0]].inputs[0].instances.count == 3)
    }

    @Test func followRefusesWhatItCannotFollow() throws {
        func message(_ sweep: String) -> String {
            do {
                _ = try plan("name: m\nseed: 1\nstages:\n  - {name: draw, kind: toy, sweep: {grid: {size: [2, 4]}}}\n"
                             + "  - {name: fit, kind: toy-sum, inputs: [draw], sweep: \(sweep)}\n")
                return ""
            } catch { return "\(error)" }
        }
        #expect(message("{follow: [count]}").contains("stage 'fit' follows 'count', but none of its inputs sweeps it (draw: size)"))
        #expect(message("{follow: {size: width}}").contains("kind 'toy-sum' has no parameter 'width' for the followed axis 'size'"))
        #expect(message("{follow: [scale], grid: {scale: [1, 2]}}").contains("axis 'scale' is swept twice"))
        #expect(message("{follow: [size, size]}").contains("axis 'size' is swept twice"))
    }

    @Test func inputsMatchSharedAxesAndGatherTheRest() throws {
        let p = try plan(Self.base)
        let total = p.instances[p.instances(of: "total")[0]]
        #expect(total.inputs[0].instances.count == 12)
        let perScale = p.instances(of: "per_scale").map { p.instances[$0] }
        #expect(perScale.count == 2)
        for inst in perScale {
            let ups = inst.inputs[0].instances.map { p.instances[$0] }
            #expect(ups.count == 4)
            #expect(ups.allSatisfy { $0.record.params["scale"] == inst.record.params["scale"] })
        }
    }

    @Test func profilesOverrideDefaultsAndSweeps() throws {
        let p = try plan(Self.base, profile: "small")
        #expect(p.profile == "small")
        let draws = p.instances(of: "draw").map { p.instances[$0] }
        // The profile's sweep replaces the stage's: only seeds remain.
        #expect(draws.map(\.id) == ["draw[replica=0]"])
        #expect(draws[0].record.params["size"] == .int(2))
        #expect(draws[0].record.params["count"] == .int(3))
    }

    @Test func aChangedParameterChangesExactlyThatInstanceAndItsDependents() throws {
        let before = try plan(Self.base)
        let after = try plan(Self.base.replacingOccurrences(of: "scale: [1, 2, 4]", with: "scale: [1, 3, 4]"))
        let changed = zip(before.instances, after.instances).filter { $0.key != $1.key }.map(\.1.id)
        #expect(changed.count == 4 + 1)   // the four scale=3 draws and the total that reads them
        #expect(changed.filter { $0.hasPrefix("draw[scale=3") }.count == 4)
        #expect(changed.contains("total"))
        // per_scale sweeps scale over [1, 4]: both of its instances keep their keys.
        #expect(!changed.contains { $0.hasPrefix("per_scale") })
        let totalBefore = before.instances[before.instances(of: "total")[0]].record
        let totalAfter = after.instances[after.instances(of: "total")[0]].record
        #expect(totalAfter.differences(from: totalBefore) == ["input draw: 4 of 12 upstream results changed"])
        let drawBefore = before.instances[4].record, drawAfter = after.instances[4].record
        #expect(drawAfter.differences(from: drawBefore) == ["parameter scale: 2 → 3"])
    }

    @Test func keysIgnoreSpellingAndOrder() throws {
        let a = try plan("name: m\nstages:\n  - {name: d, kind: toy, params: {count: 2, scale: 1}}\n")
        let b = try plan("name: other\nstages:\n  - kind: toy\n    params: {scale: 1.0, count: 2.0}\n    name: d\n")
        #expect(a.instances[0].key == b.instances[0].key)
        let c = try plan("name: m\nstages:\n  - {name: d, kind: toy, params: {count: 2, scale: 1.0000000000000002}}\n")
        #expect(c.instances[0].key != a.instances[0].key)
    }

    @Test func explicitSeedListsNameReplicas() throws {
        let p = try plan("name: m\nstages:\n  - {name: d, kind: toy, sweep: {seeds: [3, 7]}}\n")
        #expect(p.instances.map(\.id) == ["d[replica=3]", "d[replica=7]"])
    }
}
