import Foundation
import PTuneLang

/// Shows training as it happens: a live progress bar on a terminal, one plain line per `log` cadence elsewhere,
/// nothing with `--quiet`. Also keeps every step's numbers for the run record's metrics CSV.
public final class TrainingReporter {
    /// How progress is shown.
    public enum Style: Equatable, Sendable {
        /// A bar redrawn in place (at most ~10 times a second), ended by a summary line.
        case bar
        /// One log line per `log:` cadence step (the same line a session without a reporter prints), and the time
        /// a block took with the messages when it ends.
        case log
        /// Nothing.
        case quiet
    }

    private let style: Style
    /// Where bars and times go (standard error: they are not output), and where log lines go (standard output).
    private let barSink: (String) -> Void
    private let logSink: (String) -> Void
    private let width: () -> Int
    /// `elapsed` of the last bar drawn, to limit redraws.
    private var lastDraw = -1.0
    /// Whether a bar is on screen and needs a newline before other output.
    public private(set) var barShowing = false
    /// Every step reported, in order.
    public private(set) var steps: [TrainProgress] = []
    /// The last report of each block, in the order blocks finished (or stopped).
    public private(set) var finals: [TrainProgress] = []
    /// The last report of the block running now, until it finishes.
    private var running: TrainProgress?
    /// How many steps the running block restored from a checkpoint (they are not timed).
    private var restored = 0
    /// The name the eval metric goes by in bars, log lines and records.
    public static let evalName = "eval"

    /// A reporter; `width` gives the terminal's width for bars.
    public init(style: Style, bar: @escaping (String) -> Void, log: @escaping (String) -> Void, width: @escaping () -> Int = { 80 }) {
        self.style = style
        self.barSink = bar
        self.logSink = log
        self.width = width
    }

    /// Takes one step's report.
    public func report(_ s: TrainProgress) {
        steps.append(s)
        if s.isRestored {
            restored = s.step
            return
        }
        running = s.isFinished ? nil : s
        if s.isFinished { finals.append(s) }
        let ran = s.step - restored
        if s.isFinished { restored = 0 }
        let metrics = s.evalMetric.map { [(name: TrainingReporter.evalName, value: $0)] } ?? []
        let label = "train " + s.name
        switch style {
        case .quiet:
            return
        case .log:
            if s.isLogStep { logSink(s.logLine) }
            // The time goes with the messages: output stays the same from run to run.
            if s.isFinished { barSink(ProgressLine.summary(label: label, step: ran, elapsed: s.elapsed) + "\n") }
        case .bar:
            guard s.isFinished || s.step == 1 || s.elapsed - lastDraw >= 0.1 else { return }
            lastDraw = s.elapsed
            let line = ProgressLine.bar(label: label, step: s.step, total: s.totalSteps, elapsed: s.elapsed, loss: s.loss,
                                        metrics: metrics, width: max(20, width() - 4), from: s.step - ran)
            barSink("\r" + line + "\u{1B}[K" + (s.isFinished ? "\n" : ""))
            barShowing = !s.isFinished
        }
    }

    /// Ends a bar left on screen by a block that stopped without a final report (an error, Ctrl-C); such a block's
    /// last step counts as its final one.
    public func finishLine() {
        if let s = running {
            finals.append(s)
            running = nil
            restored = 0
        }
        guard barShowing else { return }
        barSink("\n")
        barShowing = false
    }

    /// Every step as CSV: `block,step,epoch,loss,eval_name,eval,lr` — numbers in their shortest exact form, so equal
    /// runs give byte-identical files (a resumed block's restored steps included).
    public var metricsCSV: String {
        var out = "block,step,epoch,loss,eval_name,eval,lr\n"
        for s in steps {
            out += [TrainingReporter.csvField(s.name), String(s.step), String(s.epoch), String(s.loss),
                    s.evalMetric == nil ? "" : TrainingReporter.evalName, s.evalMetric.map { String($0) } ?? "",
                    s.learningRate.map { String($0) } ?? ""].joined(separator: ",") + "\n"
        }
        return out
    }

    /// Forgets the steps kept so far (`:reset`).
    public func clear() {
        steps.removeAll()
        finals.removeAll()
        running = nil
        restored = 0
    }

    /// A CSV field, quoted when it holds a comma, quote or newline.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
