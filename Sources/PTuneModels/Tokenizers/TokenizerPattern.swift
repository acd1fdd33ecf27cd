import Foundation
import PTuneCore

/// What a `Split` pre-tokenizer or a `Replace` normalizer/decoder looks for: a literal string or a regular
/// expression (Oniguruma syntax in Hugging Face's files; run here on ICU, with `\s`/`\S` spelled out as Oniguruma
/// defines them, which ICU does not: vertical tab and U+0085 are white space there).
enum TokenizerPattern: @unchecked Sendable {
    case literal([Unicode.Scalar])
    case regex(NSRegularExpression)

    /// The pattern of a tokenizer.json `{"String": …}` or `{"Regex": …}` object.
    init(json: JSONValue, what: String) throws {
        if let s = json["String"]?.stringValue {
            guard !s.isEmpty else { throw TokenizerError.invalidVocabulary("\(what): empty pattern") }
            self = .literal(Array(s.unicodeScalars))
        } else if let r = json["Regex"]?.stringValue {
            do {
                self = .regex(try NSRegularExpression(pattern: TokenizerPattern.translate(r), options: []))
            } catch {
                throw TokenizerError.invalidVocabulary("\(what): regular expression '\(r)' cannot be compiled")
            }
        } else {
            throw TokenizerError.invalidVocabulary("\(what): pattern must be {\"String\": …} or {\"Regex\": …}")
        }
    }

    /// Oniguruma's white space (`\t\n\v\f\r`, space, U+0085 and the `Z` categories) as members of a class.
    static let space = "\\t\\n\\x{0B}\\f\\r\\x{85}\\p{Z}"

    /// `\s` and `\S` rewritten to ICU classes with Oniguruma's meaning, inside and outside brackets.
    static func translate(_ pattern: String) -> String {
        var out = ""
        var inClass = false
        var escaped = false
        for c in pattern {
            if escaped {
                escaped = false
                switch (c, inClass) {
                case ("s", false): out += "[\(space)]"
                case ("S", false): out += "[^\(space)]"
                case ("s", true): out += space
                default: out += "\\" + String(c)
                }
                continue
            }
            switch c {
            case "\\": escaped = true
            case "[": inClass = true; out.append(c)
            case "]": inClass = false; out.append(c)
            default: out.append(c)
            }
        }
        if escaped { out += "\\" }
        return out
    }

    /// The non-empty matches in `s`, as ranges of scalar positions, left to right, not overlapping.
    func matches(in s: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case let .literal(p):
            var out: [Range<Int>] = []
            var i = 0
            while i + p.count <= s.count {
                if s[i] == p[0] && (1..<p.count).allSatisfy({ s[i + $0] == p[$0] }) {
                    out.append(i..<(i + p.count)); i += p.count
                } else {
                    i += 1
                }
            }
            return out
        case let .regex(re):
            var text = String.UnicodeScalarView()
            text.append(contentsOf: s)
            let string = String(text)
            // UTF-16 offset → scalar position.
            var position = [Int](repeating: 0, count: string.utf16.count + 1)
            var u = 0
            for (k, scalar) in s.enumerated() {
                let w = scalar.value > 0xFFFF ? 2 : 1
                for j in 0..<w { position[u + j] = k }
                u += w
            }
            position[u] = s.count
            let ns = string as NSString
            return re.matches(in: string, options: [], range: NSRange(location: 0, length: ns.length)).compactMap { m in
                guard m.range.length > 0 else { return nil }
                return position[m.range.location]..<position[m.range.location + m.range.length]
            }
        }
    }

    /// `s` with every match replaced by `content`.
    func replacing(in s: [Unicode.Scalar], with content: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var last = 0
        for r in matches(in: s) {
            out += s[last..<r.lowerBound]
            out += content
            last = r.upperBound
        }
        out += s[last...]
        return out
    }
}
