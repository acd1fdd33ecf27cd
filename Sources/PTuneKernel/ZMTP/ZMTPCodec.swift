/// The ZeroMQ message transport protocol (ZMTP 3.0, RFC 23/ZMTP) as bytes: the 64-byte greeting, then frames —
/// a flags byte (more, long, command), a size of one or eight bytes, the body. Commands carry a name and data;
/// READY's data is a list of properties (`Socket-Type`, `Identity`). Only the NULL security mechanism is spoken,
/// which is what Jupyter's local connections use (messages are signed one level up, by the Jupyter protocol).
enum ZMTPCodec {
    /// The greeting's length.
    static let greetingLength = 64
    /// Frame flag bits.
    static let more: UInt8 = 0x01
    static let long: UInt8 = 0x02
    static let command: UInt8 = 0x04

    /// Our greeting: signature, version 3.0, mechanism NULL, not as-server, filler.
    static let greeting: [UInt8] = {
        var g: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0]
        let mechanism = Array("NULL".utf8)
        g += mechanism + [UInt8](repeating: 0, count: 20 - mechanism.count)
        g += [UInt8](repeating: 0, count: 32)
        return g
    }()

    /// Why a peer's bytes are not ZMTP we speak.
    enum Failure: Error, Equatable, CustomStringConvertible {
        case badSignature
        case unsupportedVersion(UInt8)
        case unsupportedMechanism(String)
        case badCommand
        case tooLarge(UInt64)

        var description: String {
            switch self {
            case .badSignature: return "not a ZMTP peer (bad greeting signature)"
            case .unsupportedVersion(let v): return "ZMTP version \(v) is not supported (3.x is)"
            case .unsupportedMechanism(let m): return "security mechanism '\(m)' is not supported (NULL is)"
            case .badCommand: return "malformed ZMTP command"
            case .tooLarge(let n): return "a frame of \(n) bytes is larger than allowed"
            }
        }
    }

    /// Checks a peer's 64-byte greeting.
    static func checkGreeting(_ g: ArraySlice<UInt8>) throws(Failure) {
        let b = Array(g)
        guard b.count >= greetingLength, b[0] == 0xFF, b[9] == 0x7F else { throw .badSignature }
        guard b[10] >= 3 else { throw .unsupportedVersion(b[10]) }
        let mechanism = String(decoding: b[12..<32].prefix { $0 != 0 }, as: UTF8.self)
        guard mechanism == "NULL" else { throw .unsupportedMechanism(mechanism) }
    }

    /// One frame's bytes.
    static func frame(_ body: [UInt8], more hasMore: Bool, command isCommand: Bool = false) -> [UInt8] {
        var flags: UInt8 = (hasMore ? more : 0) | (isCommand ? command : 0)
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 9)
        if body.count > 255 {
            flags |= long
            out.append(flags)
            let n = UInt64(body.count)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: n >> UInt64(shift))) }
        } else {
            out.append(flags)
            out.append(UInt8(body.count))
        }
        return out + body
    }

    /// The frames of a multipart message.
    static func message(_ frames: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, f) in frames.enumerated() { out += frame(f, more: i < frames.count - 1) }
        return out
    }

    /// A command frame: `name` and its data.
    static func commandFrame(_ name: String, _ data: [UInt8]) -> [UInt8] {
        let n = Array(name.utf8)
        return frame([UInt8(n.count)] + n + data, more: false, command: true)
    }

    /// READY with our socket type.
    static func ready(socketType: String) -> [UInt8] {
        commandFrame("READY", property("Socket-Type", Array(socketType.utf8)))
    }

    /// A metadata property: name length, name, value length (4 bytes), value.
    static func property(_ name: String, _ value: [UInt8]) -> [UInt8] {
        let n = Array(name.utf8)
        let len = UInt32(value.count)
        return [UInt8(n.count)] + n + [UInt8(len >> 24), UInt8((len >> 16) & 0xFF), UInt8((len >> 8) & 0xFF), UInt8(len & 0xFF)] + value
    }

    /// A command's name and data.
    static func parseCommand(_ body: [UInt8]) throws(Failure) -> (name: String, data: ArraySlice<UInt8>) {
        guard let n = body.first, body.count >= 1 + Int(n) else { throw .badCommand }
        return (String(decoding: body[1..<(1 + Int(n))], as: UTF8.self), body[(1 + Int(n))...])
    }

    /// The properties of a READY command's data.
    static func properties(_ data: ArraySlice<UInt8>) throws(Failure) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        var i = data.startIndex
        while i < data.endIndex {
            let n = Int(data[i])
            guard i + 1 + n + 4 <= data.endIndex else { throw .badCommand }
            let name = String(decoding: data[(i + 1)..<(i + 1 + n)], as: UTF8.self)
            var j = i + 1 + n
            let len = data[j..<(j + 4)].reduce(0) { $0 << 8 | Int($1) }
            j += 4
            guard j + len <= data.endIndex else { throw .badCommand }
            out[name.lowercased()] = Array(data[j..<(j + len)])
            i = j + len
        }
        return out
    }
}

/// Reads frames from a byte stream as they arrive.
struct ZMTPFrameReader {
    /// A frame read whole.
    struct Frame: Equatable {
        var body: [UInt8]
        var more: Bool
        var isCommand: Bool
    }

    private var buffer: [UInt8] = []
    private var offset = 0
    /// The largest frame accepted (Jupyter messages carry cells and results; a gigabyte is far beyond them).
    let maxFrame: UInt64 = 1 << 30

    /// Adds received bytes.
    mutating func feed<C: Collection<UInt8>>(_ bytes: C) {
        if offset > 0 && offset == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            offset = 0
        } else if offset > 65_536 {
            buffer.removeFirst(offset)
            offset = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Takes `n` raw bytes (the greeting), or nil until that many arrived.
    mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard buffer.count - offset >= n else { return nil }
        defer { offset += n }
        return buffer[offset..<(offset + n)]
    }

    /// The next whole frame, or nil until one arrived.
    mutating func next() throws(ZMTPCodec.Failure) -> Frame? {
        let available = buffer.count - offset
        guard available >= 2 else { return nil }
        let flags = buffer[offset]
        let isLong = flags & ZMTPCodec.long != 0
        let header = isLong ? 9 : 2
        guard available >= header else { return nil }
        var size: UInt64 = 0
        if isLong {
            for k in 1...8 { size = size << 8 | UInt64(buffer[offset + k]) }
        } else {
            size = UInt64(buffer[offset + 1])
        }
        guard size <= maxFrame else { throw .tooLarge(size) }
        guard UInt64(available - header) >= size else { return nil }
        let start = offset + header, end = start + Int(size)
        offset = end
        return Frame(body: Array(buffer[start..<end]), more: flags & ZMTPCodec.more != 0, isCommand: flags & ZMTPCodec.command != 0)
    }
}
