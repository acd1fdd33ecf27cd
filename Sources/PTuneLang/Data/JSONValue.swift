import Foundation

/// A parsed JSON document (typed: no `Any`), for the JSONL and tensor-dump readers.
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// Parses `data`, or nil when it is not JSON.
    static func parse(_ data: Data) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: data) }

    /// The numbers of an array of numbers, or nil.
    var numbers: [Double]? {
        guard case let .array(items) = self else { return nil }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for i in items {
            guard case let .number(x) = i else { return nil }
            out.append(x)
        }
        return out
    }

    /// The fields of an object, or nil.
    var object: [String: JSONValue]? {
        if case let .object(o) = self { return o }
        return nil
    }
}
