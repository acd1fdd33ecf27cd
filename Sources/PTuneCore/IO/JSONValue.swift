/// A JSON document as a typed value: what safetensors headers, checkpoint metadata and PEFT configs are made of.
///
/// The parser is strict (RFC 8259: no trailing commas, no comments, no NaN), rejects duplicate object keys, limits
/// nesting depth, and never traps: malformed input is a ``JSONError`` with the byte offset where it went wrong.
/// Integer literals that fit in `Int` stay exact (`.int`); every other number is a `.double`.
public indirect enum JSONValue: Sendable, Equatable {
    /// `null`
    case null
    /// `true` / `false`
    case bool(Bool)
    /// An integer literal (no fraction, no exponent) that fits in `Int`.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object (keys are unique; serialised in sorted order).
    case object([String: JSONValue])

    // MARK: - Accessors

    /// The string, if this is one.
    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    /// The integer, if this is an integer literal (or a double holding a whole number that fits in `Int`).
    public var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d): return d == d.rounded() && Swift.abs(d) < 9.0e15 ? Int(d) : nil
        case .null, .bool, .string, .array, .object: return nil
        }
    }
    /// The number as a double, if this is a number.
    public var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        case .null, .bool, .string, .array, .object: return nil
        }
    }
    /// The boolean, if this is one.
    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }
    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? { if case let .object(o) = self { return o } else { return nil } }
    /// Whether this is `null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The member `key` of an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// What can go wrong reading or writing JSON.
public enum JSONError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The text is not valid JSON (byte offset, explanation).
    case syntax(offset: Int, String)
    /// Objects or arrays nest deeper than the limit.
    case tooDeep(offset: Int, limit: Int)
    /// An object names the same key twice.
    case duplicateKey(offset: Int, String)

    /// A lowercase message with the byte offset.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }

    /// The byte offset (from the start of the parsed bytes) where the problem was found.
    public var offset: Int {
        switch self {
        case let .syntax(offset, _), let .tooDeep(offset, _), let .duplicateKey(offset, _): return offset
        }
    }

    /// What is wrong, lowercase, without the position.
    public var reason: String {
        switch self {
        case let .syntax(_, why): return why
        case let .tooDeep(_, limit): return "nesting deeper than \(limit) levels"
        case let .duplicateKey(_, key): return "duplicate key '\(key)'"
        }
    }
}

extension JSONValue {
    /// What kind of value this is, as a message names it ("an array", "a string", …).
    public var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .int, .double: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

extension JSONValue {
    /// The deepest nesting of arrays and objects the parser accepts.
    public static let maxDepth = 128

    /// Parses one JSON document from UTF-8 bytes (surrounding whitespace allowed).
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.atEnd else { throw JSONError.syntax(offset: parser.offset, "unexpected text after the document") }
            return value
        }
    }

    /// Parses one JSON document from a string.
    public static func parse(_ text: String) throws -> JSONValue { try parse(Array(text.utf8)) }

    /// Parses one JSON document, returning the members of the object at `path` (keys from the root, e.g.
    /// `["model", "vocab"]`) as a list in file order with each key exactly as written, and that object as an empty
    /// object in the document. `String` keys compare by canonical equivalence, which would merge members such as
    /// "e\u{301}" and "é" that a tokenizer vocabulary keeps apart. Keys equal scalar for scalar are still duplicates.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, entriesAt path: [String]) throws -> (JSONValue, [(key: String, value: JSONValue)]) {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            parser.capturePath = path
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.atEnd else { throw JSONError.syntax(offset: parser.offset, "unexpected text after the document") }
            return (value, parser.captured)
        }
    }

    // MARK: - Serialising

    /// The JSON text: compact, or indented by `indent` spaces per level when `indent > 0`. Object keys are sorted, so
    /// the same value always gives the same bytes. Non-finite doubles (not representable in JSON) become `null`.
    public func serialized(indent: Int = 0) -> String {
        String(decoding: serializedBytes(indent: indent), as: UTF8.self)
    }

    /// The JSON text as UTF-8 bytes (what ``serialized(indent:)`` returns as a string).
    public func serializedBytes(indent: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, indent: indent, level: 0)
        return out
    }

    private func write(into out: inout [UInt8], indent: Int, level: Int) {
        func newline() { if indent > 0 { out.append(0x0A) } }
        func pad(_ l: Int) { if indent > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * l)) } }
        switch self {
        case .null: out += "null".utf8
        case let .bool(b): out += (b ? "true" : "false").utf8
        case let .int(i): out += String(i).utf8
        case let .double(d): out += (d.isFinite ? d.description : "null").utf8
        case let .string(s): JSONValue.writeString(s, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]".utf8; return }
            out.append(UInt8(ascii: "["))
            newline()
            for (i, item) in items.enumerated() {
                pad(level + 1)
                item.write(into: &out, indent: indent, level: level + 1)
                if i + 1 < items.count { out.append(UInt8(ascii: ",")) }
                newline()
            }
            pad(level)
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            if members.isEmpty { out += "{}".utf8; return }
            out.append(UInt8(ascii: "{"))
            newline()
            let sorted = members.sorted { $0.key < $1.key }
            for (i, member) in sorted.enumerated() {
                pad(level + 1)
                JSONValue.writeString(member.key, into: &out)
                out += (indent > 0 ? ": " : ":").utf8
                member.value.write(into: &out, indent: indent, level: level + 1)
                if i + 1 < sorted.count { out.append(UInt8(ascii: ",")) }
                newline()
            }
            pad(level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings have nothing to escape: they are copied whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += "\\\"".utf8
            case UInt8(ascii: "\\"): out += "\\\\".utf8
            case 0x0A: out += "\\n".utf8
            case 0x0D: out += "\\r".utf8
            case 0x09: out += "\\t".utf8
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += "\\u00".utf8
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            default:
                out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A recursive-descent JSON parser over a byte buffer.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    /// The keys leading to the value being parsed (nil entries inside arrays), and the object whose members are
    /// captured as a list instead (see ``JSONValue/parse(_:entriesAt:)``).
    var path: [String?] = []
    var capturePath: [String]? = nil
    var captured: [(key: String, value: JSONValue)] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    func fail(_ why: String) -> JSONError { .syntax(offset: offset, why) }

    /// A byte as a message shows it: a printable ASCII character quoted, anything else (NUL, a BOM's first byte, a
    /// byte of a multi-byte character) by its hex value, so no message carries an invisible character.
    static func describe(byte b: UInt8) -> String {
        (0x21..<0x7F).contains(b) ? "character '\(Character(Unicode.Scalar(b)))'" : "byte 0x\(b < 0x10 ? "0" : "")\(String(b, radix: 16, uppercase: true))"
    }

    /// value = object | array | string | number | "true" | "false" | "null"
    mutating func value(depth: Int) throws -> JSONValue {
        guard offset < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected \(JSONParser.describe(byte: bytes[offset])), expected a value")
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard offset + n <= bytes.count else { throw fail("unexpected end of input in '\(word)'") }
        let w = word.utf8Start
        for i in 0..<n where bytes[offset + i] != w[i] { throw fail("invalid literal, expected '\(word)'") }
        offset += n
    }

    /// object = "{" [ string ":" value { "," string ":" value } ] "}"
    mutating func object(depth: Int) throws -> JSONValue {
        guard depth <= JSONValue.maxDepth else { throw JSONError.tooDeep(offset: offset, limit: JSONValue.maxDepth) }
        offset += 1
        var members: [String: JSONValue] = [:]
        let capturing = capturePath.map { $0.count == path.count && zip($0, path).allSatisfy { $0 == $1 } } ?? false
        var exactKeys = Set<[Unicode.Scalar]>()
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyOffset = offset
            let key = try string()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            offset += 1
            skipWhitespace()
            path.append(key)
            let v = try value(depth: depth)
            path.removeLast()
            if capturing {
                guard exactKeys.insert(Array(key.unicodeScalars)).inserted else { throw JSONError.duplicateKey(offset: keyOffset, key) }
                captured.append((key, v))
            } else {
                guard members.updateValue(v, forKey: key) == nil else { throw JSONError.duplicateKey(offset: keyOffset, key) }
            }
            skipWhitespace()
            guard offset < bytes.count else { throw fail("unexpected end of input, expected ',' or '}'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            throw fail("expected ',' or '}' in object")
        }
    }

    /// array = "[" [ value { "," value } ] "]"
    mutating func array(depth: Int) throws -> JSONValue {
        guard depth <= JSONValue.maxDepth else { throw JSONError.tooDeep(offset: offset, limit: JSONValue.maxDepth) }
        offset += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(items) }
        path.append(nil)
        defer { path.removeLast() }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth))
            skipWhitespace()
            guard offset < bytes.count else { throw fail("unexpected end of input, expected ',' or ']'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(items) }
            throw fail("expected ',' or ']' in array")
        }
    }

    /// string = '"' { char | escape } '"' (UTF-8 validated; control characters must be escaped)
    mutating func string() throws -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var runStart = offset
        func flushRun(_ end: Int) throws {
            guard end > runStart else { return }
            guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self) else {
                throw JSONError.syntax(offset: runStart, "invalid UTF-8 in string")
            }
            scalars.append(contentsOf: s.unicodeScalars)
        }
        while true {
            guard offset < bytes.count else { throw fail("unterminated string") }
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                try flushRun(offset)
                offset += 1
                return String(scalars)
            }
            if b < 0x20 { throw fail("control character in string (escape it)") }
            if b != UInt8(ascii: "\\") { offset += 1; continue }
            try flushRun(offset)
            offset += 1
            guard offset < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[offset]
            offset += 1
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in \\u escape")
                    }
                    offset += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    throw fail("unpaired surrogate in \\u escape")
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                scalars.append(scalar)
            default:
                throw fail("invalid escape: '\\' followed by \(JSONParser.describe(byte: e))")
            }
            runStart = offset
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail("unexpected end of input in \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[offset]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            offset += 1
        }
        return v
    }

    /// number = [ "-" ] int [ frac ] [ exp ]
    mutating func number() throws -> JSONValue {
        let start = offset
        func digits() -> Int {
            let s = offset
            while offset < bytes.count, bytes[offset] >= UInt8(ascii: "0"), bytes[offset] <= UInt8(ascii: "9") { offset += 1 }
            return offset - s
        }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let intStart = offset
        let intDigits = digits()
        guard intDigits > 0 else { throw fail("expected digits in number") }
        if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") { throw JSONError.syntax(offset: intStart, "leading zero in number") }
        var isInteger = true
        if offset < bytes.count && bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else { throw fail("expected digits after '.'") }
            isInteger = false
        }
        if offset < bytes.count && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            offset += 1
            if offset < bytes.count && (bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-")) { offset += 1 }
            guard digits() > 0 else { throw fail("expected digits in exponent") }
            isInteger = false
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw JSONError.syntax(offset: start, "invalid number '\(text)'") }
        guard d.isFinite else { throw JSONError.syntax(offset: start, "number '\(text)' is out of range") }
        return .double(d)
    }
}
