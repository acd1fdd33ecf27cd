import Foundation
import PTuneCore
import PTuneLang

/// The `:` commands: help, inspection, timing, loading and saving, reset, quit.
extension REPL {
    /// Runs a meta-command line (`:help adam`).
    func meta(_ line: String) -> Next {
        let body = line.dropFirst()
        let word = String(body.prefix { !$0.isWhitespace })
        let argument = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
        let command: MetaCommand
        switch MetaCommand.named(word) {
        case .success(let c):
            command = c
        case .failure(.noSuchCommand):
            console.err("error: unknown command ':\(word)'; :help lists the commands\n")
            return .proceed
        case .failure(.ambiguous(_, let candidates)):
            console.err("error: unknown command ':\(word)' (did you mean \(candidates.joined(separator: " or "))?); :help lists the commands\n")
            return .proceed
        }
        switch command {
        case .help: help(argument.isEmpty ? nil : argument)
        case .vars: vars()
        case .type: type(argument)
        case .time: time(argument)
        case .load: load(argument)
        case .save: save(argument)
        case .reset:
            session.reset()
            transcript.clear()
            reporter?.clear()
            console.out("the session is empty again\n")
        case .quit: return .quit
        }
        return .proceed
    }

    /// `:help [topic]`.
    func help(_ topic: String?) {
        if let topic {
            // `:help :t` abbreviates like the commands do; `:help vars` names a command in full.
            let command = topic.hasPrefix(":") ? try? MetaCommand.named(String(topic.dropFirst())).get() : MetaCommand(rawValue: topic)
            if let m = command {
                console.out("\(m.word) \(m.argument)\n  \(m.meaning)\n")
            } else if let text = HelpTopic.text(for: topic, in: session.registry) {
                console.out(text + "\n")
            } else {
                console.err("error: no help for '\(topic)'; :help lists the topics\n")
            }
            return
        }
        var text = "Type a statement or an expression; an expression's value is printed.\n"
        text += "Unfinished input (an open '{', '(' or '[') continues on the next line at the ..> prompt.\n\n"
        text += "Commands:\n"
        for m in MetaCommand.allCases {
            let left = (m.word + " " + m.argument).trimmingCharacters(in: .whitespaces)
            text += "  " + left.padding(toLength: 16, withPad: " ", startingAt: 0) + m.meaning + "\n"
        }
        text += "\n" + HelpTopic.overview(session.registry)
        console.out(text)
    }

    /// `:type EXPR`.
    func type(_ expression: String) {
        guard !expression.isEmpty else { console.err("error: :type needs an expression, e.g. :type x @ w\n"); return }
        do {
            console.out(try session.type(of: expression).description + "\n")
        } catch {
            console.err(error.rendered(color: console.color) + "\n")
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
        let file: SourceFile
        do { file = try session.load(full) } catch {
            console.err(error.rendered(color: console.color) + "\n")
            return
        }
        perform(recording: "# :load \(path)\n" + String(decoding: data, as: UTF8.self), in: file) { () throws(RunFailure) in
            try session.run(file)
        }
    }

    /// `:save FILE`: writes the transcript atomically.
    func save(_ argument: String) {
        let path = REPL.unquote(argument)
        guard !path.isEmpty else { console.err("error: :save needs a file, e.g. :save recipe.pt\n"); return }
        let full = (path as NSString).isAbsolutePath ? path : (options.directory as NSString).appendingPathComponent(path)
        do {
            try AtomicFile.write(transcript.script(savedAs: (path as NSString).lastPathComponent), toPath: full)
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
}
