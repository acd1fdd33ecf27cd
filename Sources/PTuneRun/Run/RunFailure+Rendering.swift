import PTuneLang

/// How a failed run reads on a terminal.
extension RunFailure {
    /// Whether Ctrl-C stopped the run at a step boundary (what ran so far is kept).
    public var isInterruption: Bool {
        guard case let .runtime(d) = self, case .interrupted = d.message else { return false }
        return true
    }

    /// Every diagnostic, rendered with its source line and caret; a stop by Ctrl-C is one line. Given the `file`
    /// that ran (a script, `-e` or standard input), input that ends inside a statement is a syntax error located
    /// there ("expected ')' to close '(' at 1:7"), not the REPL's cue for more input.
    public func rendered(color: Bool, in file: SourceFile? = nil) -> String {
        switch self {
        case .incomplete:
            let located = located(in: file)
            guard !located.isEmpty else { return "error: " + RunFailure.unfinishedInput }
            return located.map { $0.rendered(color: color) }.joined(separator: "\n")
        case let .runtime(d) where isInterruption:
            return "\(d.message)"
        case .syntax, .check, .runtime:
            return diagnostics.map { $0.rendered(color: color) }.joined(separator: "\n")
        }
    }

    /// What an input that ends inside a statement lacks, when no place can be given.
    public static let unfinishedInput = "unexpected end of input: a '{', '(' or '[' is not closed"

    /// The diagnostics with their places: for input that ends inside a statement, the syntax errors of `file` (the
    /// bracket left open); otherwise ``diagnostics``.
    public func located(in file: SourceFile?) -> [Diagnostic] {
        guard case .incomplete = self else { return diagnostics }
        return file.map { Parser.parse($0).diagnostics } ?? []
    }
}
