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
    public func parameterNames(of callee: String) -> [String] {
        guard let dot = callee.lastIndex(of: ".") else { return parameterNames(ofCallee: callee) }
        let receiver = String(callee[..<dot]), method = String(callee[callee.index(after: dot)...])
        guard let type = try? type(of: receiver) else { return [] }
        return type.kind.flatMap { registry.method($0, method) }?.parameterNames ?? []
    }

    /// Builtins, topics and keywords `:help` explains.
    public var helpTopics: [String] { HelpTopic.names(in: registry) }
}
