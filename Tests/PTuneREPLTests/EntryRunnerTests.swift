import Foundation
import PTuneLang
@testable import PTuneREPL
import PTuneRun
import Testing

/// What entries produce, kept in order as text.
final class RecordingPresenter: EntryPresenter {
    var shown: [String] = []

    func present(_ output: EntryOutput) {
        switch output {
        case .value(let v): shown.append("value " + v.debugText)
        case .variables(let rows): shown.append("vars " + rows.map(\.name).joined(separator: ","))
        case .text(let t): shown.append("text " + t)
        case .note(let t): shown.append("note " + t)
        case .failure(let f, let file): shown.append("failure " + f.rendered(color: false, in: file))
        case .commandError(let t): shown.append("command " + t)
        }
    }

    func entryWillRun() {}
    func entryDidEnd() {}
    func sessionDidReset() {}
}

/// Notebook cells run as REPL entries: code checked whole, `:` lines as commands, the cell's line numbers.
@Suite struct EntryRunnerTests {
    static func runner() -> (EntryRunner, RecordingPresenter, Captured) {
        let printed = Captured()
        let presenter = RecordingPresenter()
        let session = Session(output: OutputSink(write: { printed.append($0 + "\n") }, note: { _ in }))
        return (EntryRunner(session: session, presenter: presenter), presenter, printed)
    }

    @Test func aCellIsCheckedWholeAndStopsAtItsFirstFailure() {
        let (r, p, printed) = Self.runner()
        #expect(r.run(cell: "print 1\nlet y = nosuch\nprint 2", name: "<cell:1>") == .failed)
        #expect(printed.value.isEmpty)  // the check error stopped everything before it ran
        #expect(p.shown == ["failure <cell:1>:2:9: error: cannot find 'nosuch' in scope\nlet y = nosuch\n        ^~~~~~"])
        p.shown.removeAll()
        #expect(r.run(cell: "dim e = 2\n:type zeros(e, 3)\n\nlet z = zeros(e, 3)\nz\n:nosuch\nprint 9", name: "<cell:2>") == .failed)
        #expect(p.shown == ["text tensor [e, 3] float32", "value [[0.0000 0.0000 0.0000]\n [0.0000 0.0000 0.0000]] shape [2, 3] float32",
                            "command error: unknown command ':nosuch'; :help lists the commands"])
        #expect(!printed.value.contains("9"))
        #expect(r.transcript.entries == ["dim e = 2", "\nlet z = zeros(e, 3)\nz"])
    }

    @Test func runtimeErrorsCarryTheCellsLineNumbers() {
        let (r, p, printed) = Self.runner()
        #expect(r.run(cell: ":vars\nprint 1\n\nassert 1 == 2", name: "<cell:4>") == .failed)
        #expect(printed.value == "1\n")
        #expect(p.shown.last?.hasPrefix("failure <cell:4>:4:1: error:") == true)
        // A ':' inside an unfinished statement is code, not a command.
        #expect(r.run(cell: "let xs = [\n:5]", name: "<cell:5>") == .failed)
        #expect(p.shown.last?.contains("<cell:5>:2:1") == true)
    }
}

/// Completion and inspection of a cell see the names its earlier lines declare, with their checked types.
@Suite struct CellCompletionTests {
    @Test func earlierLinesOfTheCellAreInScope() throws {
        let session = Session(output: .discard)
        try session.run(SourceFile(name: "<s>", text: "dim e = 3\nlet ran = zeros(e, 2)"))
        let c = Completer(source: session)
        #expect(c.complete(line: "let fresh = randn(e, 4)\nprint fre").candidates == ["fresh"])
        #expect(c.complete(line: "let fresh = randn(e, 4)\nfresh.sh").candidates == ["shape"])
        #expect(c.complete(line: "fn twice(a, b) = a\nlet v = twice(1, b").candidates.first == "b:")
        #expect(c.complete(line: "ran.su").candidates == ["sum"])
        // A call continued on the next line still offers its named arguments; a comment line ends there.
        #expect(c.complete(line: "let o = adam(\n  l").candidates.first == "lr:")
        #expect(c.complete(line: "# a comment (\nprint ra").candidates.contains("ran"))
        #expect(c.complete(line: "let s = \"a\nprint ra").candidates.contains("ran"))
        #expect(c.complete(line: "print 1\n:he").candidates == [":help"])
    }

    @Test func inspectionNamesKindTypeAndValue() throws {
        let session = Session(output: .discard)
        try session.run(SourceFile(name: "<s>", text: "dim e = 3\nparam w = zeros(e, 2)\nfn f(a) = a @ w"))
        let i = Inspector(session: session)
        let w = try #require(i.inspect("w", cursor: 1))
        #expect(w.hasPrefix("w: param tensor [e, 2] float32\n  6 parameters, trainable"))
        #expect(i.inspect("let q = w @ zeros(2, 5)\nq", cursor: 25)?.hasPrefix("q: let tensor [e, 5] float32\n  (declared above; not run yet)") == true)
        #expect(i.inspect("mse(w, ", cursor: 7)?.hasPrefix("mse(pred, target") == true)
        #expect(i.inspect("let o = adam([w])\no.step", cursor: 22)?.contains("step(") == true)
        #expect(i.inspect(":type x", cursor: 2)?.hasPrefix(":type EXPR") == true)
        #expect(i.inspect("train", cursor: 3)?.contains("train") == true)
        #expect(i.inspect("nothing_here", cursor: 4) == nil)
        #expect(i.inspect("w", cursor: 1, detail: 1)?.contains("[[0.0000 0.0000]") == true)
    }
}
