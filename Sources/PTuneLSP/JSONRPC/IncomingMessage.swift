import PTuneCore

/// One message from the client, as JSON-RPC 2.0 defines them.
enum IncomingMessage: Sendable {
    /// A request: it must be answered with a result or an error.
    case request(id: RequestID, method: String, params: JSONValue)
    /// A notification: no answer.
    case notification(method: String, params: JSONValue)
    /// An answer to a request the server sent (the server sends none, so these are ignored).
    case response(id: RequestID?)
    /// A message that could not be read: answered with an error (with its id when it had one, else `null`).
    case invalid(id: RequestID?, ResponseError)
    /// The input ended.
    case end

    /// The message one frame's body holds.
    init(body: [UInt8]) {
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch {
            self = .invalid(id: nil, ResponseError(.parseError, "the message is not valid JSON: \(error)"))
            return
        }
        self.init(json: json)
    }

    /// The message a parsed JSON value is.
    init(json: JSONValue) {
        guard case let .object(members) = json else {
            self = .invalid(id: nil, ResponseError(.invalidRequest, "a message must be a JSON object (batches are not supported)"))
            return
        }
        let id = RequestID(members["id"])
        if let v = members["jsonrpc"], v != .string("2.0") {
            self = .invalid(id: id, ResponseError(.invalidRequest, "'jsonrpc' must be \"2.0\""))
            return
        }
        guard let methodValue = members["method"] else {
            if members["result"] != nil || members["error"] != nil {
                self = .response(id: id)
            } else {
                self = .invalid(id: id, ResponseError(.invalidRequest, "the message has no 'method'"))
            }
            return
        }
        guard case let .string(method) = methodValue else {
            self = .invalid(id: id, ResponseError(.invalidRequest, "'method' must be a string"))
            return
        }
        let params = members["params"] ?? .null
        switch params {
        case .object, .array, .null: break
        case .bool, .int, .double, .string:
            self = .invalid(id: id, ResponseError(.invalidRequest, "'params' must be an object or an array"))
            return
        }
        if members["id"] != nil {
            guard let id else {
                self = .invalid(id: nil, ResponseError(.invalidRequest, "'id' must be a number or a string"))
                return
            }
            self = .request(id: id, method: method, params: params)
        } else {
            self = .notification(method: method, params: params)
        }
    }
}
