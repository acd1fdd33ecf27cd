import PTuneCore

/// `--set NAME=VALUE`: a value that replaces a top-level `dim` or a `let` of a literal, so one recipe serves a sweep.
public struct Override: Sendable {
    /// The name of the `dim` or `let` it replaces.
    public let name: String
    /// The value as written (a number, `true`/`false`, a string in quotes, a list of numbers; a bare word is a string).
    public let text: String
    /// The value, parsed.
    let value: Value

    /// Parses `NAME=VALUE`, or throws a message saying what is wrong.
    public init(parsing assignment: String) throws(Diagnostic) {
        guard let eq = assignment.firstIndex(of: "=") else {
            throw Diagnostic(.badOverride("expected NAME=VALUE, got '\(assignment)'"), at: nil)
        }
        let name = String(assignment[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(assignment[assignment.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        guard let first = name.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII),
              name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }) else {
            throw Diagnostic(.badOverride("'\(name)' is not a name"), at: nil)
        }
        self.name = name
        self.text = text
        self.value = try Override.parseValue(text)
    }

    /// A literal value from its text.
    static func parseValue(_ text: String) throws(Diagnostic) -> Value {
        let file = SourceFile(name: "--set", text: text)
        let parsed = Parser.parse(file)
        if parsed.diagnostics.isEmpty, parsed.statements.count == 1, case let .expression(e, _) = parsed.statements[0],
           let v = Checker.literal(e) {
            return v
        }
        // A bare word (or anything else that is not a literal) is a string: --set model=smollm2-135m.
        if !text.isEmpty, !text.contains("\"") { return .string(text) }
        throw Diagnostic(.badOverride("cannot read the value '\(text)'"), at: nil)
    }

    /// The override as an expression standing where the declaration's value was.
    func expression(at span: SourceSpan) -> Expr {
        func expr(_ v: Value) -> Expr {
            switch v {
            case let .number(x): return .number(x, span)
            case let .string(s): return .string(s, span)
            case let .bool(b): return .bool(b, span)
            case let .list(items):
                let es = items.map(expr)
                if let lit = Parser.tensorLiteral(es) { return .tensor(lit, span) }
                return .list(es, span)
            case .none, .tensor, .param, .range, .record, .function, .builtin, .model, .encoder, .dataset, .optimizer,
                 .schedule:
                return .none(span)
            }
        }
        return expr(value)
    }
}
