import PTuneCore

/// An error raised while a script runs. It starts without a place when a builtin or an operation throws it, and
/// the innermost expression that knows its span fills the place in; calls through user functions add notes.
struct RuntimeFailure: Error {
    var message: Message
    var span: SourceSpan?
    var notes: [Diagnostic] = []
    /// Whether the failed statement still bound its names (a `let run = train …` that stopped keeps its history):
    /// the session keeps them.
    var keepsBindings = false

    init(_ message: Message, at span: SourceSpan? = nil) {
        self.message = message
        self.span = span
    }

    /// The diagnostic the session reports.
    var diagnostic: Diagnostic { Diagnostic(message, at: span, notes: notes) }

    /// Any error thrown while running, as a located failure: tensor errors get the language's wording (shape
    /// mismatches name both dims, as the checker does), failures without a place get `span`.
    static func located(_ error: any Error, at span: SourceSpan) -> RuntimeFailure {
        if var f = error as? RuntimeFailure {
            if f.span == nil { f.span = span }
            return f
        }
        if let t = error as? TensorError { return RuntimeFailure(message(for: t), at: span) }
        if let f = error as? FileReadError { return RuntimeFailure(.fileError(path: f.path, f.reason), at: span) }
        if let d = error as? Diagnostic {
            var f = RuntimeFailure(d.message, at: d.span ?? span)
            f.notes = d.notes
            return f
        }
        if let described = error as? any CustomStringConvertible {
            // Errors of the libraries below (PTuneNN, PTuneModels, file IO) describe themselves in lowercase.
            return RuntimeFailure(.tensor(described.description), at: span)
        }
        return RuntimeFailure(.internalError(String(describing: error)), at: span)
    }

    /// The catalogue message for a tensor-core error.
    static func message(for error: TensorError) -> Message {
        switch error {
        case let .broadcastMismatch(op, a, b):
            let (x, y) = firstConflict(a, b, alignRight: true)
            return .shapeMismatch(op: op.isOperator ? op.spelling : "broadcast", lhs: Shape.describe(a), rhs: Shape.describe(b), left: x, right: y)
        case let .matmulMismatch(a, b):
            let x = a.last.map(String.init) ?? "?"
            let y = b.count >= 2 ? String(b[b.count - 2]) : (b.first.map(String.init) ?? "?")
            return .shapeMismatch(op: "matmul", lhs: Shape.describe(a), rhs: Shape.describe(b), left: x, right: y)
        case let .dtypeMismatch(op, a, b):
            return .dtypeMismatch(op: op.spelling, a.rawValue, b.rawValue)
        case let .indexOutOfRange(_, index, size):
            return .indexOutOfRange(index: index, size: size)
        case .unsupportedDType, .shapeMismatch, .reshapeMismatch, .axisOutOfRange, .invalidShape, .invalidArgument,
             .countMismatch, .tooLarge, .tooManyBytes, .outOfMemory, .memoryLimit, .shapeTooLarge, .tooManyAxes, .notScalar,
             .noGradient:
            return .tensor(error.description)
        }
    }

    /// The first pair of dims that differ, as text (`'4'`, `'3'`).
    static func firstConflict(_ a: [Int], _ b: [Int], alignRight: Bool) -> (String, String) {
        let n = Swift.max(a.count, b.count)
        for i in 0..<n {
            let da = alignRight ? (i < n - a.count ? 1 : a[i - (n - a.count)]) : (i < a.count ? a[i] : 1)
            let db = alignRight ? (i < n - b.count ? 1 : b[i - (n - b.count)]) : (i < b.count ? b[i] : 1)
            if da != db && da != 1 && db != 1 { return (String(da), String(db)) }
        }
        return ("?", "?")
    }
}
