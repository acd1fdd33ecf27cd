import PTuneCore

/// A Hugging Face pre-tokenizer: how normalized text is cut into the words the model encodes separately
/// (tokenizer.json's `pre_tokenizer`). Each step cuts every piece the previous steps left.
indirect enum TokenizerPreTokenizer: Sendable {
    /// GPT-2's byte level: an optional leading space, the GPT-2 pattern, then bytes as printable characters.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// Cut at the matches of a pattern, keeping or dropping them by `behavior`.
    case split(TokenizerPattern, SplitBehavior, invert: Bool)
    /// Numbers apart: each digit alone or runs of them.
    case digits(individual: Bool)
    /// BERT's: white space removed, each punctuation character a piece.
    case bert
    /// `\w+|[^\w\s]+`.
    case whitespace
    /// Cut at white space, removed.
    case whitespaceSplit
    /// SentencePiece's: spaces become `replacement`, which may also start the text and start each piece.
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)
    /// Punctuation characters apart.
    case punctuation(SplitBehavior)
    /// Cut at one character, removed.
    case charDelimiter(Unicode.Scalar)
    /// Each of several, in order.
    case sequence([TokenizerPreTokenizer])

    /// What a cut does with the text it matched.
    enum SplitBehavior: String, Sendable {
        case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
    }

    /// When Metaspace puts its replacement in front.
    enum PrependScheme: String, Sendable { case always, first, never }

    init(json: JSONValue) throws {
        let type = json["type"]?.stringValue ?? ""
        func behavior() throws -> SplitBehavior {
            let b = json["behavior"]?.stringValue ?? "Isolated"
            guard let v = SplitBehavior(rawValue: b) else { throw TokenizerError.unsupportedPreTokenizer("split behavior '\(b)'") }
            return v
        }
        switch type {
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: json["add_prefix_space"]?.boolValue ?? true, useRegex: json["use_regex"]?.boolValue ?? true)
        case "Split":
            guard let p = json["pattern"] else { throw TokenizerError.unsupportedPreTokenizer("Split without a pattern") }
            self = .split(try TokenizerPattern(json: p, what: "Split pre-tokenizer"), try behavior(), invert: json["invert"]?.boolValue ?? false)
        case "Digits": self = .digits(individual: json["individual_digits"]?.boolValue ?? false)
        case "BertPreTokenizer": self = .bert
        case "Whitespace": self = .whitespace
        case "WhitespaceSplit": self = .whitespaceSplit
        case "Metaspace":
            let r = (json["replacement"]?.stringValue ?? "▁").unicodeScalars.first ?? "▁"
            var scheme = PrependScheme(rawValue: json["prepend_scheme"]?.stringValue ?? "always") ?? .always
            if json["prepend_scheme"] == nil, let add = json["add_prefix_space"]?.boolValue { scheme = add ? .always : .never }
            self = .metaspace(replacement: r, prepend: scheme, split: json["split"]?.boolValue ?? true)
        case "Punctuation": self = .punctuation(try behavior())
        case "CharDelimiterSplit":
            guard let d = json["delimiter"]?.stringValue?.unicodeScalars.first else {
                throw TokenizerError.unsupportedPreTokenizer("CharDelimiterSplit without a delimiter")
            }
            self = .charDelimiter(d)
        case "Sequence":
            self = .sequence(try (json["pretokenizers"]?.arrayValue ?? []).map(TokenizerPreTokenizer.init(json:)))
        default:
            throw TokenizerError.unsupportedPreTokenizer(type)
        }
    }

    /// The pieces of `pieces`, each cut further; `first` tells whether the first piece starts the text.
    func apply(_ pieces: [[Unicode.Scalar]], firstStartsText: Bool = true) -> [[Unicode.Scalar]] {
        switch self {
        case let .sequence(list):
            return list.reduce(pieces) { $1.apply($0, firstStartsText: firstStartsText) }
        case let .metaspace(r, scheme, split):
            return pieces.enumerated().flatMap { i, p -> [[Unicode.Scalar]] in
                var q = p.map { $0 == " " ? r : $0 }
                let prepend = scheme == .always || (scheme == .first && i == 0 && firstStartsText)
                if prepend && q.first != r { q.insert(r, at: 0) }
                guard split else { return [q] }
                let cuts = q.indices.filter { q[$0] == r }.map { $0..<($0 + 1) }
                return TokenizerPreTokenizer.cut(q, cuts, .mergedWithNext)
            }
        default:
            return pieces.flatMap { cutOne($0) }
        }
    }

    private func cutOne(_ s: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        switch self {
        case let .byteLevel(addPrefixSpace, useRegex):
            var t = s
            if addPrefixSpace && t.first != " " { t.insert(" ", at: 0) }
            var parts: [[Unicode.Scalar]] = [t]
            if useRegex {
                var ranges: [Range<Int>] = []
                GPT2PreTokenizer.pattern(t, 0..<t.count, into: &ranges)
                parts = ranges.map { Array(t[$0]) }
            }
            let alphabet = ByteLevelBPE.byteToUnicode
            return parts.map { p in
                var out: [Unicode.Scalar] = []
                for c in p { UTF8.encode(c) { out.append(alphabet[Int($0)]) } }
                return out
            }
        case let .split(pattern, behavior, invert):
            var ranges = pattern.matches(in: s)
            if invert { ranges = TokenizerPreTokenizer.complement(ranges, s.count) }
            return TokenizerPreTokenizer.cut(s, ranges, behavior)
        case let .digits(individual):
            let cuts = s.indices.filter { TokenizerPreTokenizer.isNumeric(s[$0]) }.map { $0..<($0 + 1) }
            return TokenizerPreTokenizer.cut(s, cuts, individual ? .isolated : .contiguous)
        case .bert:
            var out: [[Unicode.Scalar]] = [], cur: [Unicode.Scalar] = []
            for c in s {
                if BertTextSplitter.isWhitespace(c) {
                    if !cur.isEmpty { out.append(cur); cur = [] }
                } else if BertTextSplitter.isPunctuation(c) {
                    if !cur.isEmpty { out.append(cur); cur = [] }
                    out.append([c])
                } else {
                    cur.append(c)
                }
            }
            if !cur.isEmpty { out.append(cur) }
            return out
        case .whitespace:
            var out: [[Unicode.Scalar]] = [], cur: [Unicode.Scalar] = []
            var kind = 0  // 1 word, 2 other
            for c in s {
                let k = c.properties.isWhitespace ? 0 : (TokenizerPreTokenizer.isWord(c) ? 1 : 2)
                if k != kind, !cur.isEmpty { out.append(cur); cur = [] }
                if k != 0 { cur.append(c) }
                kind = k
            }
            if !cur.isEmpty { out.append(cur) }
            return out
        case .whitespaceSplit:
            return s.split(whereSeparator: { $0.properties.isWhitespace }).map(Array.init)
        case let .punctuation(behavior):
            let cuts = s.indices.filter { BertTextSplitter.isPunctuation(s[$0]) }.map { $0..<($0 + 1) }
            return TokenizerPreTokenizer.cut(s, cuts, behavior)
        case let .charDelimiter(d):
            return s.split(separator: d).map(Array.init)
        case .metaspace, .sequence:
            return apply([s])
        }
    }

    /// Rust's `char::is_numeric`: Nd, Nl, No.
    static func isNumeric(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c.value >= 48 && c.value <= 57 }
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// A regex word character: alphabetic, mark, decimal digit, connector punctuation.
    static func isWord(_ c: Unicode.Scalar) -> Bool {
        if c.properties.isAlphabetic { return true }
        switch c.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    static func complement(_ ranges: [Range<Int>], _ n: Int) -> [Range<Int>] {
        var out: [Range<Int>] = [], last = 0
        for r in ranges {
            if last < r.lowerBound { out.append(last..<r.lowerBound) }
            last = r.upperBound
        }
        if last < n { out.append(last..<n) }
        return out
    }

    /// Cuts `s` at `matches` (sorted, disjoint) as Hugging Face's `split` does for `behavior`; empty pieces vanish.
    static func cut(_ s: [Unicode.Scalar], _ matches: [Range<Int>], _ behavior: SplitBehavior) -> [[Unicode.Scalar]] {
        // Every span of s, in order, flagged whether it is a match.
        var spans: [(Range<Int>, Bool)] = []
        var last = 0
        for m in matches {
            if last < m.lowerBound { spans.append((last..<m.lowerBound, false)) }
            spans.append((m, true))
            last = m.upperBound
        }
        if last < s.count { spans.append((last..<s.count, false)) }
        var out: [Range<Int>] = []
        switch behavior {
        case .removed: out = spans.filter { !$0.1 }.map(\.0)
        case .isolated: out = spans.map(\.0)
        case .mergedWithPrevious:
            var previousMatch = false
            for (r, isMatch) in spans {
                if isMatch && !previousMatch, let l = out.last { out[out.count - 1] = l.lowerBound..<r.upperBound } else { out.append(r) }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            var rev: [Range<Int>] = []
            for (r, isMatch) in spans.reversed() {
                if isMatch && !previousMatch, let l = rev.last { rev[rev.count - 1] = r.lowerBound..<l.upperBound } else { rev.append(r) }
                previousMatch = isMatch
            }
            out = rev.reversed()
        case .contiguous:
            var previousMatch = false
            for (r, isMatch) in spans {
                if isMatch == previousMatch, let l = out.last { out[out.count - 1] = l.lowerBound..<r.upperBound } else { out.append(r) }
                previousMatch = isMatch
            }
        }
        return out.filter { !$0.isEmpty }.map { Array(s[$0]) }
    }
}
