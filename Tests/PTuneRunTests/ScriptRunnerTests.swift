import Foundation
import PTuneLang
import Synchronization
import Testing
@testable import PTuneRun

/// Text written to a console, collected from any thread.
final class Captured: Sendable {
    private let text = Mutex("")
    func append(_ s: String) { text.withLock { $0 += s } }
    var value: String { text.withLock { $0 } }
}

/// The script runner in-process: exit statuses, what it prints where, and checking.
@Suite struct ScriptRunnerTests {
    let out = Captured(), err = Captured()

    func runner(_ settings: RunSettings = RunSettings(progress: .quiet)) -> ScriptRunner {
        let out = self.out, err = self.err
        let console = Console(out: { out.append($0) }, err: { err.append($0) }, color: false)
        return ScriptRunner(console: console, settings: settings,
                            reporter: TrainingReporter(style: .quiet, bar: { _ in }, log: { _ in }))
    }

    @Test func statusesFollowTheKindOfFailure() {
        #expect(runner().runSource("print 1 + 1", name: "<-e>") == .success)
        #expect(runner().runSource("print nosuch", name: "<-e>") == .syntaxError)
        #expect(runner().runSource("let x = (1,", name: "<-e>") == .syntaxError)
        #expect(runner().runSource("print \"ran\"\nassert 1 > 2, \"no\"", name: "<-e>") == .runtimeError)
        #expect(out.value == "2\nran\n")
        #expect(err.value.contains("<-e>:1:7: error: cannot find 'nosuch' in scope"))
        // Input that ends inside a statement is located where the statement is unfinished.
        #expect(err.value.contains("<-e>:1:11: error: expected ')' to close '(' at 1:9"))
        #expect(err.value.contains("<-e>:2:1: error: assertion failed: no"))
    }

    @Test func failuresMapToExitStatuses() {
        let s = Session(output: .discard)
        func failure(_ text: String) -> RunFailure? {
            do { try s.run(SourceFile(name: "t", text: text)); return nil } catch { return error }
        }
        #expect(failure("let x = (").map(ExitStatus.init) == .syntaxError)
        #expect(failure("let x = )").map(ExitStatus.init) == .syntaxError)
        #expect(failure("let x = nope").map(ExitStatus.init) == .syntaxError)
        #expect(failure("assert false").map(ExitStatus.init) == .runtimeError)
        #expect(failure("let ok = 1") == nil)
        // Ctrl-C stops at a step boundary: 130, and one line.
        s.cancellation.cancel()
        let stopped = failure("for i in 1..1000000 { let y = i }")
        #expect(stopped?.isInterruption == true)
        #expect(stopped.map(ExitStatus.init) == .interrupted)
        #expect(stopped?.rendered(color: false).contains("\n") == false)
    }

    @Test func checkReportsEveryFileAndRunsNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-check-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "print \"ran\"\n".write(toFile: dir + "/good.pt", atomically: true, encoding: .utf8)
        try "let a = nosuch\nlet b = alsonot\n".write(toFile: dir + "/bad.pt", atomically: true, encoding: .utf8)
        #expect(runner().check([dir + "/good.pt"]) == .success)
        #expect(runner().check([dir + "/bad.pt", dir + "/good.pt"]) == .syntaxError)
        #expect(runner().check([dir + "/missing.pt"]) == .usage)
        #expect(runner().check([dir]) == .usage)
        #expect(runner().checkSource("print 1", name: "<-e>") == .success)
        #expect(runner().checkSource("print nosuch", name: "<-e>") == .syntaxError)
        #expect(!out.value.contains("ran"))
        #expect(out.value.contains("good.pt: ok") && out.value.contains("<-e>: ok"))
        #expect(err.value.contains("bad.pt:1:9: error") && err.value.contains("bad.pt:2:9: error"))
        #expect(err.value.contains("cannot read '\(dir)/missing.pt': no such file"))
        #expect(err.value.contains("it is a folder"))
    }

    @Test func scriptRunsSeeTheSettings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-settings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "dim n = 5\nprint randn(n).shape\n".write(toFile: dir + "/s.pt", atomically: true, encoding: .utf8)
        let overrides = [try Override(parsing: "n=2")]
        #expect(runner(RunSettings(overrides: overrides, progress: .quiet)).runFile(dir + "/s.pt") == .success)
        #expect(out.value == "[2]\n")
        // A script run refuses `--set` names it does not declare; a snippet ignores them.
        let unknown = RunSettings(overrides: [try Override(parsing: "nothere=1")], progress: .quiet)
        #expect(runner(unknown).runFile(dir + "/s.pt") == .syntaxError)
        #expect(err.value.contains("'nothere'"))
        #expect(runner(unknown).runSource("print 3", name: "<-e>") == .success)
        #expect(runner().runFile(dir + "/none.pt") == .usage)
        #expect(RunSettings(seed: 7, overrides: overrides, allowPaths: ["/data"]).rerunCommand(script: "s.pt")
                == ["ptune", "--seed", "7", "--set", "n=2", "--allow-path", "/data", "s.pt"])
    }

    @Test func recordSeedsSayWhereTheyCameFrom() {
        let file = SourceFile(name: "common.pt", text: "let a = 1\nseed 11\n")
        let ran = (value: UInt64(11), at: SourceSpan(file: file, start: 10, end: 17))
        #expect(RunRecord.Seed(option: 5, ran: ran, default: 0) == RunRecord.Seed(value: 5, source: .option))
        #expect(RunRecord.Seed(option: nil, ran: ran, default: 0) == RunRecord.Seed(value: 11, source: .script, statement: "common.pt:2:1"))
        #expect(RunRecord.Seed(option: nil, ran: nil, default: 9) == RunRecord.Seed(value: 9, source: .default))
    }
}
