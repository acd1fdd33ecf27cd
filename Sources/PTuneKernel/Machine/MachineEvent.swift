/// What `ptune machine` writes: one JSON object per line on its standard output, with an `event` and the `id` of
/// the request it answers. An execute request gets any number of `stream`, `display`, `progress` and `error`
/// events, then exactly one `done`; the other requests get exactly one answer.
///
///     {"event": "stream", "id": "1", "name": "stdout", "text": "4\n"}
///     {"event": "display", "id": "1", "data": {"text/plain": "…", "text/html": "…"}, "result": true}
///     {"event": "progress", "id": "1", "display": "train-1", "data": {…}, "update": true}
///     {"event": "error", "id": "1", "error": {"kind": "check", "diagnostics": [{"line": 2, …}], …}}
///     {"event": "done", "id": "1", "status": "error"}
public enum MachineEvent: Equatable, Sendable {
    /// The session is ready for requests (the first line, before any request is read).
    case ready(version: String)
    /// Text printed by the cell (`print`, log lines) or a note about it.
    case stream(id: String, name: StreamName, text: String)
    /// A result to show: a bare expression's value (`result`), or a chart, a table, a command's answer.
    case display(id: String, data: MimeBundle, result: Bool)
    /// Training progress: the first event of a `display` shows it, later ones with `update` replace it in place.
    case progress(id: String, display: String, data: MimeBundle, update: Bool)
    /// Why the cell failed, with located diagnostics.
    case error(id: String, error: MachineError)
    /// The cell ended.
    case done(id: String, status: ExecutionStatus)
    /// Completions: candidates replacing the code from `start` to `end` (code points).
    case completions(id: String, matches: [String], start: Int, end: Int)
    /// What the code at the cursor is, or nil when it names nothing.
    case inspection(id: String, data: MimeBundle?)
    /// Whether code is complete, and the indent for its next line when it is not.
    case completeness(id: String, status: Completeness, indent: String)
    /// A request line that could not be read.
    case protocolError(message: String)

    /// The output streams.
    public enum StreamName: String, Codable, Sendable {
        case stdout, stderr
    }

    /// How a cell ended.
    public enum ExecutionStatus: String, Codable, Sendable {
        /// It ran to the end.
        case ok
        /// It failed (an `error` event said why).
        case error
        /// An interrupt stopped it (an `error` event of kind `interrupted` said where).
        case interrupted
    }

    /// Whether some code can run as it is.
    public enum Completeness: String, Codable, Sendable {
        /// It is a whole statement (or has errors that more lines cannot fix).
        case complete
        /// It stops inside a statement: more lines are needed.
        case incomplete
        /// It has syntax errors.
        case invalid
    }

    /// The event names, as the `event` field spells them.
    enum Name: String, Codable {
        case ready, stream, display, progress, error, done, completions, inspection, completeness
        case protocolError = "protocol_error"
    }
}

extension MachineEvent: Codable {
    /// Every field any event has; each event sets its own.
    private struct Wire: Codable {
        var event: Name
        var id: String?
        var version: String?
        var name: StreamName?
        var text: String?
        var data: MimeBundle?
        var result: Bool?
        var display: String?
        var update: Bool?
        var error: MachineError?
        var status: String?
        var matches: [String]?
        var start: Int?
        var end: Int?
        var found: Bool?
        var indent: String?
        var message: String?

        init(_ event: Name, id: String? = nil) {
            self.event = event
            self.id = id
        }
    }

    /// A required field that was missing.
    private static func missing(_ field: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "missing '\(field)'"))
    }

    public init(from decoder: Decoder) throws {
        let w = try Wire(from: decoder)
        func need<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else { throw MachineEvent.missing(field) }
            return value
        }
        let id = w.id ?? ""
        switch w.event {
        case .ready: self = .ready(version: w.version ?? "")
        case .stream: self = .stream(id: id, name: try need(w.name, "name"), text: try need(w.text, "text"))
        case .display: self = .display(id: id, data: try need(w.data, "data"), result: w.result ?? false)
        case .progress:
            self = .progress(id: id, display: try need(w.display, "display"), data: try need(w.data, "data"), update: w.update ?? false)
        case .error: self = .error(id: id, error: try need(w.error, "error"))
        case .done:
            self = .done(id: id, status: try need(w.status.flatMap(ExecutionStatus.init(rawValue:)), "status"))
        case .completions:
            self = .completions(id: id, matches: try need(w.matches, "matches"), start: try need(w.start, "start"), end: try need(w.end, "end"))
        case .inspection: self = .inspection(id: id, data: w.found == true ? try need(w.data, "data") : nil)
        case .completeness:
            self = .completeness(id: id, status: try need(w.status.flatMap(Completeness.init(rawValue:)), "status"), indent: w.indent ?? "")
        case .protocolError: self = .protocolError(message: w.message ?? "")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var w: Wire
        switch self {
        case let .ready(version):
            w = Wire(.ready)
            w.version = version
        case let .stream(id, name, text):
            w = Wire(.stream, id: id)
            (w.name, w.text) = (name, text)
        case let .display(id, data, result):
            w = Wire(.display, id: id)
            (w.data, w.result) = (data, result)
        case let .progress(id, display, data, update):
            w = Wire(.progress, id: id)
            (w.display, w.data, w.update) = (display, data, update)
        case let .error(id, error):
            w = Wire(.error, id: id)
            w.error = error
        case let .done(id, status):
            w = Wire(.done, id: id)
            w.status = status.rawValue
        case let .completions(id, matches, start, end):
            w = Wire(.completions, id: id)
            (w.matches, w.start, w.end) = (matches, start, end)
        case let .inspection(id, data):
            w = Wire(.inspection, id: id)
            (w.found, w.data) = (data != nil, data)
        case let .completeness(id, status, indent):
            w = Wire(.completeness, id: id)
            (w.status, w.indent) = (status.rawValue, indent)
        case let .protocolError(message):
            w = Wire(.protocolError)
            w.message = message
        }
        try w.encode(to: encoder)
    }
}
