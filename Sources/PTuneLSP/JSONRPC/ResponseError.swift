import PTuneCore

/// The error codes of JSON-RPC and of the Language Server Protocol that the server answers with.
enum ErrorCode: Int, Sendable {
    /// The message is not valid JSON, or its header is malformed.
    case parseError = -32700
    /// The JSON is not a request, a notification or a response.
    case invalidRequest = -32600
    /// No such method.
    case methodNotFound = -32601
    /// The parameters do not have the shape the method needs.
    case invalidParams = -32602
    /// A request other than `initialize` came first.
    case serverNotInitialized = -32002
    /// The client cancelled the request before it was answered.
    case requestCancelled = -32800
}

/// An error answer to a request: its code and a message saying what was wrong.
struct ResponseError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is.
    var code: ErrorCode
    /// A lowercase sentence naming the problem.
    var message: String

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The `error` member of a response.
    var json: JSONValue { .object(["code": .int(code.rawValue), "message": .string(message)]) }

    var description: String { "\(message) (\(code.rawValue))" }

    /// Parameters without the member `name` (or with one of the wrong kind), described for the client.
    static func missing(_ name: String, _ what: String) -> ResponseError {
        ResponseError(.invalidParams, "the parameters need '\(name)' (\(what))")
    }
}
