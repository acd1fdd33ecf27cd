import PTuneLang
import PTuneREPL

/// What completion in a document knows: the REPL's completer asks this about names, members and parameters, and
/// it answers from the document's analysis at the cursor. It remembers what it found, so each candidate can be
/// described (a function, a dim, a method …).
final class DocumentCompletionSource: CompletionSource {
    let analysis: SourceAnalysis
    /// The cursor, as a byte offset into the document.
    let offset: Int
    /// The names in scope at the cursor, innermost last.
    private(set) lazy var scope: [Declaration] = analysis.scope(at: offset)
    /// The members the completer asked for, by name.
    private(set) var members: [String: Referent] = [:]

    init(analysis: SourceAnalysis, offset: Int) {
        self.analysis = analysis
        self.offset = offset
    }

    var keywordNames: [String] { Completer.keywords }

    var builtinNames: [String] { analysis.builtinNames }

    func namesInScope() -> [String] { scope.map(\.name) }

    func members(of expression: String) -> [String] {
        let found = analysis.members(of: expression, at: offset)
        for m in found { members[m.name] = m.referent }
        return found.map(\.name)
    }

    func parameterNames(of callee: String) -> [String] { analysis.parameterNames(of: callee, at: offset) }

    /// A document has no meta-commands, so no help topics to complete.
    var helpTopics: [String] { [] }
}
