import Foundation
import PTuneLang

/// Tab completion for one line of ptune: decides from the text before the cursor what kind of word is being typed
/// — a meta-command, a file path inside a string literal, a member after `.`, a named argument inside a call, or a
/// keyword / builtin / name — and offers the matching candidates.
public final class Completer {
    private let source: CompletionSource
    /// The folder relative paths are completed against.
    private let baseDirectory: String
    /// Whether a line starting with `:` is a meta-command (the REPL's; a document has none).
    private let metaCommands: Bool

    /// A completer asking `source` about names, resolving relative paths against `baseDirectory`; `metaCommands`
    /// completes the REPL's `:` commands.
    public init(source: CompletionSource, baseDirectory: String = FileManager.default.currentDirectoryPath,
                metaCommands: Bool = true) {
        self.source = source
        self.baseDirectory = baseDirectory
        self.metaCommands = metaCommands
    }

    /// The reserved and contextual words, which every source offers.
    public static var keywords: [String] { Keyword.allCases.map(\.rawValue).sorted() + ContextualWord.allCases.map(\.rawValue) }

    /// Candidates for the word before `cursor` (a UTF-8 offset into `line`; the whole line when nil). `line` may be
    /// a whole cell or document up to the cursor: the names its earlier lines declare are then offered too, with
    /// their types (when the source looks at code before the cursor, as a session does).
    public func complete(line: String, cursor: Int? = nil) -> CompletionResult {
        complete(bytes: Array(line.utf8.prefix(cursor ?? Int.max)))
    }

    /// Candidates for the word at the end of `bytes` (UTF-8 text up to the cursor).
    public func complete(bytes: [UInt8]) -> CompletionResult {
        let context = CompletionContext(scanning: bytes, metaCommands: metaCommands)
        switch context.kind {
        case .comment:
            return CompletionResult(start: bytes.count, candidates: [], appendCharacter: nil, kind: .none)
        case .metaCommand(let word):
            return result(start: bytes.count - word.utf8.count, word: word, from: MetaCommand.allCases.map(\.word), append: " ",
                          kind: .metaCommands)
        case .metaArgument(let command, let word):
            let typed = command.hasPrefix(":") ? String(command.dropFirst()) : command
            switch (try? MetaCommand.named(typed).get())?.argumentKind ?? .code {
            case .helpTopic:
                return result(start: bytes.count - word.utf8.count, word: word, from: source.helpTopics, append: nil,
                              kind: .metaCommands)
            case .path:
                return paths(typed: word, end: bytes.count, closingQuote: false)
            case .none:
                return CompletionResult(start: bytes.count, candidates: [], appendCharacter: nil, kind: .none)
            case .code:
                return code(context: CompletionContext(scanning: Array(word.utf8)), end: bytes.count, source: source)
            }
        case .string(let typed):
            return paths(typed: typed, end: bytes.count, closingQuote: true)
        case .code:
            // Earlier lines may declare names that have not run yet: complete against the scope after them.
            let lineStart = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let scope = lineStart == 0 ? source : source.scoped(after: String(decoding: bytes[..<lineStart], as: UTF8.self))
            return code(context: context, end: bytes.count, source: scope)
        }
    }

    /// Completion in code: a member after `.`, else named arguments of the innermost call and every name.
    private func code(context: CompletionContext, end: Int, source: CompletionSource) -> CompletionResult {
        let word = context.word
        let start = end - word.utf8.count
        if let receiver = context.receiver {
            return result(start: start, word: word, from: source.members(of: receiver), append: nil, kind: .members)
        }
        var pool: [String] = []
        if let callee = context.callee { pool += source.parameterNames(of: callee).map { $0 + ":" } }
        let named = result(start: start, word: word, from: pool, append: " ")
        let names = Array(Set(source.keywordNames + source.builtinNames + source.namesInScope()))
        let plain = result(start: start, word: word, from: names, append: nil)
        // Named arguments come first: inside a call they are what is most likely wanted.
        let all = named.candidates + plain.candidates.filter { !named.candidates.contains($0) }
        let append: Character? = all.count == 1 ? (all[0].hasSuffix(":") ? " " : nil) : nil
        return CompletionResult(start: start, candidates: all, appendCharacter: append)
    }

    /// Paths completing `typed` (the text between the opening quote and the cursor): entries of its folder whose
    /// names start with its last component; folders end in `/`.
    private func paths(typed: String, end: Int, closingQuote: Bool) -> CompletionResult {
        let slash = typed.lastIndex(of: "/")
        let folderPart = slash.map { String(typed[...$0]) } ?? ""
        let namePrefix = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        let start = end - namePrefix.utf8.count
        var folder = folderPart.isEmpty ? baseDirectory : folderPart
        if folder.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
            folder = home + folder.dropFirst()
        } else if !folder.hasPrefix("/") && !folderPart.isEmpty {
            folder = (baseDirectory as NSString).appendingPathComponent(folderPart)
        }
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else {
            return CompletionResult(start: start, candidates: [], appendCharacter: nil, kind: .paths)
        }
        var candidates: [String] = []
        for name in names where name.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !name.hasPrefix(".")) {
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
            candidates.append(isDirectory.boolValue ? name + "/" : name)
        }
        candidates.sort()
        let unique = candidates.count == 1 ? candidates[0] : nil
        let append: Character? = unique.map { $0.hasSuffix("/") ? nil : (closingQuote ? "\"" : nil) } ?? nil
        return CompletionResult(start: start, candidates: candidates, appendCharacter: append, kind: .paths)
    }

    /// The sorted, distinct members of `pool` that start with `word`.
    private func result(start: Int, word: String, from pool: [String], append: Character?,
                        kind: CompletionResult.Kind = .names) -> CompletionResult {
        let candidates = Array(Set(pool.filter { $0.hasPrefix(word) })).sorted()
        return CompletionResult(start: start, candidates: candidates, appendCharacter: candidates.count == 1 ? append : nil, kind: kind)
    }
}
