/// What the text before the cursor says about the word being completed. A small scan that follows strings,
/// comments and brackets over a REPL line or a whole document up to the cursor; enough for completion, where a wrong
/// guess costs nothing (the parser decides everything that matters).
struct CompletionContext {
    /// The kind of position the cursor is at.
    enum Kind: Equatable {
        /// Inside a `#` comment: nothing to complete.
        case comment
        /// A line starting with `:`, still on the command word.
        case metaCommand(String)
        /// After a meta-command and a space: its argument so far.
        case metaArgument(command: String, word: String)
        /// Inside a string literal: the text after its opening quote.
        case string(String)
        /// In code.
        case code
    }

    /// Where the cursor is.
    private(set) var kind: Kind = .code
    /// The identifier characters right before the cursor (possibly empty).
    private(set) var word = ""
    /// For `x.y.wo|`: `x.y`, the expression whose member is being typed.
    private(set) var receiver: String?
    /// The callee of the innermost open call (`adam` in `adam(lr: 1e-3, we|`), or nil; `train` at the start of a
    /// line inside a `train` block, where its options are named.
    private(set) var callee: String?

    /// Scans `bytes`, the text up to the cursor: a REPL line, a notebook cell's lines or a document's. When
    /// `metaCommands` is set, a line starting with `:` is a meta-command; strings and comments end at the end of their
    /// line, and brackets left open on earlier lines still count (a call continued on the next line).
    init(scanning bytes: [UInt8], metaCommands: Bool = true) {
        let lineStart = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let line = String(decoding: bytes[lineStart...], as: UTF8.self)
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if metaCommands && trimmed.hasPrefix(":") {
            if let space = trimmed.firstIndex(of: " ") {
                let command = String(trimmed[..<space])
                let argument = trimmed[trimmed.index(after: space)...].drop { $0 == " " }
                kind = .metaArgument(command: command, word: String(argument))
            } else {
                kind = .metaCommand(String(trimmed))
            }
            return
        }
        var calls: [String?] = []        // one entry per open bracket: the callee for "(", nil for "[" and "{"
        var i = 0
        var stringStart: Int?
        while i < bytes.count {
            let b = bytes[i]
            if stringStart != nil {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                // A string ends at its closing quote, or (unterminated) at the end of its line.
                if b == UInt8(ascii: "\"") || b == 0x0A { stringStart = nil }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: "#"):
                // A comment runs to the end of its line; the cursor may be in it.
                guard let newline = bytes[i...].firstIndex(of: 0x0A) else {
                    kind = .comment
                    return
                }
                i = newline
            case UInt8(ascii: "\""):
                stringStart = i + 1
            case UInt8(ascii: "("):
                calls.append(CompletionContext.chain(endingAt: i, in: bytes))
            case UInt8(ascii: "{"):
                calls.append(CompletionContext.opensTrainBlock(at: i, in: bytes) ? "train" : nil)
            case UInt8(ascii: "["):
                calls.append(nil)
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if !calls.isEmpty { calls.removeLast() }
            default:
                break
            }
            i += 1
        }
        if let s = stringStart {
            kind = .string(String(decoding: bytes[min(s, bytes.count)...], as: UTF8.self))
            return
        }
        callee = calls.last ?? nil
        var start = bytes.count
        while start > 0 && CompletionContext.isIdentifier(bytes[start - 1]) { start -= 1 }
        // Inside a `train` block, options are named only where a line starts; elsewhere are their values.
        if callee == "train" && !CompletionContext.startsLine(at: start, in: bytes) { callee = nil }
        word = String(decoding: bytes[start...], as: UTF8.self)
        if start > 0 && bytes[start - 1] == UInt8(ascii: ".") {
            let chain = CompletionContext.chain(endingAt: start - 1, in: bytes)
            receiver = chain
        }
    }

    /// The dotted name (`opt.step`, `lm`) that ends right before `end`, or nil when there is none.
    static func chain(endingAt end: Int, in bytes: [UInt8]) -> String? {
        var start = end
        while start > 0 && (isIdentifier(bytes[start - 1]) || bytes[start - 1] == UInt8(ascii: ".")) { start -= 1 }
        while start < end && bytes[start] == UInt8(ascii: ".") { start += 1 }
        guard start < end, !(bytes[start] >= UInt8(ascii: "0") && bytes[start] <= UInt8(ascii: "9")) else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Whether the `{` at `brace` opens a `train` block: its line starts with `train` or `let NAME = train`.
    static func opensTrainBlock(at brace: Int, in bytes: [UInt8]) -> Bool {
        var start = brace
        while start > 0 && bytes[start - 1] != 0x0A && bytes[start - 1] != UInt8(ascii: ";") && bytes[start - 1] != UInt8(ascii: "{") {
            start -= 1
        }
        let words = String(decoding: bytes[start..<brace], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" })
        return words.first == "train" || (words.count > 3 && words[0] == "let" && words[2] == "=" && words[3] == "train")
    }

    /// Whether only spaces and tabs stand between the start of its line (or a `;` or `{`) and `offset`.
    static func startsLine(at offset: Int, in bytes: [UInt8]) -> Bool {
        var i = offset
        while i > 0 {
            switch bytes[i - 1] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"): i -= 1
            case 0x0A, UInt8(ascii: ";"), UInt8(ascii: "{"): return true
            default: return false
            }
        }
        return true
    }

    /// Letters, digits, `_`, and any non-ASCII byte (names may hold Unicode letters).
    static func isIdentifier(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
    }
}
