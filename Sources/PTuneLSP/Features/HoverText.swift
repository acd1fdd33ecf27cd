import PTuneLang

/// What a hover shows: a declared name's type and shape (with dim names and sizes), or a builtin's or a
/// statement's help from the language's help catalogue — as Markdown, or as plain text for clients that ask for it.
struct HoverText {
    /// Whether the client renders Markdown.
    let markdown: Bool

    /// The hover for what the name at the cursor refers to; `analysis` places declarations made in imported files.
    func text(for referent: Referent, in analysis: SourceAnalysis) -> String {
        switch referent {
        case let .declared(d):
            var lines = [code(d.summary)]
            if let shape = d.type.namedShape { lines.append("shape " + shape) }
            if let span = d.span, !analysis.isOwnSource(span.file) { lines.append("declared in \(span)") }
            return lines.joined(separator: markdown ? "\n\n" : "\n")
        case let .builtin(b), let .method(b):
            return help(.builtins([b]))
        case let .property(name, receiver, type):
            var lines = [code("\(receiver.kind?.rawValue ?? "value").\(name): \(type)")]
            if let shape = type.namedShape { lines.append("shape " + shape) }
            return lines.joined(separator: markdown ? "\n\n" : "\n")
        case let .argument(b, p):
            let def = p.defaultText.map { " = " + $0 } ?? ""
            return code("\(p.name): \(p.kind)\(def)") + (markdown ? "\n\n" : "\n") + "argument of " + inline(b.signature)
        case let .parameterLabel(function, p):
            return code("parameter \(p.name)") + (markdown ? "\n\n" : "\n") + "argument of " + inline("fn \(function)")
        case let .importedFile(path):
            return "imports " + inline(path)
        }
    }

    /// The help of a statement keyword (`train`, `dim`, …) or of anything `:help NAME` explains.
    func help(_ topic: HelpTopic) -> String {
        let text = topic.text(in: .standard)
        guard markdown else { return text }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first else { return text }
        let rest = lines.dropFirst().joined(separator: "\n")
        return code(String(first)) + (rest.isEmpty ? "" : "\n```text\n" + rest + "\n```")
    }

    /// The help for a name `:help` explains (a builtin, `kind.method`, a group or a statement), if any.
    func help(named name: String) -> String? {
        let topics = HelpTopic.named(name, in: .standard)
        return topics.isEmpty ? nil : topics.map(help).joined(separator: markdown ? "\n\n---\n\n" : "\n\n")
    }

    private func code(_ s: String) -> String { markdown ? "```ptune\n" + s + "\n```" : s }

    private func inline(_ s: String) -> String { markdown ? "`" + s + "`" : s }
}
