/// A syntax error in a prompt template: the column (1-based, in characters) and what was expected.
public struct TemplateError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The 1-based character column where the problem starts.
    public let column: Int
    /// A lowercase message.
    public let message: String

    /// `template:3: error: …`
    public var description: String { "template:\(column): error: \(message)" }
}

/// One piece of a prompt template.
public enum PromptSegment: Sendable, Equatable {
    /// k virtual tokens from the prompt encoder (the next k, in order).
    case virtual(Int)
    /// Fixed text (anchors), tokenized as is.
    case text(String)
    /// A field filled from each example (`{text}`), tokenized as is.
    case field(String)
}

/// Where virtual tokens go among an example's text: a template such as
/// `<v:3> Review: {text} <v:3> Sentiment:` puts the encoder's tokens 0–2 first, then the anchor text, the example's
/// `text` field, tokens 3–5, and the anchor `Sentiment:`.
///
/// Syntax: `<v:k>` is k virtual tokens (`<v>` is one); `{name}` is a field; `{{` and `}}` are literal braces; all
/// else is text. Spaces and tabs touching a virtual marker are layout, not text, and are dropped (newlines are kept).
/// A template without markers is a plain prompt; PEFT's prepending is `<v:n>{text}`.
public struct PromptTemplate: Sendable, Equatable {
    /// The parsed pieces, in order.
    public let segments: [PromptSegment]

    /// Parses a template.
    public init(_ source: String) throws {
        segments = try PromptTemplate.parse(Array(source))
    }

    /// A template from parsed pieces.
    public init(segments: [PromptSegment]) { self.segments = segments }

    /// PEFT's placement: n virtual tokens, then the field `text`.
    public static func prepend(_ n: Int, field: String = "text") -> PromptTemplate {
        PromptTemplate(segments: [.virtual(n), .field(field)])
    }

    /// The total number of virtual tokens the template places (must equal its encoder's n).
    public var virtualTokenCount: Int {
        segments.reduce(0) { if case let .virtual(k) = $1 { return $0 + k } else { return $0 } }
    }

    /// Whether PEFT can express the placement: all virtual tokens before everything else (PEFT prepends them to
    /// the input; text after them is the data's formatting, which PEFT leaves to the user).
    public var isPrepending: Bool {
        var seenOther = false
        for s in segments {
            switch s {
            case .virtual:
                if seenOther { return false }
            case let .text(t) where t.allSatisfy(\.isWhitespace) && !seenOther:
                continue
            case .text, .field:
                seenOther = true
            }
        }
        return true
    }

    /// The fields the template reads, in order of first use.
    public var fields: [String] {
        var seen: [String] = []
        for case let .field(f) in segments where !seen.contains(f) { seen.append(f) }
        return seen
    }

    /// The sequence of one example: virtual positions numbered in order, text and fields tokenized by `tokenize`
    /// (each piece on its own). Every field the template reads must be in `values`.
    public func render(_ values: [String: String], tokenize: (String) throws -> [Int]) throws -> [SequenceItem] {
        var items: [SequenceItem] = []
        var next = 0
        for s in segments {
            switch s {
            case let .virtual(k):
                for i in 0..<k { items.append(.virtual(next + i)) }
                next += k
            case let .text(t):
                items += try tokenize(t).map { .token($0) }
            case let .field(f):
                guard let v = values[f] else { throw NNError.invalidBatch("the template reads field '\(f)' but the example has none") }
                items += try tokenize(v).map { .token($0) }
            }
        }
        return items
    }

    /// A training example: the rendered template followed by `target` tokens; only the target carries labels
    /// (everything before it gets −100), so the loss is on the answer.
    public func example(_ values: [String: String], target: [Int] = [], task: String = PromptExample.defaultTask,
                        tokenize: (String) throws -> [Int]) throws -> PromptExample {
        let items = try render(values, tokenize: tokenize) + target.map { .token($0) }
        let promptTokens = items.count - target.count - virtualTokenCount
        let labels = [Int](repeating: -100, count: promptTokens) + target
        return try PromptExample(items: items, labels: labels, task: task)
    }

    // MARK: - Parsing

    /// template = { marker | field | text }
    private static func parse(_ c: [Character]) throws -> [PromptSegment] {
        var out: [PromptSegment] = []
        var text = ""
        var i = 0
        func flushText() {
            if !text.isEmpty { out.append(.text(text)); text = "" }
        }
        while i < c.count {
            let ch = c[i]
            if ch == "<", i + 1 < c.count, c[i + 1] == "v", i + 2 < c.count, c[i + 2] == ":" || c[i + 2] == ">" {
                // marker = "<v>" | "<v:" digits ">"
                let start = i
                var k = 1
                if c[i + 2] == ">" {
                    i += 3
                } else {
                    var j = i + 3
                    var digits = ""
                    while j < c.count, c[j].isASCII, c[j].isNumber { digits.append(c[j]); j += 1 }
                    guard j < c.count, c[j] == ">" else {
                        throw TemplateError(column: start + 1, message: "expected '<v:k>' with a whole number k, e.g. '<v:3>'")
                    }
                    guard let n = Int(digits), n > 0 else {
                        throw TemplateError(column: start + 1, message: "'<v:\(digits)>' must place at least one virtual token")
                    }
                    k = n
                    i = j + 1
                }
                while let last = text.last, last == " " || last == "\t" { text.removeLast() }
                flushText()
                out.append(.virtual(k))
                while i < c.count, c[i] == " " || c[i] == "\t" { i += 1 }
                continue
            }
            if ch == "{" {
                if i + 1 < c.count, c[i + 1] == "{" { text.append("{"); i += 2; continue }
                // field = "{" name "}"
                let start = i
                var j = i + 1
                var name = ""
                while j < c.count, c[j] != "}" { name.append(c[j]); j += 1 }
                guard j < c.count else { throw TemplateError(column: start + 1, message: "expected '}' to close '{'") }
                let trimmed = name.trimmingSpaces
                guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw TemplateError(column: start + 1, message: "expected a field name such as '{text}', got '{\(name)}'")
                }
                flushText()
                out.append(.field(trimmed))
                i = j + 1
                continue
            }
            if ch == "}" {
                if i + 1 < c.count, c[i + 1] == "}" { text.append("}"); i += 2; continue }
                throw TemplateError(column: i + 1, message: "unmatched '}' (write '}}' for a literal brace)")
            }
            text.append(ch)
            i += 1
        }
        flushText()
        return out
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
