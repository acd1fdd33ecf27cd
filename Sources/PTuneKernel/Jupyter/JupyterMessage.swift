import Foundation

/// The header every Jupyter message carries.
struct JupyterHeader: Codable, Equatable {
    var msgID: String
    var session: String
    var username: String
    var date: String
    var msgType: String
    var version: String

    private enum CodingKeys: String, CodingKey {
        case session, username, date, version
        case msgID = "msg_id", msgType = "msg_type"
    }
}

/// A Jupyter message as it arrives on a socket: the routing identities, then `<IDS|MSG>`, the HMAC signature,
/// the header, the parent's header, metadata and content (JSON), and any binary buffers.
struct JupyterMessage {
    /// The frames before the delimiter (a ROUTER's peer identity and any proxies'), echoed in replies.
    var identities: [[UInt8]]
    /// The decoded header.
    var header: JupyterHeader
    /// The header as it came, which replies carry as their parent header.
    var rawHeader: [UInt8]
    /// The content, decoded by the handler of the message type.
    var content: [UInt8]

    /// The frame that ends the identities.
    static let delimiter = Array("<IDS|MSG>".utf8)

    /// Why a message was dropped.
    enum Failure: Error, CustomStringConvertible {
        case noDelimiter, tooFewFrames, badSignature, badHeader(String)

        var description: String {
            switch self {
            case .noDelimiter: return "no <IDS|MSG> delimiter"
            case .tooFewFrames: return "fewer than five frames after the delimiter"
            case .badSignature: return "the signature does not match the connection key"
            case .badHeader(let why): return "unreadable header: \(why)"
            }
        }
    }

    /// Reads a message from its frames, checking the signature when there is a key.
    init(frames: [[UInt8]], signer: HMACSHA256?) throws(Failure) {
        guard let d = frames.firstIndex(of: JupyterMessage.delimiter) else { throw .noDelimiter }
        guard frames.count >= d + 6 else { throw .tooFewFrames }
        let parts = Array(frames[(d + 2)..<(d + 6)])
        if let signer {
            let expected = Array(signer.hexMAC(parts).utf8)
            let got = frames[d + 1]
            // Compare in constant time: the signature guards the kernel against code from anyone else.
            guard got.count == expected.count, zip(got, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { throw .badSignature }
        }
        identities = Array(frames[..<d])
        rawHeader = parts[0]
        content = parts[3]
        do { header = try JSONDecoder().decode(JupyterHeader.self, from: Data(parts[0])) } catch {
            throw .badHeader("\(error)")
        }
    }

    /// The content as `T`, or nil when it does not read as one.
    func decode<T: Decodable>(_ type: T.Type) -> T? { try? JSONDecoder().decode(T.self, from: Data(content)) }
}

/// Builds the signed frames of the messages the kernel sends.
struct JupyterWire {
    let signer: HMACSHA256?
    /// The kernel's session id (every header it writes carries it).
    let session: String

    /// The time now in ISO 8601 with microseconds, UTC: `2025-01-31T12:00:00.123456Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var t = tm()
        gmtime_r(&seconds, &t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday),
                      Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec), Int(now.tv_nsec / 1000))
    }

    /// The frames of a `type` message with `content`, in reply to (or caused by) `parent`, routed to
    /// `identities` (a ROUTER reply) or under `topic` (an iopub message).
    func frames<C: Encodable>(_ type: String, content: C, parent: JupyterMessage?, identities: [[UInt8]]) -> [[UInt8]] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return frames(type, json: Array((try? encoder.encode(content)) ?? Data("{}".utf8)), parent: parent, identities: identities)
    }

    /// The frames of a `type` message whose content is the JSON text `json`.
    func frames(_ type: String, json: [UInt8], parent: JupyterMessage?, identities: [[UInt8]]) -> [[UInt8]] {
        let header = JupyterHeader(msgID: UUID().uuidString.lowercased(), session: session, username: "ptune",
                                   date: JupyterWire.timestamp(), msgType: type, version: "5.3")
        let parts: [[UInt8]] = [
            Array((try? JSONEncoder().encode(header)) ?? Data("{}".utf8)),
            parent?.rawHeader ?? Array("{}".utf8),
            Array("{}".utf8),
            json,
        ]
        let signature = signer.map { Array($0.hexMAC(parts).utf8) } ?? []
        return identities + [JupyterMessage.delimiter, signature] + parts
    }
}
