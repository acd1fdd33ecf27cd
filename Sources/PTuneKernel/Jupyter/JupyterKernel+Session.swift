import Foundation

/// What the session says, turned into Jupyter messages.
extension JupyterKernel {
    /// Reads the session's events; restarts the session when it ended.
    func machineOutput() {
        for event in machine.receive() { handle(event) }
        if machine.ended { sessionEnded() }
    }

    /// One event of the session.
    func handle(_ event: MachineEvent) {
        switch event {
        case .ready:
            return
        case .protocolError(let message):
            FileHandle.standardError.write(Data("ptune kernel: the session did not understand a request: \(message)\n".utf8))
            return
        case .stream, .display, .progress, .error, .done, .completions, .inspection, .completeness:
            break
        }
        guard var flight = current, eventID(event) == flight.id else { return }
        let parent = flight.pending.message
        switch event {
        case let .stream(_, name, text):
            if !flight.silent { publish("stream", StreamContent(name: name.rawValue, text: text), parent: parent) }
        case let .display(_, data, result):
            guard !flight.silent else { return }
            if result {
                publish("execute_result", DisplayContent(data: data, executionCount: flight.count), parent: parent)
            } else {
                publish("display_data", DisplayContent(data: data), parent: parent)
            }
        case let .progress(_, display, data, update):
            guard !flight.silent else { return }
            publish(update ? "update_display_data" : "display_data", DisplayContent(data: data, transient: .init(displayID: display)), parent: parent)
        case let .error(_, error):
            flight.error = error
            current = flight
            if !flight.silent { publish("error", JupyterKernel.errorContent(error), parent: parent) }
        case let .done(_, status):
            let reply: ExecuteReply
            if status == .ok {
                reply = ExecuteReply(status: "ok", executionCount: flight.count)
            } else {
                let e = JupyterKernel.errorContent(flight.error ?? MachineError(kind: .runtime, summary: "error", diagnostics: [], text: "error", ansi: "error"))
                reply = ExecuteReply(status: "error", executionCount: flight.count, ename: e.ename, evalue: e.evalue, traceback: e.traceback)
            }
            finish(reply)
            if status != .ok && flight.stopOnError { abortQueuedCells() }
            dispatch()
        case let .completions(_, matches, start, end):
            finish(CompleteReply(matches: matches, cursorStart: start, cursorEnd: end))
            dispatch()
        case let .inspection(_, data):
            finish(InspectReply(found: data != nil, data: data))
            dispatch()
        case let .completeness(_, status, indent):
            finish(IsCompleteReply(status: status.rawValue, indent: indent))
            dispatch()
        case .ready, .protocolError:
            return
        }
    }

    /// Replies to the request in flight with `content`, then says the kernel is idle.
    func finish<C: Encodable>(_ content: C) {
        guard let flight = current else { return }
        current = nil
        reply(flight.pending, content, on: shell)
        status("idle", parent: flight.pending.message)
    }

    /// After a failed cell, the cells queued behind it do not run (Jupyter's stop_on_error).
    func abortQueuedCells() {
        let aborted = queue.filter { $0.type == .execute }
        queue.removeAll { $0.type == .execute }
        for p in aborted {
            status("busy", parent: p.message)
            reply(p, AbortedReply(executionCount: executionCount), on: shell)
            status("idle", parent: p.message)
        }
    }

    /// The session process ended on its own (a crash, a kill): the cell it ran fails with the reason, and a new,
    /// empty session takes its place.
    func sessionEnded() {
        let how = machine.reap()
        let text = "the ptune session ended (\(how)); a new, empty session started: run the notebook's cells again"
        FileHandle.standardError.write(Data("ptune kernel: \(text)\n".utf8))
        do {
            machine = try MachineClient(executable: executable, arguments: machineArguments)
        } catch {
            FileHandle.standardError.write(Data("ptune kernel: \(error)\n".utf8))
            running = false
        }
        guard let flight = current else { return }
        let error = MachineError(kind: .runtime, summary: "error: " + text, diagnostics: [], text: "error: " + text, ansi: "error: " + text)
        switch flight.pending.type {
        case .execute:
            handle(.error(id: flight.id, error: error))
            handle(.done(id: flight.id, status: .error))
        case .complete, .inspect, .isComplete, .kernelInfo, .commInfo, .history, .interrupt, .shutdown:
            current = nil
            reply(flight.pending, ErrorContentReply(ename: "SessionEnded", evalue: text), on: shell)
            status("idle", parent: flight.pending.message)
            dispatch()
        }
    }

    /// The request an event answers.
    func eventID(_ event: MachineEvent) -> String? {
        switch event {
        case let .stream(id, _, _), let .display(id, _, _), let .progress(id, _, _, _), let .error(id, _), let .done(id, _),
             let .completions(id, _, _, _), let .inspection(id, _), let .completeness(id, _, _):
            return id
        case .ready, .protocolError:
            return nil
        }
    }

    /// Jupyter's error fields: the kind as the exception name, the first message as its value, and the whole
    /// located report (coloured, with source lines and carets) as the traceback.
    static func errorContent(_ e: MachineError) -> ErrorContent {
        ErrorContent(ename: e.kind.exceptionName, evalue: e.summary, traceback: e.ansi.components(separatedBy: "\n"))
    }
}

/// `execute_reply` of a cell that did not run because an earlier one failed.
struct AbortedReply: Encodable {
    var status = "aborted"
    var executionCount: Int
    private enum CodingKeys: String, CodingKey { case status; case executionCount = "execution_count" }
}
