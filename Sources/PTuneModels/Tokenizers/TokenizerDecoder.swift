import Foundation
import PTuneCore

/// A Hugging Face decoder: how token strings become text again (tokenizer.json's `decoder`). Each step maps the
/// list of token strings to a new list; the result is their concatenation.
indirect enum TokenizerDecoder: Sendable {
    /// Byte-level characters back to bytes, read as UTF-8 (invalid sequences become U+FFFD).
    case byteLevel
    /// WordPiece: continuation pieces glued on, others after a space; optionally the English clean-up of spaces.
    case wordPiece(prefix: String, cleanup: Bool)
    /// SentencePiece's replacement character back to spaces (the first dropped where one was prepended).
    case metaspace(replacement: Unicode.Scalar, prepended: Bool)
    /// Replace every match of a pattern.
    case replace(TokenizerPattern, [Unicode.Scalar])
    /// `<0xAB>` tokens back to bytes, consecutive ones read together as UTF-8.
    case byteFallback
    /// All tokens into one.
    case fuse
    /// Remove up to `start` leading and `stop` trailing `content` characters from each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// BPE's end-of-word suffix back to a space (none after the last token).
    case bpe(suffix: String)
    /// Each of several, in order.
    case sequence([TokenizerDecoder])

    init(json: JSONValue) throws {
        let type = json["type"]?.stringValue ?? ""
        switch type {
        case "ByteLevel": self = .byteLevel
        case "WordPiece": self = .wordPiece(prefix: json["prefix"]?.stringValue ?? "##", cleanup: json["cleanup"]?.boolValue ?? true)
        case "Metaspace":
            let r = (json["replacement"]?.stringValue ?? "▁").unicodeScalars.first ?? "▁"
            let scheme = json["prepend_scheme"]?.stringValue ?? ((json["add_prefix_space"]?.boolValue ?? true) ? "always" : "never")
            self = .metaspace(replacement: r, prepended: scheme != "never")
        case "Replace":
            guard let p = json["pattern"], let c = json["content"]?.stringValue else {
                throw TokenizerError.unsupportedModel("Replace decoder without 'pattern' and 'content'")
            }
            self = .replace(try TokenizerPattern(json: p, what: "Replace decoder"), Array(c.unicodeScalars))
        case "ByteFallback": self = .byteFallback
        case "Fuse": self = .fuse
        case "Strip":
            let c = (json["content"]?.stringValue ?? " ").unicodeScalars.first ?? " "
            self = .strip(content: c, start: json["start"]?.intValue ?? 0, stop: json["stop"]?.intValue ?? 0)
        case "BPEDecoder": self = .bpe(suffix: json["suffix"]?.stringValue ?? "</w>")
        case "Sequence": self = .sequence(try (json["decoders"]?.arrayValue ?? []).map(TokenizerDecoder.init(json:)))
        default: throw TokenizerError.unsupportedModel("decoder '\(type)'")
        }
    }

    func apply(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            let inverse = ByteLevelBPE.unicodeToByte
            var bytes: [UInt8] = []
            for t in tokens {
                for c in t.unicodeScalars {
                    if let b = inverse[c] { bytes.append(b) } else { bytes += Array(String(c).utf8) }
                }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case let .wordPiece(prefix, cleanup):
            return tokens.enumerated().map { i, token in
                var t = token
                if i != 0 {
                    // By bytes: a combining mark after the prefix would join its last character as Swift compares.
                    t = t.utf8.starts(with: prefix.utf8) ? String(decoding: t.utf8.dropFirst(prefix.utf8.count), as: UTF8.self) : " " + t
                }
                return cleanup ? TokenizerDecoder.cleanUp(t) : t
            }
        case let .metaspace(r, prepended):
            return tokens.enumerated().map { i, token in
                var out = String.UnicodeScalarView()
                for (k, c) in token.unicodeScalars.enumerated() {
                    if c == r {
                        if i == 0 && k == 0 && prepended { continue }
                        out.append(" ")
                    } else {
                        out.append(c)
                    }
                }
                return String(out)
            }
        case let .replace(pattern, content):
            return tokens.map { t in
                var v = String.UnicodeScalarView(); v.append(contentsOf: pattern.replacing(in: Array(t.unicodeScalars), with: content))
                return String(v)
            }
        case .byteFallback:
            var out: [String] = [], pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) { out.append(s) } else {
                    out += Array(repeating: "\u{FFFD}", count: pending.count)
                }
                pending = []
            }
            for t in tokens {
                let u = Array(t.utf8)
                if u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E, let b = UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16) {
                    pending.append(b)
                } else {
                    flush()
                    out.append(t)
                }
            }
            flush()
            return out
        case .fuse:
            return [tokens.joined()]
        case let .strip(content, start, stop):
            return tokens.map { t in
                var s = Array(t.unicodeScalars)
                var a = 0
                while a < start, let f = s.first, f == content { s.removeFirst(); a += 1 }
                var b = 0
                while b < stop, let l = s.last, l == content { s.removeLast(); b += 1 }
                var v = String.UnicodeScalarView(); v.append(contentsOf: s)
                return String(v)
            }
        case let .bpe(suffix):
            return tokens.enumerated().map { i, t in t.replacingOccurrences(of: suffix, with: i == tokens.count - 1 ? "" : " ") }
        case let .sequence(list):
            return list.reduce(tokens) { $1.apply($0) }
        }
    }

    /// Hugging Face's `clean_up_tokenization`: no space before common punctuation and English contractions.
    static func cleanUp(_ s: String) -> String {
        var t = s
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                       (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = t.replacingOccurrences(of: a, with: b)
        }
        return t
    }
}
