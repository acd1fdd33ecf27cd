import Foundation

/// The text of one training progress report: a bar for terminals, a closing summary for pipes. Pure functions of the
/// numbers, so they are tested without a terminal.
public enum ProgressLine {
    /// Eighths of a block, for a bar that moves smoothly.
    private static let partials: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// `train pe ▕█████▌    ▏ 420/1000 12.1s<17.0s 34.7 steps/s loss 0.4312 accuracy 0.8125`, fitted into `width`
    /// columns (the metrics are dropped first, then the bar narrows). `from` is the step the timing started at (a
    /// resumed block's first).
    public static func bar(label: String, step: Int, total: Int?, elapsed: Double, loss: Double?,
                           metrics: [(name: String, value: Double)], width: Int, from: Int = 0) -> String {
        let rate = elapsed > 0 ? Double(step - from) / elapsed : 0
        var stats = total.map { "\(step)/\($0)" } ?? "step \(step)"
        if let total, step > 0, rate > 0 {
            stats += " " + duration(elapsed) + "<" + duration(Double(max(0, total - step)) / rate)
        } else {
            stats += " " + duration(elapsed)
        }
        if rate > 0 { stats += " " + String(format: rate >= 100 ? "%.0f" : "%.1f", rate) + " steps/s" }
        var values = loss.map { "loss " + number($0) } ?? ""
        for m in metrics { values += (values.isEmpty ? "" : " ") + m.name + " " + number(m.value) }
        let available = width - label.count - stats.count - (values.isEmpty ? 0 : values.count + 1) - 4
        var barWidth = min(30, available)
        if barWidth < 8 {
            values = ""
            barWidth = min(30, width - label.count - stats.count - 4)
        }
        var line = label
        if let total, total > 0, barWidth >= 5 {
            line += " ▕" + blocks(fraction: Double(step) / Double(total), width: barWidth) + "▏"
        }
        line += " " + stats
        if !values.isEmpty { line += " " + values }
        return String(line.prefix(max(width, 1)))
    }

    /// `train pe: 1000 steps in 34.1s (29.3 steps/s)` — how long a block took, for the messages.
    public static func summary(label: String, step: Int, elapsed: Double) -> String {
        var line = label + ": \(step) step\(step == 1 ? "" : "s") in " + duration(elapsed)
        if elapsed > 0, step > 0 {
            let rate = Double(step) / elapsed
            line += " (" + String(format: rate >= 100 ? "%.0f" : "%.1f", rate) + " steps/s)"
        }
        return line
    }

    /// A bar `width` cells wide filled to `fraction`.
    static func blocks(fraction: Double, width: Int) -> String {
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let eighths = Int((f * Double(width * 8)).rounded(.down))
        let full = eighths / 8, part = eighths % 8
        var s = String(repeating: "█", count: full)
        if full < width { s.append(partials[part]); s += String(repeating: " ", count: width - full - 1) }
        return s
    }

    /// Seconds as `4.2s`, `3:07` or `1:02:03`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%d:%02d", s / 60, s % 60) }
        return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }

    /// A metric value with 4 significant decimals, scientific when tiny or huge.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        let a = abs(v)
        if a != 0 && (a < 1e-3 || a >= 1e6) { return String(format: "%.3e", v) }
        return String(format: "%.4f", v)
    }
}
