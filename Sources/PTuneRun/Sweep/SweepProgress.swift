import Foundation

/// The progress line of a whole sweep, on standard error: on a terminal one line redrawn in place
/// (`sweep ▕████▌   ▏ 5/12  2 running  1 failed  1m02s<1m30s`), elsewhere one line per point that ends.
struct SweepProgress {
    /// Points in the sweep (or the part of it run now).
    let total: Int
    let console: Console
    let quiet: Bool
    let live: Bool
    /// Points skipped because they had finished before.
    var skipped = 0
    /// Points that finished now.
    var done = 0
    /// Points that failed now.
    var failed = 0
    /// Points running.
    var running = 0
    /// Seconds each point that finished now took.
    private var durations: [Double] = []
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(total: Int, console: Console, quiet: Bool) {
        self.total = total
        self.console = console
        self.quiet = quiet
        live = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Says how many points are already done before any runs.
    mutating func start() {
        guard !quiet else { return }
        if !live { console.err("sweep: \(total) point\(total == 1 ? "" : "s"), \(skipped) finished before, \(total - skipped) to run\n") }
        redraw(force: true)
    }

    /// A line about one point, above the live line.
    mutating func note(_ text: String) {
        guard !quiet else { return }
        clear()
        console.err("sweep: " + text + "\n")
        redraw(force: true)
    }

    /// A point finished.
    mutating func finished(_ name: String, seconds: Double, loss: Double?) {
        done += 1
        durations.append(seconds)
        let lossText = loss.map { ", loss " + String(format: "%.4f", $0) } ?? ""
        if !live { note("\(counted) \(name) done in \(ProgressLine.duration(seconds))\(lossText)") } else { redraw(force: true) }
    }

    /// A point failed.
    mutating func failedPoint(_ name: String, _ why: String) {
        failed += 1
        note("\(counted) \(name) failed (\(why))")
    }

    /// `[5/12]`: points accounted for so far.
    private var counted: String { "[\(skipped + done + failed)/\(total)]" }

    /// Redraws the live line (at most four times a second unless forced).
    mutating func redraw(force: Bool = false) {
        guard live, force || Date().timeIntervalSince(lastDraw) >= 0.25 else { return }
        lastDraw = Date()
        let finished = skipped + done + failed
        let elapsed = Date().timeIntervalSince(started)
        var line = "sweep ▕" + ProgressLine.blocks(fraction: total == 0 ? 1 : Double(finished) / Double(total), width: 20) + "▏"
            + " \(finished)/\(total)  \(running) running"
        if skipped > 0 { line += "  \(skipped) skipped" }
        if failed > 0 { line += "  \(failed) failed" }
        line += "  " + ProgressLine.duration(elapsed)
        if let eta = eta() { line += "<" + ProgressLine.duration(eta) }
        console.err("\r" + line + "\u{1B}[K")
        drawn = true
    }

    /// The time left: the mean time of a point so far, times the points left, over the points that run at once.
    private func eta() -> Double? {
        guard !durations.isEmpty else { return nil }
        let left = total - skipped - done - failed
        let mean = durations.reduce(0, +) / Double(durations.count)
        return mean * Double(left) / Double(max(1, running))
    }

    /// Clears the live line before other text.
    private mutating func clear() {
        guard live, drawn else { return }
        console.err("\r\u{1B}[K")
        drawn = false
    }

    /// The closing line.
    mutating func end(out: String, interrupted: Bool) {
        guard !quiet else { return }
        redraw(force: true)
        clear()
        var line = "sweep: \(done) ran, \(skipped) finished before"
        if failed > 0 { line += ", \(failed) failed" }
        let left = total - skipped - done - failed
        if left > 0 { line += ", \(left) not run" + (interrupted ? " (stopped)" : "") }
        console.err(line + "; records in \(out)\n")
    }
}
