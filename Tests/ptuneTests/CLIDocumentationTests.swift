import Foundation
import Testing

/// What docs/cli.md shows runs through the binary as shown: the REPL session (its `pt>` and `..>` lines typed in;
/// standard output and standard error checked separately) and the exit statuses of its table, each from a command
/// of the kind the table names.
@Suite struct CLIDocumentationTests {
    static func document() throws -> [String] {
        try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
            .components(separatedBy: "\n")
    }

    /// The lines of the fenced block that holds `pt> `.
    static func replBlock(_ lines: [String]) -> [String] {
        var blocks: [[String]] = [], current: [String]?
        for line in lines {
            if line.hasPrefix("```") {
                if let c = current { blocks.append(c); current = nil } else { current = [] }
            } else {
                current?.append(line)
            }
        }
        return blocks.first { $0.contains { $0.hasPrefix("pt> ") } } ?? []
    }

    @Test func theREPLSessionPrintsWhatTheDocumentShows() throws {
        let block = CLIDocumentationTests.replBlock(try CLIDocumentationTests.document())
        #expect(block.count > 10)
        var input = "", out: [String] = [], err: [String] = []
        var sourceLines = 0
        for line in block {
            if line.hasPrefix("pt> ") || line.hasPrefix("..> ") {
                input += line.dropFirst(4) + "\n"
            } else if sourceLines > 0 {
                err.append(line)
                sourceLines -= 1
            } else if line.range(of: #"^\S+:\d+:\d+: (error|warning|note): "#, options: .regularExpression) != nil {
                err.append(line)
                sourceLines = 2   // the source line and the caret
            } else {
                out.append(line)
            }
        }
        let dir = try PtuneProcess.temporaryFolder("cli-doc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try PtuneProcess.run(["repl"], input: input, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(DocumentationTests.lines(r.stdout) == out, "standard output of the REPL session in docs/cli.md:\n\(r.stdout)")
        #expect(DocumentationTests.lines(r.stderr) == err, "standard error of the REPL session in docs/cli.md:\n\(r.stderr)")
    }

    @Test func exitStatusesAreTheTableOnes() throws {
        let lines = try CLIDocumentationTests.document()
        let start = try #require(lines.firstIndex(of: "## Exit status"))
        let table = lines[start...].prefix { !$0.hasPrefix("Errors are printed") }
        let documented = Set(table.compactMap { line -> Int32? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.first.flatMap { Int32($0) }
        })
        #expect(documented == [0, 1, 2, 65, 130])
        let dir = try PtuneProcess.temporaryFolder("cli-status")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "let lr = 0.1\ndim n = 3\nprint lr, n\n".write(to: dir.appendingPathComponent("s.pt"), atomically: true, encoding: .utf8)
        // 130 (Ctrl-C) is run by the CLI and limit tests.
        let cases: [([String], Int32)] = [
            (["s.pt"], 0), (["-e", "assert 1 > 2, \"no\""], 1),
            (["--bogus", "s.pt"], 2), (["--set", "lr", "s.pt"], 2), (["missing.pt"], 2),
            (["-e", "print ("], 65), (["--set", "nope=1", "s.pt"], 65), (["--set", "lr=abc", "s.pt"], 65),
            (["--set", "n=2.5", "s.pt"], 65), (["check", "--set", "lr=abc", "s.pt"], 65),
        ]
        for (args, status) in cases {
            let r = try PtuneProcess.run(args, in: dir)
            #expect(r.status == status, "ptune \(args.joined(separator: " ")): status \(r.status), the table says \(status):\n\(r.stderr)")
            if status == 65 || status == 2 { #expect(r.stdout.isEmpty, "ptune \(args.joined(separator: " ")) ran something") }
        }
    }
}
