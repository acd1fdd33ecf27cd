import Foundation
import PTuneCore
import PTuneLang

/// The ptune language server: the Language Server Protocol over a pair of file descriptors (standard input and
/// output, for `ptune lsp`). A thread reads messages into a queue; this loop handles them one at a time and, once
/// the queue is empty, checks the documents that changed and publishes their diagnostics — so a burst of typing
/// is checked once, and a request is answered against the text as it is when the request is handled.
public final class LanguageServer {
    /// Where the server is in the protocol's life cycle.
    enum State {
        /// Waiting for `initialize`.
        case uninitialized
        /// Answering requests.
        case running
        /// After `shutdown`: waiting for `exit`.
        case shutDown
    }

    let writer: MessageWriter
    let queue = MessageQueue()
    /// The session options scripts are checked with (file access, `--set`), as for `ptune check`.
    let options: SessionOptions
    let version: String
    var state = State.uninitialized
    var client = ClientCapabilities()
    /// The open documents, by URI.
    var documents: [String: Document] = [:]
    /// The exit status, once `exit` came.
    var exitStatus: Int32?
    /// The URIs whose last published diagnostics were not empty (a closed document's are cleared).
    var diagnosed: Set<String> = []

    /// A server checking scripts with `options`, writing each framed message with `write`.
    public convenience init(options: SessionOptions, version: String, write: @escaping ([UInt8]) -> Void) {
        self.init(options: options, version: version, writer: MessageWriter(write: write))
    }

    /// A server checking scripts with `options`, writing to file descriptor `output`.
    public convenience init(options: SessionOptions, version: String, output: Int32) {
        let writer = MessageWriter(fileDescriptor: output)
        self.init(options: options, version: version, writer: writer)
    }

    init(options: SessionOptions, version: String, writer: MessageWriter) {
        self.options = options
        self.version = version
        self.writer = writer
    }

    /// Serves messages read from file descriptor `input` until `exit` (or the end of the input), and returns the
    /// exit status the protocol prescribes: 0 when `shutdown` came first, 1 otherwise.
    public func run(input: Int32) -> Int32 {
        let queue = self.queue
        let reading = Thread {
            let reader = MessageReader(fileDescriptor: input)
            LanguageServer.read(reader, into: queue)
        }
        reading.stackSize = 1 << 20
        reading.start()
        return serve()
    }

    /// The reading thread: frames become messages in the queue; cancellations take effect at once.
    static func read(_ reader: MessageReader, into queue: MessageQueue) {
        while true {
            switch reader.next() {
            case .end:
                queue.push(.end)
                return
            case let .malformed(why):
                queue.push(.invalid(id: nil, ResponseError(.parseError, "malformed message: \(why)")))
            case let .body(bytes):
                let message = IncomingMessage(body: bytes)
                if case let .notification(method, params) = message, method == NotificationMethod.cancelRequest.rawValue {
                    if let id = RequestID(params["id"]) { queue.cancel(id) }
                    continue
                }
                queue.push(message)
            }
        }
    }

    /// The loop: one message at a time; diagnostics when nothing waits.
    func serve() -> Int32 {
        while true {
            let message = queue.pop()
            if case .end = message { return state == .shutDown ? 0 : 1 }
            handle(message)
            if let exitStatus { return exitStatus }
            if queue.isEmpty { publishDiagnostics() }
        }
    }

    /// Handles one message: answers a request (with its result or an error), acts on a notification.
    func handle(_ message: IncomingMessage) {
        switch message {
        case let .request(id, method, params):
            do throws(ResponseError) {
                writer.respond(id, result: try answer(method, params))
            } catch {
                writer.respond(id, error: error)
            }
        case let .notification(method, params):
            do throws(ResponseError) { try notice(method, params) } catch { log("\(method): \(error.message)") }
        case let .invalid(id, error):
            writer.respond(id, error: error)
        case .response, .end:
            break
        }
    }

    /// The result of request `method`.
    func answer(_ method: String, _ params: JSONValue) throws(ResponseError) -> JSONValue {
        switch state {
        case .uninitialized where method != RequestMethod.initialize.rawValue:
            throw ResponseError(.serverNotInitialized, "'\(method)' before 'initialize'")
        case .shutDown:
            throw ResponseError(.invalidRequest, "'\(method)' after 'shutdown' (only 'exit' is accepted)")
        case .running where method == RequestMethod.initialize.rawValue:
            throw ResponseError(.invalidRequest, "'initialize' was already sent")
        case .uninitialized, .running:
            break
        }
        guard let request = RequestMethod(rawValue: method) else {
            throw ResponseError(.methodNotFound, "no method '\(method)'")
        }
        switch request {
        case .initialize: return initialize(params)
        case .shutdown:
            state = .shutDown
            return .null
        case .completion: return try complete(params)
        case .resolveCompletion: return resolveCompletion(params)
        case .hover: return try hover(params)
        case .definition: return try definition(params)
        case .documentSymbol: return try documentSymbols(params)
        }
    }

    /// Acts on notification `method`. Before `initialize` and after `shutdown`, only `exit` counts.
    func notice(_ method: String, _ params: JSONValue) throws(ResponseError) {
        guard let notification = NotificationMethod(rawValue: method) else { return }
        if notification == .exit {
            exitStatus = state == .shutDown ? 0 : 1
            return
        }
        guard state == .running else { return }
        switch notification {
        case .initialized, .exit, .cancelRequest: break
        case .didOpen: try open(params)
        case .didChange: try change(params)
        case .didClose: try close(params)
        case .didSave, .didChangeWatchedFiles: filesChanged(params)
        }
    }

    // MARK: - Life cycle

    /// `initialize`: agrees on the position encoding, reads what the client renders, and says what the server
    /// offers.
    func initialize(_ params: JSONValue) -> JSONValue {
        client = ClientCapabilities(params)
        state = .running
        // The builtins are built on first use; build them now, beside the loop, so the first check does not wait.
        Thread.detachNewThread { _ = BuiltinRegistry.standard }
        let capabilities: JSONValue = .object([
            "positionEncoding": .string(client.encoding.rawValue),
            "textDocumentSync": .object([
                "openClose": .bool(true),
                "change": .int(2),
                "save": .object(["includeText": .bool(false)]),
            ]),
            "completionProvider": .object([
                "triggerCharacters": .array([".", "(", ",", "\"", "/"].map(JSONValue.string)),
                "resolveProvider": .bool(true),
            ]),
            "hoverProvider": .bool(true),
            "definitionProvider": .bool(true),
            "documentSymbolProvider": .bool(true),
        ])
        return .object([
            "capabilities": capabilities,
            "serverInfo": .object(["name": .string("ptune"), "version": .string(version)]),
        ])
    }

    /// Tells the client something went wrong with a notification (which has no answer to carry an error).
    func log(_ message: String) {
        writer.notify(ServerNotification.logMessage.rawValue, .object(["type": .int(1), "message": .string("ptune: " + message)]))
    }
}
