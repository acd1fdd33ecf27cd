import Foundation
import Testing

/// What uses the stack, run through the real binary under the default limits: deep but legitimate recursion
/// succeeds, values nested far deeper than any recursion could walk print, compare and go away without a crash,
/// and what cannot be done (a tensor of 100,000 axes) is a located error, never a signal.
@Suite struct DeepValueCLITests {
    static func run(_ code: String, _ extra: [String] = []) throws -> PtuneProcess.Result {
        try PtuneProcess.run(extra + ["-e", code])
    }

    static func expectSuccess(_ r: PtuneProcess.Result, _ what: String) {
        #expect(!r.signaled, "\(what): killed by a signal\n\(r.stderr.suffix(1500))")
        #expect(r.status == 0, "\(what): exit status \(r.status)\n\(r.stderr.prefix(1500))")
    }

    /// A recursion 399 calls deep whose call sits inside 40 nested `[…][0]`, or inside 90 nested `(0 + …)`.
    @Test(arguments: [("[", "][0]", 40), ("(0 + ", ")", 90)])
    func deepRecursionInsideNestedExpressions(_ open: String, _ close: String, _ nesting: Int) throws {
        let call = String(repeating: open, count: nesting) + "f(n - 1)" + String(repeating: close, count: nesting)
        let r = try Self.run("fn f(n) {\n  if n <= 0 { return 7 }\n  return \(call)\n}\nprint f(399)")
        Self.expectSuccess(r, "nesting \(nesting)")
        #expect(r.stdout == "7\n", "\(r.stdout)")
    }

    /// A list nested 100,000 deep, built at run time: printed, turned into a string, compared, dropped at exit.
    @Test func listNestedOneHundredThousandDeep() throws {
        let build = "let l = [\"a\"]\nlet k = [\"a\"]\nfor i in 1..100000 {\n  l = [l]\n  k = [k]\n}\n"
        let printed = try Self.run(build + "print l")
        Self.expectSuccess(printed, "print")
        #expect(printed.stdout == String(repeating: "[", count: 100_001) + "\"a\"" + String(repeating: "]", count: 100_001) + "\n")
        let text = try Self.run(build + "print len(str(l))")
        Self.expectSuccess(text, "str")
        #expect(text.stdout == "200005\n", "\(text.stdout)")
        let compared = try Self.run(build + "print l == k, l == [\"a\"], l != k")
        Self.expectSuccess(compared, "==")
        #expect(compared.stdout == "true false false\n", "\(compared.stdout)")
        let dropped = try Self.run(build + "print \"done\"")
        Self.expectSuccess(dropped, "exit")
        #expect(dropped.stdout == "done\n")
    }

    /// A chain of recorded operations a million long is released without recursion.
    @Test func longAutodiffChainIsReleased() throws {
        let r = try Self.run("param w = ones(1)\nlet x = w\nfor i in 1..300000 { x = x * 1 }\nprint sum(x).item()\nx = w\nprint \"released\"")
        Self.expectSuccess(r, "graph")
        #expect(r.stdout == "1\nreleased\n", "\(r.stdout)")
    }

    /// "Did you mean" for a 300,000-letter name with a one-letter typo: the search is bounded (a few edits, within
    /// a band), so the check answers instead of running for minutes.
    @Test func typoInAHugeNameIsSuggestedQuickly() throws {
        let folder = try PtuneProcess.temporaryFolder("long-name")
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = String(repeating: "a", count: 300_000)
        try Data("let \(name) = 1\nprint \(name.dropLast())b\n".utf8).write(to: folder.appendingPathComponent("typo.pt"))
        let r = try PtuneProcess.run(["check", "typo.pt"], in: folder)
        #expect(!r.signaled)
        #expect(r.status == 65, "\(r.status)")
        #expect(r.stderr.contains("typo.pt:2:7: error: cannot find 'aaaa") && r.stderr.contains("did you mean"), "\(r.stderr.prefix(300))")
    }

    /// A function of 100,000 parameters is parsed and checked in time linear in them.
    @Test func functionOfManyParameters() throws {
        let folder = try PtuneProcess.temporaryFolder("many-params")
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = (0..<100_000).map { "p\($0)" }
        try Data("fn f(\(names.joined(separator: ", "))) = p99999\nprint 1\n".utf8).write(to: folder.appendingPathComponent("f.pt"))
        let r = try PtuneProcess.run(["f.pt"], in: folder)
        Self.expectSuccess(r, "100,000 parameters")
        #expect(r.stdout == "1\n")
    }

    /// A recursion cut off by `--max-depth` far past what the stack holds ends in a located error.
    @Test func recursionPastTheStackIsAnError() throws {
        let r = try Self.run("fn f(n) = f(n + 1)\nprint f(0)", ["--max-depth", "10000000"])
        #expect(!r.signaled, "\(r.stderr.suffix(1500))")
        #expect(r.status == 1)
        #expect(r.stderr.contains("<-e>:1:11: error: function calls nested too deeply"), "\(r.stderr.prefix(500))")
    }
}
