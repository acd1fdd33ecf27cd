import Foundation
import PTuneCore

/// The `:` commands: help, inspection, timing, loading and saving, reset, quit.
extension REPL {
    /// Each meta-command with its argument and meaning, for `:help`.
    static let metaHelp: [(command: String, argument: String, meaning: String)] = [
        (":help", "[topic]", "this list, or the documentation of a builtin, keyword or topic"),
        (":vars", "", "the names in the session: kind, shape, parameter count, frozen or trainable"),
        (":type", "EXPR", "the static type (and shape) of an expression, without running it"),
        (":time", "STMT", "run a statement and say how long it took"),
        (":load", "FILE", "run a .pt script in this session"),
        (":save", "FILE", "write this session's successful statements as a runnable .pt script"),
        (":reset", "", "forget everything defined in this session"),
        (":quit", "", "leave (Ctrl-D also leaves; Ctrl-C stops a running statement)"),
    ]

    /// Runs a meta-command line (`:help adam`).
    func meta(_ line: String) -> Next {
        let body = line.dropFirst()
        let word = String(body.prefix { !$0.isWhitespace })
        let argument = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
        let names = REPL.metaHelp.map { String($0.command.dropFirst()) } + ["q", "exit", "h", "?"]
        let matches = names.filter { $0.hasPrefix(word) }
        let command: String
        if names.contains(word) { command = word } else if matches.count == 1, let only = matches.first, !word.isEmpty {
            command = only
        } else {
            let hint = matches.isEmpty ? "" : " (did you mean \(matches.map { ":" + $0 }.joined(separator: " or "))?)"
            console.err("error: unknown command ':\(word)'\(hint); :help lists the commands\n")
            return .proceed
        }
        switch command {
        case "help", "h", "?": help(argument.isEmpty ? nil : argument)
        case "vars": vars()
        case "type": type(argument)
        case "time": time(argument)
        case "load": load(argument)
        case "save": save(argument)
        case "reset":
            backend.reset()
            transcript.clear()
            reporter?.clear()
            console.out("the session is empty again\n")
        case "quit", "q", "exit": return .quit
        default: console.err("error: unknown command ':\(word)'\n")
        }
        return .proceed
    }

    /// `:help [topic]`.
    func help(_ topic: String?) {
        if let topic {
            let key = topic.hasPrefix(":") ? topic : ":" + topic
            if let m = REPL.metaHelp.first(where: { $0.command == key }) {
                console.out("\(m.command) \(m.argument)\n  \(m.meaning)\n")
            } else if let text = backend.help(topic: topic) {
                console.out(text.hasSuffix("\n") ? text : text + "\n")
            } else {
                console.err("error: no help for '\(topic)'; :help lists the topics\n")
            }
            return
        }
        var text = "Type a statement or an expression; an expression's value is printed.\n"
        text += "Unfinished input (an open '{', '(' or '[') continues on the next line at the ..> prompt.\n\n"
        text += "Commands:\n"
        for m in REPL.metaHelp {
            let left = (m.command + " " + m.argument).trimmingCharacters(in: .whitespaces)
            text += "  " + left.padding(toLength: 16, withPad: " ", startingAt: 0) + m.meaning + "\n"
        }
        if let overview = backend.help(topic: nil) { text += "\n" + overview + (overview.hasSuffix("\n") ? "" : "\n") }
        console.out(text)
    }

    /// `:vars`: a table of the session's names.
    func vars() {
        let rows = backend.variables()
        guard !rows.isEmpty else { console.out("(nothing defined yet)\n"); return }
        let table = rows.map { r -> [String] in
            let params = r.parameterCount.map { REPL.grouped($0) } ?? ""
            let state = r.trainable.map { $0 ? "trainable" : "frozen" } ?? ""
            return [r.name, r.kind, r.detail, params, state]
        }
        let header = ["name", "kind", "type", "params", ""]
        var widths = header.map(\.count)
        for row in table { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == 3 ? String(repeating: " ", count: widths[i] - c.count) + c
                : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        console.out(line(header) + table.map(line).joined())
    }

    /// `:type EXPR`.
    func type(_ expression: String) {
        guard !expression.isEmpty else { console.err("error: :type needs an expression, e.g. :type x @ w\n"); return }
        switch backend.typeDescription(of: expression) {
        case .success(let text): console.out(text + "\n")
        case .failure(let error): console.err(error.text.hasSuffix("\n") ? error.text : error.text + "\n")
        }
    }

    /// `:time STMT`.
    func time(_ statement: String) {
        guard !statement.isEmpty else { console.err("error: :time needs a statement, e.g. :time train pe on d { … }\n"); return }
        let start = DispatchTime.now().uptimeNanoseconds
        execute(statement)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        console.err(String(format: "time: %.3f s\n", seconds))
    }

    /// `:load FILE`: runs a script in this session; its statements join the transcript.
    func load(_ argument: String) {
        let path = REPL.unquote(argument)
        guard !path.isEmpty else { console.err("error: :load needs a file, e.g. :load examples/seed.pt\n"); return }
        let full = (path as NSString).isAbsolutePath ? path : (options.directory as NSString).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: full) else {
            console.err("error: cannot read '\(path)'\n")
            return
        }
        let source = String(decoding: data, as: UTF8.self)
        _ = perform(recording: "# :load \(path)\n" + source) { $0.runFile(full, strictOverrides: false) }
    }

    /// `:save FILE`: writes the transcript atomically.
    func save(_ argument: String) {
        let path = REPL.unquote(argument)
        guard !path.isEmpty else { console.err("error: :save needs a file, e.g. :save recipe.pt\n"); return }
        let full = (path as NSString).isAbsolutePath ? path : (options.directory as NSString).appendingPathComponent(path)
        do {
            try AtomicFile.write(transcript.script(savedAs: (path as NSString).lastPathComponent), to: full)
            let n = transcript.entries.count
            console.out("saved \(n) statement\(n == 1 ? "" : "s") to \(path)\n")
        } catch {
            console.err("error: \(error)\n")
        }
    }

    /// `"a b.pt"` → `a b.pt`.
    static func unquote(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count >= 2 && t.hasPrefix("\"") && t.hasSuffix("\"") { return String(t.dropFirst().dropLast()) }
        return t
    }

    /// 1234567 → `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
}
