import Foundation
import PTuneLang

/// What the REPL asks the session — `:vars`, `:type`, and the names tab completion offers — answered by the
/// session's introspection (`Session.bindings()`, `type(of:)`, `members(of:)`, `parameterNames(ofCallee:)`).
extension LangBackend {
    /// Contextual words that are keywords where a rule names them (beyond those statements start with).
    static let contextualKeywords = ["on", "to", "from", "every"]

    // MARK: - CompletionSource

    /// Reserved and contextual keywords.
    public var keywords: [String] { Session.keywords + Session.statementWords + LangBackend.contextualKeywords }

    /// Every builtin callable by name.
    public var builtinNames: [String] { session.registry.globalNames }

    /// The names the session holds (and builtins and keywords, which the completer merges anyway).
    public func namesInScope() -> [String] { session.completionNames }

    /// Properties and methods of the value `expression` denotes.
    public func members(of expression: String) -> [String] { session.members(of: expression) }

    /// The parameter names of a builtin or user function (`adam`), `train`'s options, or a method (`opt.step`,
    /// from the static kind of the receiver).
    public func parameterNames(of callee: String) -> [String] {
        guard let dot = callee.lastIndex(of: ".") else { return session.parameterNames(ofCallee: callee) }
        let receiver = String(callee[..<dot]), method = String(callee[callee.index(after: dot)...])
        guard let type = try? session.type(of: receiver) else { return [] }
        return type.kind.flatMap { session.registry.method($0, method) }?.parameterNames ?? []
    }

    /// Builtins, topics and keywords `:help` explains.
    public var helpTopics: [String] {
        session.registry.globalNames + session.registry.topics.map(\.topic) + Array(LangHelp.keywords.keys)
    }

    // MARK: - :vars and :type

    /// One row per name in scope, in declaration order.
    public func variables() -> [VariableInfo] {
        session.bindings().map { b in
            let holdsParameters = b.parameterCount != nil
            let frozenTensor = b.kind == .frozen
            let count = b.parameterCount ?? (frozenTensor ? b.shape.map { $0.reduce(1, *) } : nil)
            let trainable: Bool? = holdsParameters ? b.isTrainable : (frozenTensor ? false : nil)
            var detail = b.type
            if let shape = b.shape, !b.type.contains("[") {
                detail += " [" + shape.map(String.init).joined(separator: ", ") + "]"
            }
            if b.kind == .function || b.type == "unknown" || b.type.hasPrefix("model") || b.type.hasPrefix("encoder") { detail = b.summary }
            return VariableInfo(name: b.name, kind: b.kind.rawValue, detail: detail, parameterCount: count, trainable: trainable)
        }
    }

    /// The static type of `expression` (`tensor [virtual, embed] float64`), found without running it.
    public func typeDescription(of expression: String) -> Result<String, RunFailureText> {
        do {
            return .success(try session.type(of: expression).description)
        } catch {
            return .failure(RunFailureText(render(error)))
        }
    }
}
