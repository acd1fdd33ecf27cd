import Foundation

/// BERT's text normalisation and basic tokenization, as Hugging Face's `BertNormalizer` + `BertPreTokenizer`:
///
/// 1. clean: drop NUL, U+FFFD and control/format/surrogate/private-use characters (tab, newline and carriage
///    return excepted; unassigned ones stay, as in the reference); every whitespace character becomes a space;
/// 2. put spaces around CJK ideographs, so each is a word;
/// 3. strip accents (when asked; by default whenever lowercasing): canonical decomposition (NFD), then drop
///    non-spacing marks — "café" → "cafe", and Hangul syllables fall apart into their jamo as in the reference;
/// 4. lowercase, character by character (full Unicode mappings);
/// 5. split on whitespace and make every punctuation character (ASCII punctuation or Unicode `P*`) a word.
///
/// Where the reference's Unicode tables are older than Swift's, ``BertReferenceUnicode`` says how it classifies.
struct BertTextSplitter: Sendable {
    var lowercase: Bool
    var stripAccents: Bool

    /// The words of `text`, each as its scalars.
    func words(_ text: String) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        var ascii = true
        for s in text.unicodeScalars {
            let v = s.value
            if v == 0 || v == 0xFFFD || BertTextSplitter.isControl(s) { continue }
            if BertTextSplitter.isWhitespace(s) { cleaned.append(" "); continue }
            if v >= 128 { ascii = false }
            if BertTextSplitter.isCJK(v) {
                cleaned.append(" "); cleaned.append(s); cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        var scalars: [Unicode.Scalar]
        if stripAccents && !ascii {
            let nfd = String(cleaned).decomposedStringWithCanonicalMapping
            scalars = nfd.unicodeScalars.filter { !BertTextSplitter.isMark($0) }
        } else {
            scalars = Array(cleaned)
        }
        if lowercase {
            if ascii {
                scalars = scalars.map { $0.value >= 65 && $0.value <= 90 ? Unicode.Scalar($0.value + 32) ?? $0 : $0 }
            } else {
                var lowered: [Unicode.Scalar] = []
                lowered.reserveCapacity(scalars.count)
                for s in scalars { lowered.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars) }
                scalars = lowered
            }
        }
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for s in scalars {
            if BertTextSplitter.isWhitespace(s) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else if BertTextSplitter.isPunctuation(s) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append([s])
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Tab, newline, carriage return and Unicode `White_Space`.
    @inline(__always) static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 128 { return v == 32 || (v >= 9 && v <= 13) }
        return s.properties.isWhitespace
    }

    /// The `C*` categories but unassigned (control, format, surrogate, private use), except tab, newline and CR.
    @inline(__always) static func isControl(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v == 9 || v == 10 || v == 13 { return false }
        if v < 128 { return v < 32 || v == 127 }
        if BertReferenceUnicode.override(v) != nil { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse: return true
        default: return false
        }
    }

    /// ASCII punctuation (which includes symbols such as `$`, `+`, `^`) or Unicode punctuation `P*`.
    @inline(__always) static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 128 {
            return (v >= 33 && v <= 47) || (v >= 58 && v <= 64) || (v >= 91 && v <= 96) || (v >= 123 && v <= 126)
        }
        if let o = BertReferenceUnicode.override(v) { return o == .punctuation }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// A non-spacing mark (`Mn`), which accent stripping drops.
    @inline(__always) static func isMark(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x300 { return false }
        if let o = BertReferenceUnicode.override(v) { return o == .mark }
        return s.properties.generalCategory == .nonspacingMark
    }

    /// The CJK Unified Ideographs blocks (and their extensions and compatibility forms) that BERT splits apart.
    @inline(__always) static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B920...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
