/// What the `character` of a position counts, as client and server agree in `initialize`: UTF-16 code units unless
/// the client offers another encoding.
enum PositionEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case utf32 = "utf-32"

    /// The encoding to use with a client offering `offered` (most preferred first): the client's first choice
    /// among those the server speaks, else UTF-16, the protocol's default.
    static func negotiate(_ offered: [String]) -> PositionEncoding {
        offered.lazy.compactMap(PositionEncoding.init(rawValue:)).first ?? .utf16
    }

    /// How many units the character whose UTF-8 form starts with `lead` takes, and how many bytes it has.
    /// A byte that cannot start a character counts as one byte and one unit (the replacement character).
    func measure(lead: UInt8) -> (bytes: Int, units: Int) {
        let bytes: Int
        switch lead {
        case 0..<0x80: bytes = 1
        case 0xC0..<0xE0: bytes = 2
        case 0xE0..<0xF0: bytes = 3
        case 0xF0..<0xF8: bytes = 4
        default: bytes = 1
        }
        switch self {
        case .utf8: return (bytes, bytes)
        case .utf16: return (bytes, bytes == 4 ? 2 : 1)
        case .utf32: return (bytes, 1)
        }
    }
}
