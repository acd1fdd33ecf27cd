import Foundation
import PTuneCore

/// A Hugging Face normalizer: how text is rewritten before it is split (tokenizer.json's `normalizer`).
indirect enum TokenizerNormalizer: Sendable {
    /// BERT's: clean control characters, space out CJK ideographs, strip accents, lowercase.
    case bert(cleanText: Bool, chineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case nfc, nfd, nfkc, nfkd, lowercase, stripAccents
    /// Strip white space on the left and/or right.
    case strip(left: Bool, right: Bool)
    /// Replace every match of a pattern.
    case replace(TokenizerPattern, [Unicode.Scalar])
    /// Put a string in front of non-empty text.
    case prepend([Unicode.Scalar])
    /// Each of several, in order.
    case sequence([TokenizerNormalizer])

    /// The normalizer a tokenizer.json object describes.
    init(json: JSONValue) throws {
        let type = json["type"]?.stringValue ?? ""
        func flag(_ k: String, _ d: Bool) -> Bool { json[k]?.boolValue ?? d }
        switch type {
        case "BertNormalizer":
            let lower = flag("lowercase", true)
            self = .bert(cleanText: flag("clean_text", true), chineseChars: flag("handle_chinese_chars", true),
                         stripAccents: json["strip_accents"]?.boolValue ?? lower, lowercase: lower)
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Lowercase": self = .lowercase
        case "StripAccents": self = .stripAccents
        case "Strip": self = .strip(left: flag("strip_left", true), right: flag("strip_right", true))
        case "Replace":
            guard let p = json["pattern"], let c = json["content"]?.stringValue else {
                throw TokenizerError.invalidVocabulary("Replace normalizer needs 'pattern' and 'content'")
            }
            self = .replace(try TokenizerPattern(json: p, what: "Replace normalizer"), Array(c.unicodeScalars))
        case "Prepend":
            self = .prepend(Array((json["prepend"]?.stringValue ?? "").unicodeScalars))
        case "Sequence":
            self = .sequence(try (json["normalizers"]?.arrayValue ?? []).map(TokenizerNormalizer.init(json:)))
        case "Precompiled":
            // An empty character map changes nothing; a real one is SentencePiece's own table, not implemented.
            if let map = json["precompiled_charsmap"], !map.isNull, map.stringValue?.isEmpty == false {
                throw TokenizerError.unsupportedModel("normalizer Precompiled (a SentencePiece character map)")
            }
            self = .sequence([])
        default:
            throw TokenizerError.unsupportedModel("normalizer '\(type)'")
        }
    }

    /// The normalized text.
    func apply(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case let .bert(clean, chinese, strip, lower):
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.count)
            for c in s {
                let v = c.value
                if clean {
                    if v == 0 || v == 0xFFFD || BertTextSplitter.isControl(c) { continue }
                    if BertTextSplitter.isWhitespace(c) { out.append(" "); continue }
                }
                if chinese && BertTextSplitter.isCJK(v) { out += [" ", c, " "] } else { out.append(c) }
            }
            if strip { out = TokenizerNormalizer.stripAccents(TokenizerNormalizer.nfd(out)) }
            return lower ? TokenizerNormalizer.lowercased(out) : out
        case .nfc: return Array(String(String.UnicodeScalarView(s)).precomposedStringWithCanonicalMapping.unicodeScalars)
        case .nfd: return TokenizerNormalizer.nfd(s)
        case .nfkc: return Array(String(String.UnicodeScalarView(s)).precomposedStringWithCompatibilityMapping.unicodeScalars)
        case .nfkd: return Array(String(String.UnicodeScalarView(s)).decomposedStringWithCompatibilityMapping.unicodeScalars)
        case .lowercase: return TokenizerNormalizer.lowercased(s)
        case .stripAccents: return TokenizerNormalizer.stripAccents(s)
        case let .strip(left, right):
            var lo = 0, hi = s.count
            if left { while lo < hi && s[lo].properties.isWhitespace { lo += 1 } }
            if right { while hi > lo && s[hi - 1].properties.isWhitespace { hi -= 1 } }
            return Array(s[lo..<hi])
        case let .replace(pattern, content): return pattern.replacing(in: s, with: content)
        case let .prepend(p): return s.isEmpty ? s : p + s
        case let .sequence(list): return list.reduce(s) { $1.apply($0) }
        }
    }

    static func nfd(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if s.allSatisfy({ $0.isASCII }) { return s }
        return Array(String(String.UnicodeScalarView(s)).decomposedStringWithCanonicalMapping.unicodeScalars)
    }

    static func stripAccents(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] { s.filter { !BertTextSplitter.isMark($0) } }

    static func lowercased(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        for c in s {
            if c.value < 128 {
                out.append(c.value >= 65 && c.value <= 90 ? Unicode.Scalar(c.value + 32) ?? c : c)
            } else {
                out += c.properties.lowercaseMapping.unicodeScalars
            }
        }
        return out
    }
}
