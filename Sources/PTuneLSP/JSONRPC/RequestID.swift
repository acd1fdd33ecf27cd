import PTuneCore

/// The id of a JSON-RPC request: a number or a string, echoed in its response.
enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case number(Int)
    case string(String)

    /// The id a JSON value holds, or nil when it is neither a number nor a string.
    init?(_ json: JSONValue?) {
        switch json {
        case let .int(i)?: self = .number(i)
        case let .string(s)?: self = .string(s)
        case let .double(d)? where d == d.rounded() && Swift.abs(d) < 9.0e15: self = .number(Int(d))
        case .null?, .bool?, .double?, .array?, .object?, nil: return nil
        }
    }

    /// The id as JSON.
    var json: JSONValue {
        switch self {
        case let .number(i): return .int(i)
        case let .string(s): return .string(s)
        }
    }

    var description: String {
        switch self {
        case let .number(i): return String(i)
        case let .string(s): return "\"\(s)\""
        }
    }
}
