import Foundation
import Testing

/// Every ```ptune block of the documentation prints what the documentation says when the `ptune` binary runs it
/// as a reader would: the reference's and the Jupyter guide's blocks each as a script of its own, the tutorial's typed
/// into one REPL in order.
/// For every block, standard output must be exactly its `# =>` lines, and — checked separately — standard error
/// exactly its `# expect error:` headlines (each diagnostic's source line and caret aside) and `# stderr:` lines. An
/// expected line ending in `…` matches any line that starts with the rest (times).
@Suite struct DocumentationTests {
    /// One block: where it starts, its text, and what it shows.
    struct Block {
        let line: Int
        let text: String
        let stdout: [String]
        let stderr: [String]
    }

    /// The ```ptune blocks of the document at `path` (relative to the repository).
    static func blocks(_ path: String) throws -> [Block] {
        let text = try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent(path), encoding: .utf8)
        var blocks: [Block] = []
        var current: [String]?
        var start = 0
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if current == nil, line.hasPrefix("```ptune") {
                current = []
                start = i + 2
            } else if let lines = current, line == "```" {
                var out: [String] = [], err: [String] = []
                for l in lines.map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    if l.hasPrefix("# => ") { out.append(String(l.dropFirst(5))) } else if l == "# =>" { out.append("") }
                    if l.hasPrefix("# expect error: ") { err.append(String(l.dropFirst(16))) }
                    if l.hasPrefix("# stderr: ") { err.append(String(l.dropFirst(10))) }
                }
                blocks.append(Block(line: start, text: lines.joined(separator: "\n") + "\n", stdout: out, stderr: err))
                current = nil
            } else if current != nil {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The lines of `text` (without the empty one after the last newline).
    static func lines(_ text: String) -> [String] {
        var out = text.components(separatedBy: "\n")
        if out.last == "" { out.removeLast() }
        return out
    }

    /// Standard error without each located diagnostic's source line and caret.
    static func withoutSourceLines(_ text: String) -> [String] {
        var out: [String] = []
        var skip = 0
        for line in lines(text) {
            if skip > 0 { skip -= 1; continue }
            out.append(line)
            if line.range(of: #"^\S+:\d+:\d+: (error|warning|note): "#, options: .regularExpression) != nil { skip = 2 }
        }
        return out
    }

    /// Lines with the times of training summaries (`train pe: 32 steps in 0.4s (80 steps/s)`) cut off: they differ
    /// from run to run.
    static func untimed(_ lines: [String]) -> [String] {
        lines.map { line in
            guard line.range(of: #"^train \S+: \d+ steps? in "#, options: .regularExpression) != nil,
                  let cut = line.range(of: " in ") else { return line }
            return String(line[..<cut.upperBound])
        }
    }

    static func matches(_ got: [String], _ expected: [String]) -> Bool {
        got.count == expected.count && zip(got, expected).allSatisfy { g, e in e.hasSuffix("…") ? g.hasPrefix(String(e.dropLast())) : g == e }
    }

    /// The reference and the Jupyter guide: each block is a script of its own (named after the document and padded
    /// so that its line numbers are the document's), run in a fresh folder.
    @Test(arguments: [("docs/language.md", 10), ("docs/jupyter.md", 1)])
    func blocksPrintWhatTheySay(_ document: String, atLeast: Int) throws {
        let blocks = try Self.blocks(document)
        let name = (document as NSString).lastPathComponent
        #expect(blocks.count >= atLeast)
        for b in blocks {
            let dir = try PtuneProcess.temporaryFolder("doc")
            defer { try? FileManager.default.removeItem(at: dir) }
            try (String(repeating: "\n", count: b.line - 1) + b.text).write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let r = try PtuneProcess.run([name], in: dir)
            #expect(PrintedNumbers.agree(Self.lines(r.stdout), b.stdout), "standard output of the block at \(name):\(b.line):\n\(r.stdout)")
            #expect(Self.matches(Self.withoutSourceLines(r.stderr), b.stderr), "standard error of the block at \(name):\(b.line):\n\(r.stderr)")
            let fails = b.stderr.contains { $0.contains(": error: ") }
            #expect(fails ? r.status != 0 : r.status == 0, "exit status of the block at \(name):\(b.line): \(r.status)")
        }
    }

    /// The tutorial: its blocks typed into one REPL in order. What block k shows is what the REPL prints for blocks
    /// 1…k beyond what it prints for blocks 1…k−1.
    @Test func tutorialStepsPrintWhatTheySayInTheREPL() throws {
        let blocks = try Self.blocks("docs/tutorial.md")
        #expect(blocks.count >= 10)
        let dir = try PtuneProcess.temporaryFolder("tutorial")
        defer { try? FileManager.default.removeItem(at: dir) }
        var before = (stdout: [String](), stderr: [String]())
        for k in blocks.indices {
            let input = blocks[0...k].map(\.text).joined()
            let r = try PtuneProcess.run(["repl"], input: input, in: dir)
            #expect(r.status == 0, "the REPL after the block at tutorial.md:\(blocks[k].line): \(r.stderr)")
            let out = Self.lines(r.stdout), err = Self.withoutSourceLines(r.stderr)
            #expect(Array(out.prefix(before.stdout.count)) == before.stdout
                    && Self.untimed(Array(err.prefix(before.stderr.count))) == Self.untimed(before.stderr),
                    "the blocks before tutorial.md:\(blocks[k].line) print the same again")
            #expect(PrintedNumbers.agree(Array(out.dropFirst(before.stdout.count)), blocks[k].stdout), "standard output of the block at tutorial.md:\(blocks[k].line)")
            #expect(Self.matches(Array(err.dropFirst(before.stderr.count)), blocks[k].stderr),
                    "standard error of the block at tutorial.md:\(blocks[k].line):\n\(r.stderr)")
            before = (out, err)
        }
    }
}
