/// A request to `ptune machine`: one JSON object per line on its standard input, with an `op` and the fields that
/// operation takes. Offsets into `code` count Unicode code points (as Jupyter's do).
///
///     {"op": "execute", "id": "1", "code": "let x = randn(2, 3)\nx", "cell": 1}
///     {"op": "complete", "id": "2", "code": "x.sh", "cursor": 4}
///     {"op": "inspect", "id": "3", "code": "x", "cursor": 1, "detail": 0}
///     {"op": "is_complete", "id": "4", "code": "for i in 1..3 {"}
///     {"op": "interrupt"}
///     {"op": "shutdown"}
public enum MachineRequest: Equatable, Sendable {
    /// Run a cell; `cell` (its execution count) names it in diagnostics as `<cell:N>`.
    case execute(id: String, code: String, cell: Int?)
    /// Completions for the word before `cursor`.
    case complete(id: String, code: String, cursor: Int)
    /// What the word at `cursor` is; `detail` above 0 shows values in full.
    case inspect(id: String, code: String, cursor: Int, detail: Int)
    /// Whether `code` is a complete statement or needs more lines.
    case isComplete(id: String, code: String)
    /// Stop the running cell at the next step boundary (a `train` block keeps what it trained). Answered by
    /// nothing but the cell's end.
    case interrupt
    /// Stop the running cell, then leave.
    case shutdown

    /// The operation names, as the `op` field spells them.
    public enum Operation: String, Codable, Sendable {
        case execute, complete, inspect, interrupt, shutdown
        case isComplete = "is_complete"
    }

    /// The request's identifier, echoed in every event it causes (nil for interrupt and shutdown).
    public var id: String? {
        switch self {
        case .execute(let id, _, _), .complete(let id, _, _), .inspect(let id, _, _, _), .isComplete(let id, _): return id
        case .interrupt, .shutdown: return nil
        }
    }
}

extension MachineRequest: Codable {
    private enum Key: String, CodingKey { case op, id, code, cell, cursor, detail }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let op = try c.decode(Operation.self, forKey: .op)
        func id() throws -> String { try c.decodeIfPresent(String.self, forKey: .id) ?? "" }
        switch op {
        case .execute:
            self = .execute(id: try id(), code: try c.decode(String.self, forKey: .code), cell: try c.decodeIfPresent(Int.self, forKey: .cell))
        case .complete:
            let code = try c.decode(String.self, forKey: .code)
            self = .complete(id: try id(), code: code, cursor: try c.decodeIfPresent(Int.self, forKey: .cursor) ?? code.unicodeScalars.count)
        case .inspect:
            let code = try c.decode(String.self, forKey: .code)
            self = .inspect(id: try id(), code: code, cursor: try c.decodeIfPresent(Int.self, forKey: .cursor) ?? code.unicodeScalars.count,
                            detail: try c.decodeIfPresent(Int.self, forKey: .detail) ?? 0)
        case .isComplete:
            self = .isComplete(id: try id(), code: try c.decode(String.self, forKey: .code))
        case .interrupt: self = .interrupt
        case .shutdown: self = .shutdown
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case let .execute(id, code, cell):
            try c.encode(Operation.execute, forKey: .op)
            try c.encode(id, forKey: .id)
            try c.encode(code, forKey: .code)
            try c.encodeIfPresent(cell, forKey: .cell)
        case let .complete(id, code, cursor):
            try c.encode(Operation.complete, forKey: .op)
            try c.encode(id, forKey: .id)
            try c.encode(code, forKey: .code)
            try c.encode(cursor, forKey: .cursor)
        case let .inspect(id, code, cursor, detail):
            try c.encode(Operation.inspect, forKey: .op)
            try c.encode(id, forKey: .id)
            try c.encode(code, forKey: .code)
            try c.encode(cursor, forKey: .cursor)
            try c.encode(detail, forKey: .detail)
        case let .isComplete(id, code):
            try c.encode(Operation.isComplete, forKey: .op)
            try c.encode(id, forKey: .id)
            try c.encode(code, forKey: .code)
        case .interrupt: try c.encode(Operation.interrupt, forKey: .op)
        case .shutdown: try c.encode(Operation.shutdown, forKey: .op)
        }
    }
}
