extension Message {
    /// The message text.
    public var description: String {
        switch self {
        case let .unexpectedCharacter(c, hint):
            return "unexpected character '\(c)'" + (hint.map { "; \($0)" } ?? "")
        case .invalidUTF8:
            return "invalid UTF-8 in the source text"
        case let .badNumber(t):
            return "invalid number '\(t)'"
        case let .badEscape(e):
            return e.isEmpty ? "incomplete escape sequence in string" : "unknown escape sequence '\\\(e)' in string (use \\n, \\t, \\\" or \\\\)"
        case .unterminatedString:
            return "unterminated string: expected '\"' before the end of the line"
        case let .tooManyErrors(omitted):
            return "too many syntax errors: \(omitted) more not shown (fix the first ones and run again)"
        case let .expectedClosing(closer, opener, at):
            return "expected '\(closer)' to close '\(opener)' at \(at)"
        case let .expectedToken(what, context, found):
            return "expected \(what) \(context), found \(found)"
        case let .expectedName(after, found):
            return "expected a name after \(after), found \(found)"
        case let .expectedExpression(found):
            return "expected an expression, found \(found)"
        case let .expectedStatementEnd(found):
            return "expected the end of the statement, found \(found) (separate statements on one line with ';')"
        case .chainedComparison:
            return "comparisons cannot be chained; combine them with 'and'"
        case .chainedRange:
            return "ranges cannot be chained"
        case let .keywordAsExpression(k):
            return "expected an expression, found keyword '\(k)'"
        case let .unmatchedClosing(c):
            return "unexpected '\(c)' with nothing to close"
        case .elseWithoutIf:
            return "'else' without a matching 'if'"
        case let .nestedTooDeeply(n):
            return "expression nested too deeply (more than \(n) levels)"
        case let .positionalAfterNamed(label):
            return "positional argument after the named argument '\(label):'; put positional arguments first"
        case let .invalidAssignmentTarget(op):
            return "cannot assign with '\(op)' to this expression; only names and members can be assigned"
        case let .duplicateParameter(n):
            return "parameter '\(n)' is listed twice"
        case let .defaultNotLiteral(n):
            return "the default of parameter '\(n)' must be a literal (a number, string, true, false, none or a list of them)"
        case let .unknownName(n, suggestion):
            return "cannot find '\(n)' in scope" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case let .usedBeforeDeclaration(n):
            return "'\(n)' is used before its declaration"
        case let .assignToUndeclared(n):
            return "cannot assign to '\(n)': it is not declared; declare it with 'let \(n) = …'"
        case let .cannotAssign(n, kind, hint):
            return "cannot assign to \(kind) '\(n)'" + (hint.isEmpty ? "" : "; \(hint)")
        case let .topLevelOnly(what):
            return "\(what) is only allowed at the top level of a script"
        case .returnOutsideFunction:
            return "'return' outside a function"
        case let .outsideLoop(k):
            return "'\(k)' outside a loop"
        case let .unknownDType(n):
            return "unknown dtype '\(n)'; expected float32 or float64"
        case let .badDim(n, why):
            return "dim '\(n)' \(why)"
        case let .importCycle(path):
            return "import cycle: '\(path)' is already being imported"
        case let .importsTooDeep(n):
            return "imports nested too deeply (more than \(n) files, each importing the next)"
        case let .tooManyNames(n):
            return "too many top-level names (a session holds at most \(n))"
        case let .shadowsBuiltin(n):
            return "'\(n)' is a builtin; choose another name"
        case let .unknownArgument(function, label, accepted, suggestion):
            let list = accepted.isEmpty ? "it takes no named arguments" : "it accepts " + accepted.map { "'\($0)'" }.joined(separator: ", ")
            return "'\(function)' has no argument '\(label)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (\(list))"
        case let .missingArgument(function, name):
            return "missing argument '\(name)' in call to '\(function)'"
        case let .duplicateField(name):
            return "the field '\(name)' is given twice in the record"
        case let .duplicateArgument(function, name):
            return "argument '\(name)' is given twice in call to '\(function)'"
        case let .tooManyArguments(function, max, got):
            return "'\(function)' takes \(max == 0 ? "no" : "at most \(max)") positional argument\(max == 1 ? "" : "s"), got \(got)"
        case let .notCallable(kind):
            return "cannot call \(kind)"
        case let .unknownMember(kind, member, available, suggestion):
            var s = "\(kind) has no member '\(member)'"
            if let suggestion { s += "; did you mean '\(suggestion)'?" } else if !available.isEmpty && available.count <= 12 {
                s += " (members: " + available.joined(separator: ", ") + ")"
            }
            return s
        case let .wrongKind(context, expected, got):
            return "\(context) expects \(expected), got \(got)"
        case let .operatorKinds(op, lhs, rhs):
            return "cannot apply '\(op)' to \(lhs) and \(rhs)"
        case let .unaryKind(op, operand):
            return "cannot apply '\(op)' to \(operand)"
        case let .shapeMismatch(op, lhs, rhs, left, right):
            return "cannot \(op) \(lhs) with \(rhs): '\(left)' vs '\(right)'"
        case let .badShape(op, why):
            return "\(op): \(why)"
        case let .modelInputMismatch(model, expected, got, dim):
            return "\(model) reads inputs whose last axis is \(expected) wide, but is given \(got): \(expected) vs \(dim)"
        case let .encoderWidthMismatch(encoder, width, model, embeds):
            return "\(encoder) makes tokens of width \(width), but \(model) embeds tokens of width \(embeds)"
        case let .prefixMismatch(encoder, made, model, has):
            return "\(encoder) is a prefix made for a model with \(made), but \(model) has \(has)"
        case let .raggedLiteral(why):
            return "ragged tensor literal: \(why)"
        case let .tensor(m):
            return m
        case let .dtypeMismatch(op, a, b):
            return "\(op): cannot mix dtypes \(a) and \(b); convert one with to(x, \(a)) or to(x, \(b))"
        case .divisionByZero:
            return "division by zero"
        case let .indexOutOfRange(index, size):
            return "index \(index) is out of range for size \(size)"
        case let .notInteger(context, value):
            return "\(context) must be an integer, got \(value)"
        case let .badArgument(function, why):
            return "\(function): \(why)"
        case let .assertionFailed(m):
            return "assertion failed" + (m.map { ": \($0)" } ?? "")
        case let .nonFiniteLoss(value, step, last):
            return "loss is \(value) at step \(step)" + (last.map { "; the last finite loss was \($0)" } ?? "")
        case let .interrupted(why):
            return "interrupted: \(why)"
        case let .limitReached(what):
            return "stopped: \(what)"
        case let .recursionTooDeep(n):
            return "function calls nested too deeply (more than \(n)); is there a recursion without an end?"
        case let .stackExhausted(n):
            return "function calls nested too deeply for the stack (\(n) calls deep); is there a recursion without an end?"
        case let .pathNotAllowed(path, allowed):
            return "access to '\(path)' is not allowed: scripts may only use files inside " +
                allowed.map { "'\($0)'" }.joined(separator: " and ") + " (widen with --allow-path)"
        case let .fileError(path, why):
            return "cannot use '\(path)': \(why)"
        case let .badData(path, why):
            return "malformed data in '\(path)': \(why)"
        case let .cannotResume(path, why):
            return "cannot resume from '\(path)': \(why)"
        case let .uninitialized(n):
            return "'\(n)' has no value: the statement that declared it failed"
        case let .badOverride(why):
            return "--set: \(why)"
        case let .cannotExport(why):
            return "cannot export to PyTorch: \(why)"
        case let .trainingCaptured(name):
            return "stopped at the training of '\(name)': the export read it instead of running it"
        case let .internalError(what):
            return "internal error (please report): \(what)"
        case let .calledFrom(name):
            return "in a call to '\(name)'"
        case let .declaredHere(name):
            return "'\(name)' is declared here"
        }
    }
}
