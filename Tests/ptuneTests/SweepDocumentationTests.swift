import Foundation
import Testing

/// docs/sweeps.md as a reader follows it: every `$ ` command of its ```console blocks runs, in order, in one folder
/// holding a copy of `examples/`, and prints what the page shows — standard output its plain lines, standard error
/// its `# stderr:` lines, each checked separately. `…` in a line matches any text; a line that is only `…` matches
/// any number of lines. The SVG the page shows is the one `runs plot` writes.
@Suite struct SweepDocumentationTests {
    /// One command and what it prints.
    struct Step {
        let line: Int
        let words: [String]
        var stdout: [String] = []
        var stderr: [String] = []
    }

    /// The commands of the page's console blocks.
    static func steps(_ path: String) throws -> [Step] {
        let text = try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent(path), encoding: .utf8)
        var steps: [Step] = [], inBlock = false
        for (i, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = String(raw)
            if !inBlock { inBlock = line == "```console"; continue }
            if line == "```" { inBlock = false; continue }
            if line.hasPrefix("$ ") {
                steps.append(Step(line: i + 1, words: words(String(line.dropFirst(2)))))
            } else if line.hasPrefix("# stderr: ") {
                steps[steps.count - 1].stderr.append(String(line.dropFirst(10)))
            } else if !steps.isEmpty {
                steps[steps.count - 1].stdout.append(line)
            }
        }
        return steps
    }

    /// A command line split at spaces (no quoting on the page).
    static func words(_ line: String) -> [String] { line.split(separator: " ").map(String.init) }

    /// Whether `got` matches `expected`, where `…` matches any text and a line `…` any lines.
    static func matches(_ got: [String], _ expected: [String]) -> Bool {
        guard let e = expected.first else { return got.isEmpty }
        if e == "…" { return (0...got.count).contains { matches(Array(got.dropFirst($0)), Array(expected.dropFirst())) } }
        guard let g = got.first, PrintedNumbers.line(g, matches: e) else { return false }
        return matches(Array(got.dropFirst()), Array(expected.dropFirst()))
    }

    static func lines(_ text: String) -> [String] {
        var out = text.components(separatedBy: "\n")
        if out.last == "" { out.removeLast() }
        return out
    }

    @Test func sweepsPagePrintsWhatItSays() throws {
        let steps = try Self.steps("docs/sweeps.md")
        #expect(steps.count >= 6)
        let dir = try PtuneProcess.temporaryFolder("sweeps-doc")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: PtuneProcess.packageRoot.appendingPathComponent("examples"), to: dir.appendingPathComponent("examples"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("docs"), withIntermediateDirectories: true)
        for step in steps {
            let r: (status: Int32, stdout: String, stderr: String)
            switch step.words.first {
            case "ptune":
                let p = try PtuneProcess.run(Array(step.words.dropFirst()), in: dir)
                r = (p.status, p.stdout, p.stderr)
            case "cat":
                let text = try String(contentsOf: dir.appendingPathComponent(step.words[1]), encoding: .utf8)
                r = (0, text, "")
            default:
                Issue.record("docs/sweeps.md:\(step.line): the test runs only ptune and cat commands")
                continue
            }
            #expect(r.status == 0, "docs/sweeps.md:\(step.line): exit status \(r.status)\n\(r.stderr)")
            #expect(Self.matches(Self.lines(r.stdout), step.stdout), "standard output of docs/sweeps.md:\(step.line):\n\(r.stdout)")
            #expect(Self.matches(Self.lines(r.stderr), step.stderr), "standard error of docs/sweeps.md:\(step.line):\n\(r.stderr)")
        }
        let svg = try String(contentsOf: dir.appendingPathComponent("docs/sweeps-loss.svg"), encoding: .utf8)
        let shown = try String(contentsOf: PtuneProcess.packageRoot.appendingPathComponent("docs/sweeps-loss.svg"), encoding: .utf8)
        #expect(PrintedNumbers.agree(Self.lines(svg), Self.lines(shown)),
                "docs/sweeps-loss.svg is not what the page's runs plot command draws")
    }
}
