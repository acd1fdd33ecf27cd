import Foundation
import PTuneCore
import PTuneLang

/// The `:` commands: help, inspection, timing, loading and saving, reset, quit.
extension EntryRunner {
    /// Runs a command line (`:help adam`).
    @discardableResult
    public func command(_ line: String) -> Outcome {
        let body = line.trimmingCharacters(in: .whitespaces).dropFirst()
        let word = String(body.prefix { !$0.isWhitespace })
        let argument = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
        let command: MetaCommand
        switch MetaCommand.named(word) {
        case .success(let c):
            command = c
        case .failure(.noSuchCommand):
            return refuse("unknown command ':\(word)'; :help lists the commands")
        case .failure(.ambiguous(_, let candidates)):
            return refuse("unknown command ':\(word)' (did you mean \(candidates.joined(separator: " or "))?); :help lists the commands")
        }
        switch command {
        case .help: return help(argument.isEmpty ? nil : argument)
        case .vars:
            presenter.present(.variables(VariableRow.rows(of: session)))
            return .done
        case .type: return type(argument)
        case .time: return time(argument)
        case .load: return load(argument)
        case .save: return save(argument)
        case .reset:
            session.reset()
            transcript.clear()
            presenter.sessionDidReset()
            presenter.present(.text("the session is empty again"))
            return .done
        case .quit: return .quit
        }
    }

    /// Shows a command error.
    private func refuse(_ message: String) -> Outcome {
        presenter.present(.commandError("error: " + message))
        return .failed
    }

    /// `:help [topic]`.
    func help(_ topic: String?) -> Outcome {
        guard let topic else {
            presenter.present(.text(EntryRunner.overview(session.registry)))
            return .done
        }
        guard let text = EntryRunner.helpText(for: topic, in: session.registry) else {
            return refuse("no help for '\(topic)'; :help lists the topics")
        }
        presenter.present(.text(text))
        return .done
    }

    /// What `:help topic` shows: a command (`:type`, or `vars` in full), or a builtin, keyword or topic. A word that
    /// is also a statement or builtin (`load`, `save`) is explained as that first, then as the command.
    public static func helpText(for topic: String, in registry: BuiltinRegistry) -> String? {
        // `:help :t` abbreviates like the commands do; `:help vars` names a command in full.
        if topic.hasPrefix(":") {
            return (try? MetaCommand.named(String(topic.dropFirst())).get()).map { "\($0.word) \($0.argument)\n  \($0.meaning)" }
        }
        let command = MetaCommand(rawValue: topic)
        if let text = HelpTopic.text(for: topic, in: registry) {
            return text + (command.map { "\n\nThe REPL command \($0.word) \($0.argument)\n  \($0.meaning)" } ?? "")
        }
        return command.map { "\($0.word) \($0.argument)\n  \($0.meaning)" }
    }

    /// What `:help` alone shows: how entries work, the commands, the builtins and statements.
    public static func overview(_ registry: BuiltinRegistry) -> String {
        var text = "Type a statement or an expression; an expression's value is printed.\n"
        text += "Unfinished input (an open '{', '(' or '[') continues on the next line at the ..> prompt.\n\n"
        text += "Commands:\n"
        for m in MetaCommand.allCases {
            let left = (m.word + " " + m.argument).trimmingCharacters(in: .whitespaces)
            text += "  " + left.padding(toLength: 16, withPad: " ", startingAt: 0) + m.meaning + "\n"
        }
        text += "\n" + HelpTopic.overview(registry)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// `:type EXPR`.
    func type(_ expression: String) -> Outcome {
        guard !expression.isEmpty else { return refuse(":type needs an expression, e.g. :type x @ w") }
        do {
            presenter.present(.text(try session.type(of: expression).description))
            return .done
        } catch {
            presenter.present(.failure(error, in: nil))
            return .failed
        }
    }

    /// `:time STMT`.
    func time(_ statement: String) -> Outcome {
        guard !statement.isEmpty else { return refuse(":time needs a statement, e.g. :time train pe on d { … }") }
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = run(code: statement)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        presenter.present(.note(String(format: "time: %.3f s", seconds)))
        return outcome
    }

    /// `:load FILE`: runs a script in this session; its statements join the transcript.
    func load(_ argument: String) -> Outcome {
        let path = EntryRunner.unquote(argument)
        guard !path.isEmpty else { return refuse(":load needs a file, e.g. :load examples/seed.pt") }
        let full = (path as NSString).isAbsolutePath ? path : (directory as NSString).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: full) else { return refuse("cannot read '\(path)'") }
        let file: SourceFile
        do { file = try session.load(full) } catch {
            presenter.present(.failure(error, in: nil))
            return .failed
        }
        return perform(recording: "# :load \(path)\n" + String(decoding: data, as: UTF8.self), in: file) { () throws(RunFailure) in
            try session.run(file)
        }
    }

    /// `:save FILE`: writes the transcript atomically.
    func save(_ argument: String) -> Outcome {
        let path = EntryRunner.unquote(argument)
        guard !path.isEmpty else { return refuse(":save needs a file, e.g. :save recipe.pt") }
        let full = (path as NSString).isAbsolutePath ? path : (directory as NSString).appendingPathComponent(path)
        do {
            try AtomicFile.write(transcript.script(savedAs: (path as NSString).lastPathComponent), toPath: full)
        } catch {
            return refuse("\(error)")
        }
        let n = transcript.entries.count
        presenter.present(.text("saved \(n) statement\(n == 1 ? "" : "s") to \(path)"))
        return .done
    }

    /// `"a b.pt"` → `a b.pt`.
    static func unquote(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count >= 2 && t.hasPrefix("\"") && t.hasSuffix("\"") { return String(t.dropFirst().dropLast()) }
        return t
    }
}
