/// The catalogue of every message ptune reports, lexer to runtime, in the swift-syntax style: lowercase, the token or
/// name in quotes, and what was expected. Nothing else in PTuneLang spells a diagnostic.
public enum Message: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: Lexical
    /// A byte that starts no token.
    case unexpectedCharacter(String, hint: String?)
    /// Bytes that are not UTF-8.
    case invalidUTF8
    /// A malformed number.
    case badNumber(String)
    /// An unknown `\x` escape in a string.
    case badEscape(String)
    /// A string without its closing quote.
    case unterminatedString
    /// More syntax errors than one run reports: the first ``Parser/errorLimit`` are shown, then this.
    case tooManyErrors(omitted: Int)

    // MARK: Syntax
    /// `expected ')' to close '(' at 3:7`
    case expectedClosing(String, opener: String, at: String)
    /// `expected '=' after 'let x', found number '3'`
    case expectedToken(String, context: String, found: String)
    /// `expected a name after 'let', found '='`
    case expectedName(after: String, found: String)
    /// `expected an expression, found ')'`
    case expectedExpression(found: String)
    /// Two statements on one line.
    case expectedStatementEnd(found: String)
    /// `a < b < c`
    case chainedComparison
    /// `1..2..3`
    case chainedRange
    /// A keyword where an expression should be.
    case keywordAsExpression(String)
    /// A stray `}`.
    case unmatchedClosing(String)
    /// `else` with no `if`.
    case elseWithoutIf
    /// Input nested past the parser's limit.
    case nestedTooDeeply(Int)
    /// `f(a: 1, 2)`
    case positionalAfterNamed(String)
    /// `3 = x`
    case invalidAssignmentTarget(String)
    /// `fn f(x, x)`
    case duplicateParameter(String)
    /// `fn f(x, k = y)`: a default must be known before anything runs
    case defaultNotLiteral(String)

    // MARK: Names and declarations
    /// `cannot find 'embd' in scope; did you mean 'embed'?`
    case unknownName(String, suggestion: String?)
    /// A top-level name used on a line before the one that declares it.
    case usedBeforeDeclaration(String)
    /// Assigning to a name never declared.
    case assignToUndeclared(String)
    /// Assigning to a name whose kind forbids it (`dim`, `param`, `frozen`, a function, a builtin).
    case cannotAssign(String, kind: String, hint: String)
    /// A declaration inside a block that only the top level may hold.
    case topLevelOnly(String)
    /// `return` outside a function.
    case returnOutsideFunction
    /// `break`/`continue` outside a loop.
    case outsideLoop(String)
    /// An unknown dtype name.
    case unknownDType(String)
    /// A dim that is not a positive integer.
    case badDim(String, String)
    /// `import` of a file that imports itself, directly or not.
    case importCycle(String)
    /// An `import` inside files imported more than this many deep.
    case importsTooDeep(Int)
    /// More top-level names than a session holds.
    case tooManyNames(Int)
    /// A declaration shadows a builtin.
    case shadowsBuiltin(String)

    // MARK: Calls and members
    /// `'sgd' has no argument 'rate'; it accepts params, lr, momentum`
    case unknownArgument(function: String, label: String, accepted: [String], suggestion: String?)
    /// `missing argument 'lr' in call to 'sgd'`
    case missingArgument(function: String, name: String)
    /// An argument given twice.
    case duplicateArgument(function: String, name: String)
    /// A record literal's field given twice.
    case duplicateField(String)
    /// Too many positional arguments.
    case tooManyArguments(function: String, max: Int, got: Int)
    /// Calling something that is not a function.
    case notCallable(String)
    /// `x.shap`
    case unknownMember(kind: String, member: String, available: [String], suggestion: String?)

    // MARK: Kinds and shapes
    /// `'concat' expects a tensor for 'b', got a string`
    case wrongKind(context: String, expected: String, got: String)
    /// `cannot apply '+' to a string and a tensor`
    case operatorKinds(op: String, lhs: String, rhs: String)
    /// `cannot apply 'not' to a tensor`
    case unaryKind(op: String, operand: String)
    /// `cannot concat [virtual, embed] with [1, out]: 'embed' vs 'out'`
    case shapeMismatch(op: String, lhs: String, rhs: String, left: String, right: String)
    /// A shape problem that is not a pairwise mismatch.
    case badShape(op: String, String)
    /// `'head' reads [..., 'embed' (8)] but is given [4, 'd'] ...`: a model applied to inputs of another width.
    case modelInputMismatch(model: String, expected: String, got: String, dim: String)
    /// An input encoder whose tokens are not as wide as the model's embeddings.
    case encoderWidthMismatch(encoder: String, width: String, model: String, embeds: String)
    /// A prefix encoder made for a model of other layers or key/value widths.
    case prefixMismatch(encoder: String, made: String, model: String, has: String)
    /// A ragged tensor literal.
    case raggedLiteral(String)
    /// An error from a library below the language (the tensor core, PTuneNN, PTuneModels, file IO).
    case tensor(String)
    /// Mixing dtypes.
    case dtypeMismatch(op: String, String, String)

    // MARK: Runtime
    /// `x / 0` on numbers.
    case divisionByZero
    /// An index outside a list or tensor.
    case indexOutOfRange(index: Int, size: Int)
    /// A number where an integer is needed.
    case notInteger(context: String, value: String)
    /// A value outside what an argument accepts.
    case badArgument(function: String, String)
    /// `assert` failed.
    case assertionFailed(String?)
    /// A NaN or infinite loss during training.
    case nonFiniteLoss(value: String, step: Int, lastFinite: String?)
    /// Ctrl-C stopped the run.
    case interrupted(String)
    /// A run reached its time or step limit (`--timeout`).
    case limitReached(String)
    /// `fn` calls nested past the limit.
    case recursionTooDeep(Int)
    /// Calls nested so deeply (this many) that the stack is used up before the call-depth limit.
    case stackExhausted(Int)
    /// A path outside the folders the script may touch.
    case pathNotAllowed(String, allowed: [String])
    /// A file that could not be read or written.
    case fileError(path: String, String)
    /// A malformed data file (`file:line: why`).
    case badData(path: String, String)
    /// A `train` block's `resume:` checkpoint that is missing or from another recipe.
    case cannotResume(path: String, String)
    /// A variable whose declaration failed, read later (REPL).
    case uninitialized(String)
    /// A `--set` override that matched nothing, or could not be read.
    case badOverride(String)
    /// A construct of a `train` block that an export to PyTorch + PEFT cannot express.
    case cannotExport(String)
    /// The script stopped at a `train` block an export read instead of running (names what it trains).
    case trainingCaptured(String)
    /// A bug in ptune itself (reported, never trapped).
    case internalError(String)
    /// Context added to a runtime error: where a function was called.
    case calledFrom(String)
    /// A note pointing at a declaration.
    case declaredHere(String)

    /// Whether the message comes from the lexer (such an error never counts as unfinished input).
    var isLexical: Bool {
        if case .unexpectedCharacter = self { return true }
        if case .invalidUTF8 = self { return true }
        if case .badNumber = self { return true }
        if case .badEscape = self { return true }
        if case .unterminatedString = self { return true }
        return false
    }
}
