import Foundation
import Glibc

/// Progress of a run: on a terminal, one live line per running instance (bar, rate, ETA) under a
/// header; otherwise plain log lines (start, done, failure) and a progress line per instance at most
/// every 10 s — what CI logs want.
final class ProgressDisplay {
    private let tty: Bool
    private let total: Int
    private var shownLines = 0
    private var lastDraw = 0.0
    private var lastPlain: [String: Double] = [:]
    private let start = now()
    private var active: [String: (id: String, started: Double, done: Int, total: Int)] = [:]
    var completed = 0

    init(total: Int, forceTTY: Bool? = nil) {
        self.total = total
        tty = forceTTY ?? (isatty(1) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb")
    }

    func started(key: String, id: String) {
        active[key] = (id, now(), 0, 0)
        if !tty { emit("start  \(id)") }
        redraw(force: false)
    }

    func progress(key: String, done: Int, total: Int) {
        guard var a = active[key] else { return }
        a.done = done
        a.total = total
        active[key] = a
        if tty {
            redraw(force: false)
        } else if now() - (lastPlain[key] ?? a.started) >= 10 {
            lastPlain[key] = now()
            emit("       \(a.id) \(done)/\(total) \(rateAndETA(a))")
        }
    }

    /// A finished line (done, cached, failed), printed above the live block.
    func finished(key: String, line: String) {
        active[key] = nil
        lastPlain[key] = nil
        emit(line)
    }

    func message(_ line: String) { emit(line) }

    func close() {
        if tty { clearBlock() }
        fflush(nil)
    }

    private func emit(_ line: String) {
        if tty { clearBlock() }
        print(line)
        if tty { redraw(force: true) }
        fflush(nil)
    }

    private func rateAndETA(_ a: (id: String, started: Double, done: Int, total: Int)) -> String {
        let elapsed = now() - a.started
        guard a.done > 0, elapsed > 0 else { return "" }
        let rate = Double(a.done) / elapsed
        let eta = Double(a.total - a.done) / rate
        return String(format: "%.1f/s ETA %@", rate, formatDuration(eta))
    }

    private func redraw(force: Bool) {
        guard tty else { return }
        let t = now()
        guard force || t - lastDraw >= 0.1 else { return }
        lastDraw = t
        clearBlock()
        var header = "[\(completed)/\(total)] \(active.count) running, \(formatDuration(t - start)) elapsed"
        if completed > 0, completed < total { header += ", ETA \(formatDuration((t - start) / Double(completed) * Double(total - completed)))" }
        var lines = [header]
        for a in active.values.sorted(by: { $0.started < $1.started }).prefix(20) {
            let fraction = a.total > 0 ? Double(a.done) / Double(a.total) : 0
            let filled = Int(fraction * 24)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled)
            lines.append("  \(a.id.prefix(48).padding(toLength: 48, withPad: " ", startingAt: 0)) [\(bar)] \(String(format: "%3.0f%%", fraction * 100)) \(rateAndETA(a))")
        }
        print(lines.joined(separator: "\n"))
        shownLines = lines.count
        fflush(nil)
    }

    private func clearBlock() {
        guard shownLines > 0 else { return }
        print("\u{1B}[\(shownLines)A\u{1B}[J", terminator: "")
        shownLines = 0
    }
}

func now() -> Double { Date().timeIntervalSinceReferenceDate }

/// `850 ms`, `12.3 s`, `4m05s`, `2h03m`.
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
    if seconds < 60 { return String(format: "%.1f s", seconds) }
    let s = Int(seconds.rounded())
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}
