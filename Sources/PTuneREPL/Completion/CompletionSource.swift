/// What tab completion needs to know about the language and the session.
public protocol CompletionSource: AnyObject {
    /// Reserved and contextual keywords (`let`, `train`, …).
    var keywordNames: [String] { get }
    /// Names of the builtin functions.
    var builtinNames: [String] { get }
    /// Names defined in the session, in any order.
    func namesInScope() -> [String]
    /// Member names of the value `expression` denotes (`lm` → `dim`, `parameters`, …); empty when unknown.
    func members(of expression: String) -> [String]
    /// Named parameters accepted by `callee` (a builtin name, or `receiver.method`); empty when unknown.
    func parameterNames(of callee: String) -> [String]
    /// Topics `:help` knows about.
    var helpTopics: [String] { get }
    /// The source as it would be after `code` (lines not run yet: the lines of a cell before the cursor's), whose
    /// declarations join the names in scope.
    func scoped(after code: String) -> CompletionSource
}

extension CompletionSource {
    /// A source that does not look at code before the cursor answers as it is.
    public func scoped(after code: String) -> CompletionSource { self }
}

/// The replacement tab completion offers: candidates for the text from `start` (a UTF-8 offset into the line) to
/// the cursor.
public struct CompletionResult: Equatable, Sendable {
    /// What the candidates are.
    public enum Kind: Equatable, Sendable {
        /// Names: named arguments of the innermost call (ending in `:`), names in scope, builtins, keywords.
        case names
        /// Members of a value, after `.`.
        case members
        /// File and folder names, inside a string (folders end in `/`).
        case paths
        /// The REPL's meta-commands, or a meta-command's argument (a help topic).
        case metaCommands
        /// Nothing completes here (a comment).
        case none
    }

    /// What the candidates are.
    public var kind: Kind
    /// Where the completed word begins, as a UTF-8 offset into the line.
    public var start: Int
    /// Replacements for the text between `start` and the cursor, sorted, without duplicates.
    public var candidates: [String]
    /// The character to add after a unique candidate (a space after a keyword, a closing quote after a file name),
    /// or nil for none (after `/`, `(` or `:`).
    public var appendCharacter: Character?

    /// A completion result.
    public init(start: Int, candidates: [String], appendCharacter: Character?, kind: Kind = .names) {
        self.kind = kind
        self.start = start
        self.candidates = candidates
        self.appendCharacter = appendCharacter
    }
}
