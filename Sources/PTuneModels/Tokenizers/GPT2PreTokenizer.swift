/// The GPT-2 pre-tokenizer: splits text into the pieces that BPE encodes separately, by the pattern
///
/// ```
/// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// ```
///
/// matched by hand (linear time, no regex engine) over Unicode scalars, as the reference does. With
/// `isolateDigits` (SmolLM2's "smollm" pre-tokenizer: Hugging Face `Digits(individual_digits: true)` first, i.e.
/// `\p{N}` isolated), every numeric character (`7`, `٣`, `²`, `Ⅻ`) is a piece of its own and the pattern runs on the
/// text between them.
struct GPT2PreTokenizer: Sendable {
    /// Split every numeric character (`\p{N}`) off first.
    var isolateDigits: Bool

    /// Character classes of the pattern.
    enum Kind { case letter, number, space, other }

    @inline(__always) static func kind(_ s: Unicode.Scalar) -> Kind {
        let v = s.value
        if v < 128 {
            if (v >= 65 && v <= 90) || (v >= 97 && v <= 122) { return .letter }
            if v >= 48 && v <= 57 { return .number }
            if v == 32 || (v >= 9 && v <= 13) { return .space }
            return .other
        }
        if s.properties.isWhitespace { return .space }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// The pieces of `s` as half-open ranges of scalar positions, in order; together they cover `s` exactly.
    func split(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(s.count / 3 + 1)
        guard isolateDigits else { GPT2PreTokenizer.pattern(s, 0..<s.count, into: &out); return out }
        var start = 0
        for i in 0..<s.count where GPT2PreTokenizer.kind(s[i]) == .number {
            if start < i { GPT2PreTokenizer.pattern(s, start..<i, into: &out) }
            out.append(i..<(i + 1))
            start = i + 1
        }
        if start < s.count { GPT2PreTokenizer.pattern(s, start..<s.count, into: &out) }
        return out
    }

    /// Applies the GPT-2 pattern to `s[range]` (the pattern sees only that span: its end is the text's end).
    static func pattern(_ s: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Range<Int>]) {
        let end = range.upperBound
        var i = range.lowerBound
        func run(from j: Int, _ k: Kind) -> Int {
            var j = j
            while j < end && kind(s[j]) == k { j += 1 }
            return j
        }
        while i < end {
            let c = s[i]
            // 's|'t|'re|'ve|'m|'ll|'d
            if c == "'" && i + 1 < end {
                let a = s[i + 1]
                if a == "s" || a == "t" || a == "m" || a == "d" { out.append(i..<(i + 2)); i += 2; continue }
                if i + 2 < end {
                    let b = s[i + 2]
                    if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") {
                        out.append(i..<(i + 3)); i += 3; continue
                    }
                }
            }
            let k = kind(c)
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional U+0020 then a run of one class.
            var body = i
            if c == " ", i + 1 < end, kind(s[i + 1]) != .space { body = i + 1 }
            let bk = body == i ? k : kind(s[body])
            if bk != .space {
                let j = run(from: body, bk)
                out.append(i..<j); i = j; continue
            }
            // `\s+(?!\S)` then `\s+`: a whitespace run, leaving its last char to a following non-space.
            let j = run(from: i, .space)
            if j == end || j - i == 1 { out.append(i..<j); i = j } else { out.append(i..<(j - 1)); i = j - 1 }
        }
    }
}
