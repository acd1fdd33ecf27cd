/// The REPL's `:` commands: one table that running them, `:help` and tab completion all read.
public enum MetaCommand: String, CaseIterable, Sendable {
    /// `:help [topic]`: the commands and builtins, or one topic.
    case help
    /// `:vars`: the names in the session.
    case vars
    /// `:type EXPR`: an expression's static type.
    case type
    /// `:time STMT`: run a statement and time it.
    case time
    /// `:load FILE`: run a script in the session.
    case load
    /// `:save FILE`: write the session's statements as a script.
    case save
    /// `:reset`: forget everything.
    case reset
    /// `:quit`: leave.
    case quit

    /// What tab completion offers for a command's argument.
    public enum ArgumentKind: Sendable {
        /// Nothing: the command takes no argument.
        case none
        /// A builtin, keyword or topic that `:help` explains.
        case helpTopic
        /// A file path.
        case path
        /// Code: an expression or a statement.
        case code
    }

    /// The command as typed: `:help`.
    public var word: String { ":" + rawValue }

    /// Shorter names it also answers to.
    public var aliases: [String] {
        switch self {
        case .help: return ["h", "?"]
        case .quit: return ["q", "exit"]
        case .vars, .type, .time, .load, .save, .reset: return []
        }
    }

    /// The argument it takes, as `:help` shows it (`EXPR`, `FILE`), or empty.
    public var argument: String {
        switch self {
        case .help: return "[topic]"
        case .type: return "EXPR"
        case .time: return "STMT"
        case .load, .save: return "FILE"
        case .vars, .reset, .quit: return ""
        }
    }

    /// What tab completion offers for its argument.
    public var argumentKind: ArgumentKind {
        switch self {
        case .help: return .helpTopic
        case .type, .time: return .code
        case .load, .save: return .path
        case .vars, .reset, .quit: return .none
        }
    }

    /// What it does, for `:help`.
    public var meaning: String {
        switch self {
        case .help: return "this list, or the documentation of a builtin, keyword or topic"
        case .vars: return "the names in the session: kind, shape, parameter count, frozen or trainable"
        case .type: return "the static type (and shape) of an expression, without running it"
        case .time: return "run a statement and say how long it took"
        case .load: return "run a .pt script in this session"
        case .save: return "write this session's successful statements as a runnable .pt script"
        case .reset: return "forget everything defined in this session"
        case .quit: return "leave (Ctrl-D also leaves; Ctrl-C stops a running statement)"
        }
    }

    /// Why a typed command word names no command.
    public enum Unknown: Error, Equatable, Sendable {
        /// No command starts with the word.
        case noSuchCommand(String)
        /// Several commands start with it.
        case ambiguous(String, candidates: [String])
    }

    /// The command `word` (without the `:`) names: its name or an alias, or the one command either starts with.
    public static func named(_ word: String) -> Result<MetaCommand, Unknown> {
        let names = allCases.flatMap { command in ([command.rawValue] + command.aliases).map { (name: $0, command: command) } }
        if let exact = names.first(where: { $0.name == word }) { return .success(exact.command) }
        let matches = word.isEmpty ? [] : names.filter { $0.name.hasPrefix(word) }
        if matches.count == 1, let only = matches.first { return .success(only.command) }
        if matches.isEmpty { return .failure(.noSuchCommand(word)) }
        return .failure(.ambiguous(word, candidates: matches.map { ":" + $0.name }))
    }
}
