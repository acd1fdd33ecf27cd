import Foundation

/// Printed output compared the way a reader compares it with a page: the text between the numbers must be the same,
/// and each number may differ from the one shown by one unit of the coarser of the two last printed digits, or by
/// 1e-4 relative. That is what a different CPU changes in float32 results: OpenBLAS picks its sgemm kernel per CPU
/// (Haswell's on AMD Zen 4, SkylakeX's on a Xeon), and the kernels split their sums differently. Numbers printed
/// without a point or an exponent on both sides (counts, shapes, steps, ids) must be equal.
enum PrintedNumbers {
    /// A piece of printed text.
    enum Token: Equatable {
        case text(String)
        case number(String)
    }

    /// The text cut into numbers and what lies between them. A number starts at a digit (or a sign before one) that
    /// does not continue a word or another number, so `float32`, `v2` and `x1` stay text.
    static func tokens(_ s: String) -> [Token] {
        let chars = Array(s)
        var out: [Token] = [], text = "", i = 0
        func isDigit(_ k: Int) -> Bool { k < chars.count && chars[k].isASCII && chars[k].isNumber }
        func digits(from k: Int) -> Int { var j = k; while isDigit(j) { j += 1 }; return j }
        while i < chars.count {
            let previous: Character? = i > 0 ? chars[i - 1] : nil
            let continues = previous.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } ?? false
            let signed = (chars[i] == "-" || chars[i] == "+") && isDigit(i + 1)
            guard !continues, isDigit(i) || signed else { text.append(chars[i]); i += 1; continue }
            var j = digits(from: signed ? i + 1 : i)
            if j < chars.count, chars[j] == ".", isDigit(j + 1) { j = digits(from: j + 1) }
            if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                let sign = j + 1 < chars.count && (chars[j + 1] == "-" || chars[j + 1] == "+")
                let start = sign ? j + 2 : j + 1
                if isDigit(start) { j = digits(from: start) }
            }
            if !text.isEmpty { out.append(.text(text)); text = "" }
            out.append(.number(String(chars[i..<j])))
            i = j
        }
        if !text.isEmpty { out.append(.text(text)) }
        return out
    }

    /// One unit of a number's last printed digit: 1e-8 for `0.31910938`, 1e-5 for `1.5e-3`, 1 for `368`.
    static func unit(_ n: String) -> Double {
        let lower = n.lowercased()
        let mantissa = lower.split(separator: "e", maxSplits: 1).first.map(String.init) ?? lower
        let exponent = lower.contains("e") ? Int(lower.split(separator: "e", maxSplits: 1).last ?? "") ?? 0 : 0
        let decimals = mantissa.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
        return pow(10, Double(exponent - decimals))
    }

    static func isIntegral(_ n: String) -> Bool { !n.contains(".") && !n.lowercased().contains("e") }

    /// Whether two printed numbers agree as described above.
    static func close(_ got: String, _ expected: String) -> Bool {
        if got == expected { return true }
        if isIntegral(got) && isIntegral(expected) { return false }
        guard let a = Double(got), let b = Double(expected) else { return false }
        let tolerance = max(1e-4 * max(abs(a), abs(b)), 1.0001 * max(unit(got), unit(expected)))
        return abs(a - b) <= tolerance
    }

    /// Whether a printed text agrees with the one shown: the same text between numbers, the numbers `close`.
    static func agree(_ got: String, _ expected: String) -> Bool {
        let g = tokens(got), e = tokens(expected)
        guard g.count == e.count else { return false }
        return zip(g, e).allSatisfy { pair in
            switch pair {
            case let (.number(x), .number(y)): close(x, y)
            case let (.text(x), .text(y)): x == y
            default: false
            }
        }
    }

    /// Whether printed lines agree line for line.
    static func agree(_ got: [String], _ expected: [String]) -> Bool {
        got.count == expected.count && zip(got, expected).allSatisfy { agree($0, $1) }
    }

    /// Whether a line matches a pattern line in which `…` stands for any text, a run of spaces for any run of spaces,
    /// and each number for a number `close` to it.
    static func line(_ got: String, matches pattern: String) -> Bool {
        var regex = "^", shown: [String] = []
        for token in tokens(pattern) {
            switch token {
            case .text(let t):
                regex += t.components(separatedBy: "…").map {
                    NSRegularExpression.escapedPattern(for: $0).replacingOccurrences(of: " +", with: " +", options: .regularExpression)
                }.joined(separator: ".*")
            case .number(let n):
                regex += #"(?<![0-9.])([-+]?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)(?![0-9])"#
                shown.append(n)
            }
        }
        guard let re = try? NSRegularExpression(pattern: regex + "$"),
              let m = re.firstMatch(in: got, range: NSRange(got.startIndex..., in: got)) else { return false }
        return shown.indices.allSatisfy { k in
            Range(m.range(at: k + 1), in: got).map { close(String(got[$0]), shown[k]) } ?? false
        }
    }
}
