/// Something `:help NAME` explains: builtins (one by name, a method as `kind.name`, or every method of a name), a
/// group of builtins, or a statement. Builtins document themselves; statements are described by ``StatementHelp``.
public enum HelpTopic: Sendable {
    /// One builtin, or the methods that share a name.
    case builtins([Builtin])
    /// A group of builtins.
    case group(BuiltinTopic)
    /// A statement.
    case statement(StatementHelp)

    /// Everything `name` names in `registry`, in this order: a builtin called by name, a method written `kind.name`
    /// (`optimizer.step`), a group (`nn`), a statement (`train`), the methods called `name` (`step`). One name may
    /// be several: `tensor` is a builtin and a group, `data` a group and a statement. Empty when it names nothing.
    public static func named(_ name: String, in registry: BuiltinRegistry) -> [HelpTopic] {
        var found: [HelpTopic] = []
        if let b = registry.global(name) { found.append(.builtins([b])) }
        // `encoder deep = prefix(…)` calls prefix_encoder: the short name finds the encoder too.
        if let e = registry.global(name + "_encoder") { found.append(.builtins([e])) }
        if let dot = name.firstIndex(of: "."), let kind = ValueKind(rawValue: String(name[..<dot])),
           let b = registry.method(kind, String(name[name.index(after: dot)...])) {
            found.append(.builtins([b]))
        }
        if let group = BuiltinTopic(rawValue: name), !registry.builtins(of: group).isEmpty { found.append(.group(group)) }
        if let statement = StatementHelp(rawValue: name) { found.append(.statement(statement)) }
        let methods = registry.all.filter { !$0.isGlobal && $0.name == name }
        if !methods.isEmpty { found.append(.builtins(methods)) }
        return found
    }

    /// The help for everything `name` names, one topic after another; nil when it names nothing.
    public static func text(for name: String, in registry: BuiltinRegistry) -> String? {
        let topics = named(name, in: registry)
        return topics.isEmpty ? nil : topics.map { $0.text(in: registry) }.joined(separator: "\n\n")
    }

    /// The help text: a builtin's signature, meaning, parameters and example; a group's builtins with their
    /// meanings; a statement's form, meaning and example.
    public func text(in registry: BuiltinRegistry) -> String {
        switch self {
        case .builtins(let builtins):
            return builtins.map(HelpTopic.describe).joined(separator: "\n\n")
        case .group(let group):
            let builtins = registry.builtins(of: group)
            let width = min(28, (builtins.map { HelpTopic.qualifiedName($0).count }.max() ?? 0) + 2)
            return "\(group.rawValue):\n" + builtins.map {
                "  " + HelpTopic.qualifiedName($0).padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary
            }.joined(separator: "\n")
        case .statement(let s):
            return "\(s.form)\n  \(s.meaning)\n  example: \(s.example)"
        }
    }

    /// The overview: the builtins callable by name, by group, and the statements.
    public static func overview(_ registry: BuiltinRegistry) -> String {
        var text = "Builtins by topic (:help NAME for one, :help TOPIC for a topic):\n"
        for group in BuiltinTopic.allCases {
            let names = Array(Set(registry.builtins(of: group).filter(\.isGlobal).map(\.name))).sorted()
            guard !names.isEmpty else { continue }
            text += wrap("  " + group.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0), names)
        }
        text += "\nStatements (:help KEYWORD):\n"
        text += wrap("  ", StatementHelp.allCases.map(\.rawValue).sorted())
        return text
    }

    /// Every name `:help` explains directly: builtins callable by name, groups and statements (for completion).
    public static func names(in registry: BuiltinRegistry) -> [String] {
        registry.globalNames + BuiltinTopic.allCases.map(\.rawValue) + StatementHelp.allCases.map(\.rawValue)
    }

    /// `kind.name` for a method, `name` for a builtin called by name.
    static func qualifiedName(_ b: Builtin) -> String { (b.isGlobal ? "" : (b.receiver.map { $0.rawValue + "." } ?? "")) + b.name }

    /// Signature, meaning, parameters with kinds and defaults, example.
    static func describe(_ b: Builtin) -> String {
        var text = b.signature + "\n  " + b.summary + "\n"
        for p in b.parameters {
            let def = p.defaultText.map { " = " + $0 } ?? (p.isVariadic ? " …" : "")
            text += "    \(p.name): \(p.kind)\(def)\n"
        }
        return text + "  example: " + b.example
    }

    /// `prefix` then `words` comma-separated, wrapped at 100 columns with a hanging indent.
    static func wrap(_ prefix: String, _ words: [String]) -> String {
        var lines: [String] = []
        var line = prefix
        for (i, w) in words.enumerated() {
            let piece = w + (i < words.count - 1 ? "," : "")
            if line.count + piece.count + 1 > 100 && line.count > prefix.count {
                lines.append(line)
                line = String(repeating: " ", count: prefix.count)
            }
            line += (line.count > prefix.count ? " " : "") + piece
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}
