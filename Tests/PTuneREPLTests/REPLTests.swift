import Foundation
import Synchronization
import Testing
import PTuneLang
@testable import PTuneREPL
import PTuneRun

/// Text written by a scripted session, collected from any thread.
final class Captured: Sendable {
    private let text = Mutex("")
    func append(_ s: String) { text.withLock { $0 += s } }
    var value: String { text.withLock { $0 } }
}

/// A REPL over the real language, fed scripted lines through the plain reader; prompts and lines are echoed into
/// the output, so it reads like the terminal.
struct ScriptedSession {
    let out = Captured()
    let err: Captured
    let session: Session
    let repl: REPL

    init(_ lines: [String], directory: String = FileManager.default.currentDirectoryPath, options: SessionOptions = SessionOptions(),
         mergeErrors: Bool = false) {
        err = mergeErrors ? out : Captured()
        let out = self.out, err = self.err
        let console = Console(out: { out.append($0) }, err: { err.append($0) }, color: false)
        session = Session.printing(to: console, options: options, quiet: true)
        let reader = PlainLineReader(lines: lines, echo: true, interruptMarker: "<Ctrl-C>", transcript: { out.append($0) })
        repl = REPL(session: session, reader: reader, console: console, options: REPL.Options(banner: false, directory: directory))
    }

    /// Runs to the end of the lines (or `:quit`); the loop's exit status must be success.
    func run() -> ScriptedSession {
        let status = repl.run()
        #expect(status == .success)
        return self
    }
}

@Suite struct REPLTests {
    @Test func continuationPromptUntilTheStatementIsComplete() {
        let s = ScriptedSession(["let xs = [", "  1, 2,", "  3]", "fn double(v) {", "  return v * 2", "}", "double(21)"]).run()
        #expect(s.out.value == """
            pt> let xs = [
            ..>   1, 2,
            ..>   3]
            pt> fn double(v) {
            ..>   return v * 2
            ..> }
            pt> double(21)
            42

            """)
        #expect(s.err.value.isEmpty)
    }

    @Test func bareExpressionsPrintTheirValues() {
        let s = ScriptedSession(["dtype float64", "let t = tensor([[1, 2], [3, 4]])", "t", "t.shape", "\"text\"", "1 + 2", "print \"p\"",
                                 "let xs = [[1, 2], [3, 4]]", "xs", "xs.shape", ":type xs"]).run()
        #expect(s.out.value.contains("pt> t\n[[1.0000 2.0000]\n [3.0000 4.0000]] shape [2, 2] float64\n"))
        #expect(s.out.value.contains("pt> xs\n[[1, 2], [3, 4]]\npt> xs.shape\n[2, 2]\npt> :type xs\nlist of numbers [2, 2]\n"))
        #expect(s.out.value.contains("pt> t.shape\n[2, 2]\n"))
        #expect(s.out.value.contains("pt> \"text\"\n\"text\"\n"))
        #expect(s.out.value.contains("pt> 1 + 2\n3\n"))
        #expect(s.out.value.contains("pt> print \"p\"\np\n"))
    }

    @Test func errorsShowACaretAndTheSessionKeepsItsState() {
        let s = ScriptedSession(["dim e = 2", "let x = zeros(e, 3)", "let y = x @ x", "nosuch + 1", "let = 4", "x.shape"]).run()
        #expect(s.err.value.contains("<repl:3>:1:9: error: cannot matmul [e, 3] with [e, 3]: '3' vs 'e'\nlet y = x @ x\n        ^~~~~\n"))
        #expect(s.err.value.contains("<repl:4>:1:1: error: cannot find 'nosuch' in scope"))
        #expect(s.err.value.contains("error: expected a name after 'let'"))
        #expect(s.out.value.hasSuffix("pt> x.shape\n[2, 3]\n"))
    }

    @Test func ctrlCDropsAnUnfinishedStatement() {
        let s = ScriptedSession(["let a = [1,", "<Ctrl-C>", "let a = 5", "a"]).run()
        #expect(s.out.value == "pt> let a = [1,\n..> ^C\npt> let a = 5\npt> a\n5\n")
    }

    @Test func metaCommands() {
        let s = ScriptedSession(["dim embed = 4", "param w = zeros(embed, 2)", "frozen f = ones(2)", "fn g(x) = x * w",
                                 ":vars", ":type w @ w", ":type f * 2", ":type w", ":help randn", ":help", ":help for", ":time let z = 1 + 1",
                                 ":nonsense", ":reset", ":vars", ":q", "print \"never\""]).run()
        let out = s.out.value, err = s.err.value
        #expect(out.contains("""
            name   kind    type                       params
            embed  dim     dim = 4
            w      param   tensor [embed, 2] float32       8  trainable
            f      frozen  tensor [2] float32              2  frozen
            g      fn      fn g(x)
            """))
        #expect(err.contains("cannot matmul [embed, 2] with [embed, 2]"))
        #expect(out.contains("pt> :type f * 2\ntensor [2] float32\n"))
        #expect(out.contains("pt> :type w\ntensor [embed, 2] float32\n"))          // static: dims keep their names
        #expect(out.contains("randn(shape..., dtype: none) -> tensor\n  a tensor of standard normal draws"))
        #expect(out.contains("  example: let w = randn(embed, out)"))
        #expect(out.contains("  :vars           the names in the session"))
        #expect(out.contains("Builtins by topic"))
        #expect(out.contains("for NAME in EXPR { … }"))
        #expect(err.contains("time: "))
        #expect(err.contains("error: unknown command ':nonsense'"))
        #expect(out.contains("pt> :reset\nthe session is empty again\npt> :vars\n(nothing defined yet)\npt> :q\n"))
        #expect(!out.contains("never"))
    }

    @Test func leavingReturnsSuccessWhateverTheEntriesDid() {
        for lines in [["nosuch + 1", ":quit", "print \"after\""], ["assert 1 > 2, \"no\""], ["let a = [1,"], []] {
            let out = Captured()
            let console = Console(out: { out.append($0) }, err: { out.append($0) }, color: false)
            let repl = REPL(session: Session.printing(to: console, options: SessionOptions(), quiet: true),
                            reader: PlainLineReader(lines: lines), console: console, options: REPL.Options(banner: false))
            #expect(repl.run() == .success, "\(lines)")
            #expect(!out.value.contains("after"))
        }
    }

    /// The meta-command table is what the loop runs, what `:help` lists and what Tab completes.
    @Test func everyMetaCommandIsRunListedAndCompleted() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-meta-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let help = ScriptedSession([":help"]).run().out.value
        let completed = Completer(source: Session(output: .discard)).complete(line: ":").candidates
        #expect(completed == MetaCommand.allCases.map(\.word).sorted())
        for command in MetaCommand.allCases {
            #expect(help.contains("  " + command.word), "\(command.word) is not in :help")
            for name in [command.rawValue] + command.aliases {
                #expect(MetaCommand.named(name) == .success(command))
                let s = ScriptedSession([":" + name + (command.argumentKind == .none ? "" : " x")], directory: dir,
                                        mergeErrors: true).run()
                #expect(!s.out.value.contains("unknown command"), ":\(name): \(s.out.value)")
            }
        }
        #expect(MetaCommand.named("va") == .success(.vars))
        #expect(MetaCommand.named("e") == .success(.quit))
        #expect(MetaCommand.named("t") == .failure(.ambiguous("t", candidates: [":type", ":time"])))
        #expect(MetaCommand.named("zz") == .failure(.noSuchCommand("zz")))
        let ambiguous = ScriptedSession([":t"]).run()
        #expect(ambiguous.err.value.contains("error: unknown command ':t' (did you mean :type or :time?)"))
        #expect(ScriptedSession([":help vars", ":help :q"]).run().out.value.contains(":vars \n  the names in the session"))
        // `load` and `save` are statements (and `load` a builtin) before they are REPL commands; `:load` is the command.
        let load = ScriptedSession([":help load"]).run().out.value
        let statement = try #require(load.range(of: "load NAME from \"PATH\""))
        let meta = try #require(load.range(of: "The REPL command :load FILE"))
        #expect(statement.lowerBound < meta.lowerBound, "\(load)")
        #expect(ScriptedSession([":help save"]).run().out.value.contains("save EXPR to \"PATH\"\n  write a tensor"))
        let command = ScriptedSession([":help :load"]).run().out.value
        #expect(command.contains(":load FILE\n") && !command.contains("load NAME from"))
        #expect(Completer(source: Session(output: .discard)).complete(line: ":h rand").candidates.contains("randn"))
    }

    @Test func saveWritesARecipeThatRunsTheSame() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-save-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = ["seed 7", "dtype float64", "dim n = 3", "param w = randn(n)", "let bad = w @ [1, 2]",
                     "let opt = sgd([w], lr: 0.1)", "for i in 1..20 {", "  opt.step(sum(w * w))", "}",
                     "print \"w\", w", ":save recipe.pt"]
        let s = ScriptedSession(lines, directory: dir).run()
        #expect(s.out.value.contains("saved 7 statements to recipe.pt"))
        let recipe = try String(contentsOfFile: dir + "/recipe.pt", encoding: .utf8)
        #expect(!recipe.contains("bad"))                                   // the failed statement is left out
        #expect(recipe.contains("for i in 1..20 {\n  opt.step(sum(w * w))\n}\n"))
        // Run the recipe in a fresh session: the same printed output.
        let printed = s.out.value.components(separatedBy: "\n").filter { $0.hasPrefix("w [") }
        #expect(printed.count == 1)
        let fresh = Captured()
        let session = Session.printing(to: Console(out: { fresh.append($0) }, err: { fresh.append($0) }, color: false),
                                       options: SessionOptions(fileAccess: FileAccess(extra: [dir])), quiet: true)
        #expect(throws: Never.self) { try session.runFile(dir + "/recipe.pt") }
        #expect(fresh.value.components(separatedBy: "\n").filter { $0.hasPrefix("w [") } == printed)
    }

    @Test func loadRunsAFileInTheSession() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-load-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "dim k = 5\nlet base = ones(k)\n".write(toFile: dir + "/lib.pt", atomically: true, encoding: .utf8)
        let s = ScriptedSession([":load lib.pt", "base.shape", ":load missing.pt"], directory: dir).run()
        #expect(s.out.value.contains("pt> base.shape\n[5]\n"))
        #expect(s.err.value.contains("cannot read 'missing.pt'"))
        #expect(s.repl.transcript.entries.first?.hasPrefix("# :load lib.pt\ndim k = 5") == true)
    }

    @Test func completionAsksTheSession() {
        let s = ScriptedSession(["dim embed = 4", "param w = zeros(embed)", "let t = dataset(x: zeros(3, 2), y: ones(3))"]).run()
        let c = Completer(source: s.session)
        // Names in scope come first among the builtins that share the prefix (`embedding`, `embedding_encoder`, …).
        let em = c.complete(line: "print em").candidates
        #expect(em.contains("embed") && !em.contains("w"))
        #expect(c.complete(line: "w.sh").candidates == ["shape"])
        #expect(c.complete(line: "t.").candidates.contains("x"))
        #expect(c.complete(line: "let o = sgd([w], l").candidates.first == "lr:")
        #expect(c.complete(line: "ran").candidates.contains("randn"))
        #expect(c.complete(line: "whi").candidates == ["while"])
    }
}

@Suite struct DocumentedSessionTests {
    /// The REPL sessions shown in docs/cli.md and README.md (the block after each heading), replayed line by line:
    /// the same text comes out.
    @Test(arguments: [("docs/cli.md", "## The REPL"), ("README.md", "## Exploring in the REPL")])
    func theDocumentedSessionRunsAsShown(_ document: String, _ heading: String) throws {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(document)
        let text = try String(contentsOf: doc, encoding: .utf8)
        guard let start = text.range(of: heading + "\n\n```\n"), let end = text.range(of: "```", range: start.upperBound..<text.endIndex) else {
            Issue.record("\(document) has no REPL session block after '\(heading)'")
            return
        }
        let shown = String(text[start.upperBound..<end.lowerBound])
        let inputs = shown.split(separator: "\n").filter { $0.hasPrefix("pt> ") || $0.hasPrefix("..> ") }.map { String($0.dropFirst(4)) }
        #expect(inputs.count >= 5)
        let s = ScriptedSession(inputs, mergeErrors: true).run()
        #expect(s.out.value == shown)
    }
}
