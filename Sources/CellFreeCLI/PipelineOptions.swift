import ArgumentParser
import Experiments
import Foundation
import Pipeline

/// Every stage kind this `cellfree` knows: the pipeline's own toy kinds (tests, benchmarks) and the
/// experiments' kinds.
let stageRegistry = StageRegistry(toyStageKinds + experimentStageKinds)

/// Written into every cache file's `code_version`.
let codeVersion = "cellfree \(CellFreeCommand.configuration.version)"

/// The manifest, profile and outputs directory most pipeline verbs share.
struct ManifestOptions: ParsableArguments {
    @Argument(help: "The manifest (YAML), e.g. manifests/smoke.yaml.")
    var manifest: String

    @Option(help: "Profile to apply (default: the manifest's 'default' profile, if any).")
    var profile: String?

    @Option(help: "Outputs directory: the cache lives in OUTPUTS/cache, logs in OUTPUTS/logs.")
    var outputs = "outputs"

    @Option(name: .customLong("set"), help: "Override a parameter: STAGE.PARAM=VALUE (YAML value; repeatable; not a swept parameter).")
    var sets: [String] = []

    var layout: CacheLayout { CacheLayout(outputs: outputs) }

    /// The checked, expanded plan; manifest errors print `file:line:column: field: message` and exit 2.
    func loadPlan() throws -> Plan {
        do {
            return try Manifest.load(manifest).overriding(sets).plan(profile: profile, registry: stageRegistry)
        } catch let e as ManifestError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Prints to stderr and exits with `code` (2: usage or input errors).
func fail(_ message: String, code: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}
