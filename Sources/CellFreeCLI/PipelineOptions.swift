import ArgumentParser
import Experiments
import Foundation
import Pipeline

/// Every stage kind this `cellfree` knows: the pipeline's own toy kinds (tests, benchmarks) and the
/// experiments' kinds.
let stageRegistry = StageRegistry(toyStageKinds + experimentStageKinds)

/// Written into every cache file's `code_version`: the version, and when this binary lives in a git
/// checkout (`.build/…` below it, as `make` and `swift build` put it), that checkout's commit, with
/// "dirty" when tracked files differ from it.
let codeVersion = "cellfree \(CellFreeCommand.configuration.version)" + (checkoutRevision().map { " (git \($0))" } ?? "")

/// `<commit>[ dirty]` of the git checkout holding this executable, nil outside one (or without git).
func checkoutRevision() -> String? {
    var dir = URL(fileURLWithPath: currentExecutable()).deletingLastPathComponent()
    while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) { dir.deleteLastPathComponent() }
    guard dir.path != "/" else { return nil }
    func git(_ arguments: [String]) -> String? {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path] + arguments
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
    guard let commit = git(["rev-parse", "--short=12", "HEAD"]), !commit.isEmpty else { return nil }
    let dirty = git(["status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
    return commit + (dirty ? " dirty" : "")
}

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
