import Foundation
import PTuneLang
import PTuneREPL
import PTuneRun
import Synchronization

/// Shows what a cell produces as machine events: printed text as `stream` events (gathered for up to 0.1 s, so a
/// loop that prints thousands of lines sends a few events), values, tables and charts as `display` events with
/// MIME bundles, failures as `error` events with located diagnostics, and training progress as one `progress`
/// display per `train` block, updated in place at most five times a second.
final class MachinePresenter: EntryPresenter, Sendable {
    private struct Progress {
        var display: String
        var last: TrainProgress
        var shownAt: Double
        var shownStep: Int
    }

    private struct State {
        var id = ""
        var pending: [(name: MachineEvent.StreamName, text: String)] = []
        var lastFlush: UInt64 = 0
        var flushScheduled = false
        var progress: Progress?
        var displays = 0
    }

    /// How long printed text may wait to be sent with more, in nanoseconds.
    static let streamDelay: UInt64 = 100_000_000
    /// The least time between two updates of a progress display, in seconds.
    static let progressInterval = 0.2

    private let output: MachineOutput
    private let inbox: MachineInbox
    private let cancellation: CancellationFlag
    private let state = Mutex(State())

    /// A presenter writing to `output`; `inbox` tells it about interrupts that arrived before an entry started,
    /// which it passes on to `cancellation`.
    init(output: MachineOutput, inbox: MachineInbox, cancellation: CancellationFlag) {
        self.output = output
        self.inbox = inbox
        self.cancellation = cancellation
    }

    /// Events from now on answer request `id`.
    func begin(_ id: String) {
        state.withLock { s in
            s.id = id
            s.progress = nil
        }
    }

    /// Sends what is pending, then `event` (built for the current request).
    func emit(_ make: (String) -> MachineEvent) {
        state.withLock { s in
            flush(&s)
            output.emit(make(s.id))
        }
    }

    /// Text printed by the cell, on `name`.
    func stream(_ name: MachineEvent.StreamName, _ text: String) {
        let scheduleFlush: Bool = state.withLock { s in
            if let last = s.pending.last, last.name == name {
                s.pending[s.pending.count - 1].text += text
            } else {
                s.pending.append((name, text))
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if now - s.lastFlush >= MachinePresenter.streamDelay && !s.flushScheduled {
                flush(&s)
                return false
            }
            guard !s.flushScheduled else { return false }
            s.flushScheduled = true
            return true
        }
        guard scheduleFlush else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(MachinePresenter.streamDelay))) { [self] in
            state.withLock { s in
                s.flushScheduled = false
                flush(&s)
            }
        }
    }

    /// Sends pending text (the lock is held).
    private func flush(_ s: inout State) {
        for piece in s.pending { output.emit(.stream(id: s.id, name: piece.name, text: piece.text)) }
        s.pending.removeAll()
        s.lastFlush = DispatchTime.now().uptimeNanoseconds
    }

    /// One training step's report: a log line at the block's `log:` cadence, and the progress display. The steps a
    /// resumed block restores from its checkpoint are not shown again.
    func progress(_ p: TrainProgress) {
        guard !p.isRestored else { return }
        if p.isLogStep { stream(.stdout, p.logLine + "\n") }
        let show: (display: String, update: Bool)? = state.withLock { s in
            if var current = s.progress, current.last.name == p.name, !current.last.isFinished, p.step > current.last.step {
                current.last = p
                defer { s.progress = current }
                guard p.isFinished || p.elapsed - current.shownAt >= MachinePresenter.progressInterval else { return nil }
                current.shownAt = p.elapsed
                current.shownStep = p.step
                return (current.display, true)
            }
            s.displays += 1
            let display = "ptune-progress-\(ProcessInfo.processInfo.processIdentifier)-\(s.displays)"
            s.progress = Progress(display: display, last: p, shownAt: p.elapsed, shownStep: p.step)
            return (display, false)
        }
        guard let show else { return }
        emit { .progress(id: $0, display: show.display, data: .progress(p), update: show.update) }
    }

    /// A progress display left behind an update (an interrupt stopped its block) is brought up to where the block
    /// stopped, and closed.
    func closeProgress() {
        let stale: (String, TrainProgress)? = state.withLock { s in
            defer { s.progress = nil }
            guard let p = s.progress, p.shownStep != p.last.step else { return nil }
            return (p.display, p.last)
        }
        if let (display, last) = stale {
            emit { .progress(id: $0, display: display, data: .progress(last), update: true) }
        }
    }

    /// The request is answered: pending text goes out.
    func end() {
        closeProgress()
        state.withLock { flush(&$0) }
    }

    // MARK: - EntryPresenter

    func present(_ output: EntryOutput) {
        switch output {
        case .value(let v): emit { .display(id: $0, data: .value(v), result: true) }
        case .variables(let rows): emit { .display(id: $0, data: .variables(rows), result: false) }
        case .text(let text): stream(.stdout, text + "\n")
        case .note(let text): stream(.stderr, text + "\n")
        case .failure(let failure, let file):
            let error = MachinePresenter.error(failure, in: file)
            emit { .error(id: $0, error: error) }
        case .commandError(let text):
            emit { .error(id: $0, error: MachineError(kind: .command, summary: text, diagnostics: [], text: text, ansi: text)) }
        }
    }

    func entryWillRun() {
        // An interrupt that arrived while the cell was queued or between its entries still stops it.
        if inbox.isInterrupted { cancellation.cancel() }
    }

    func entryDidEnd() { closeProgress() }

    func sessionDidReset() {}

    /// The machine form of a failure: its kind, every diagnostic located (an unfinished input at the bracket left
    /// open), and the terminal's rendering with and without colours.
    static func error(_ failure: RunFailure, in file: SourceFile?) -> MachineError {
        let kind: MachineError.Kind
        switch failure {
        case .incomplete, .syntax: kind = .syntax
        case .check: kind = .check
        case .runtime: kind = failure.isInterruption ? .interrupted : .runtime
        }
        let located = failure.located(in: file)
        let text = failure.rendered(color: false, in: file)
        let summary = located.first.map(\.headline) ?? (text.split(separator: "\n").first.map(String.init) ?? text)
        return MachineError(kind: kind, summary: summary, diagnostics: located.map(MachineDiagnostic.init), text: text,
                            ansi: failure.rendered(color: true, in: file))
    }
}
