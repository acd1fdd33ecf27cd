import Foundation

/// What one CSV or TSV cell holds, read with JSON's number grammar (plus a leading `+`, and digits on one side of the
/// point only: `.5`, `5.`), so a cell means the same in every data format: `0x10` and `1_000` are text, not numbers
/// (Swift's `Double("0x10")` would read 16), and `inf`, `nan` or `1e999999` are numbers no tensor should hold.
enum DelimitedNumber: Equatable {
    /// A finite number.
    case number(Double)
    /// `inf`, `infinity` or `nan` (any case, signed or not), or a number past the float range.
    case notFinite
    /// Anything else.
    case text

    /// The cell's number, if it is a finite one.
    var value: Double? {
        if case let .number(v) = self { return v }
        return nil
    }

    /// Reads `cell`, ignoring surrounding spaces and tabs.
    init(_ cell: String) {
        let t = cell.trimmingCharacters(in: .whitespaces)
        let unsigned = t.first == "+" || t.first == "-" ? t.dropFirst() : t[...]
        if ["inf", "infinity", "nan"].contains(unsigned.lowercased()) {
            self = .notFinite
            return
        }
        guard DelimitedNumber.isDecimal(unsigned), let v = Double(t) else {
            self = .text
            return
        }
        self = v.isFinite ? .number(v) : .notFinite
    }

    /// digits? ("." digits?)? (("e" | "E") ("+" | "-")? digits)?, with at least one digit before the exponent.
    static func isDecimal(_ s: Substring) -> Bool {
        var i = s.startIndex
        func digits() -> Int {
            var n = 0
            while i < s.endIndex, s[i].isASCII, s[i].isNumber { i = s.index(after: i); n += 1 }
            return n
        }
        var mantissa = digits()
        if i < s.endIndex, s[i] == "." {
            i = s.index(after: i)
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if i < s.endIndex, s[i] == "e" || s[i] == "E" {
            i = s.index(after: i)
            if i < s.endIndex, s[i] == "+" || s[i] == "-" { i = s.index(after: i) }
            guard digits() > 0 else { return false }
        }
        return i == s.endIndex
    }
}
