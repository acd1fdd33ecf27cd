import Foundation
import PTuneLang

/// Tab completion asks the language session: its names, the members of a value, the parameters of a call, and
/// what `:help` explains.
extension Session: CompletionSource {
    /// Reserved and contextual keywords.
    public var keywordNames: [String] { Completer.keywords }

    /// Every builtin callable by name.
    public var builtinNames: [String] { registry.globalNames }

    /// The names the session holds (and builtins and keywords, which the completer merges anyway).
    public func namesInScope() -> [String] { completionNames }

    /// The parameter names of a builtin or user function (`adam`), `train`'s options, or a method (`opt.step`,
    /// from the static kind of the receiver).
    public func parameterNames(of callee: String) -> [String] { parameterNames(ofCallee: callee) }

    /// Builtins, topics and keywords `:help` explains.
    public var helpTopics: [String] { HelpTopic.names(in: registry) }

    /// The session as it would be after `code`: its declarations are in scope, with their checked types.
    public func scoped(after code: String) -> CompletionSource { scope(after: code) }
}

/// Completion in a cell asks the scope after the cell's lines before the cursor.
extension SessionScope: CompletionSource {
    /// Reserved and contextual keywords.
    public var keywordNames: [String] { Completer.keywords }

    /// Every builtin callable by name.
    public var builtinNames: [String] { registry.globalNames }

    /// The names in scope: the session's, and those the code before the cursor declares.
    public func namesInScope() -> [String] { names }

    /// The parameter names of a call of `callee`.
    public func parameterNames(of callee: String) -> [String] { parameterNames(ofCallee: callee) }

    /// Builtins, topics and keywords `:help` explains.
    public var helpTopics: [String] { HelpTopic.names(in: registry) }
}
