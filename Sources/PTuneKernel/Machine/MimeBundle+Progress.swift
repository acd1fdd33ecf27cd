import Foundation
import PTuneLang
import PTuneRun

extension MimeBundle {
    /// A training block's progress: the terminal's bar as text, and an HTML progress bar with the same figures.
    public static func progress(_ p: TrainProgress) -> MimeBundle {
        let metrics = p.evalMetric.map { [(name: TrainingReporter.evalName, value: $0)] } ?? []
        let label = "train " + p.name
        let bar = ProgressLine.bar(label: label, step: p.step, total: p.totalSteps, elapsed: p.elapsed, loss: p.loss,
                                   metrics: metrics, width: 100)
        let line = label + "  " + p.logLine + "  (" + String(format: "%.1fs", p.elapsed) + ")"
        let html = "<div class=\"ptune-progress\"><progress value=\"\(p.step)\" max=\"\(max(p.totalSteps, 1))\" "
            + "style=\"width:16em;vertical-align:middle\"></progress> <code>\(escape(line))</code></div>"
        return MimeBundle(plain: bar, html: html)
    }
}
