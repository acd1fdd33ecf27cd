import Foundation
import Testing

/// The bad-input corpus (`BadInput/`, written by its `make_corpus.py`): malformed scripts and data files, each run
/// through the real `ptune` binary. Every one must end with a non-zero exit status and a located error — a script's
/// `file:line:col: error:`, or an error naming the data file — and never by a signal or a hang.
@Suite struct BadInputTests {
    /// A copy of the corpus in a fresh folder (runs may try to write; the copy keeps the source tree clean).
    static let corpus: URL = {
        let copy = (try? PtuneProcess.temporaryFolder("bad-input")) ?? FileManager.default.temporaryDirectory
        let source = Bundle.module.resourceURL?.appendingPathComponent("BadInput")
            ?? PtuneProcess.packageRoot.appendingPathComponent("Tests/ptuneTests/BadInput")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: source.path)) ?? [] {
            try? FileManager.default.copyItem(at: source.appendingPathComponent(name), to: copy.appendingPathComponent(name))
        }
        return copy
    }()

    static var names: [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return all.filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
    }

    /// The scripts; each one's first line may give options: `# args: --timeout 1`.
    static var scripts: [String] { names.filter { $0.hasSuffix(".pt") } }

    /// The data files, and the snippet that opens each one.
    static var dataFiles: [String] { names.filter { opener(for: $0) != nil } }

    static func opener(for name: String) -> String? {
        switch (name as NSString).pathExtension {
        case "jsonl": return "data d = read_jsonl(\"\(name)\")"
        case "csv": return "data d = read_csv(\"\(name)\")"
        case "tsv": return "data d = read_tsv(\"\(name)\")"
        case "safetensors", "json": return "let t = load_tensors(\"\(name)\")"
        case "txt": return "let t = read_text(\"\(name)\")"
        default: return nil
        }
    }

    @Test func theCorpusIsLargeAndVaried() {
        #expect(BadInputTests.names.count >= 60)
        for ext in ["pt", "jsonl", "csv", "tsv", "safetensors", "gguf"] {
            #expect(BadInputTests.names.contains { $0.hasSuffix("." + ext) }, "no .\(ext) in the corpus")
        }
    }

    @Test(arguments: BadInputTests.scripts)
    func scriptFailsWithALocatedError(_ name: String) throws {
        let text = String(decoding: try Data(contentsOf: BadInputTests.corpus.appendingPathComponent(name)), as: UTF8.self)
        var args: [String] = []
        if let first = text.split(separator: "\n").first, first.hasPrefix("# args:") {
            args = first.dropFirst("# args:".count).split(separator: " ").map(String.init)
        }
        let r = try ProcessRunner.run(PtuneProcess.binary, args + [name], in: BadInputTests.corpus)
        try BadInputTests.expectFailure(r, name: name, located: "\(name):[0-9]+:[0-9]+: error: |[a-z_]+\\.pt:[0-9]+:[0-9]+: error: ")
    }

    @Test(arguments: BadInputTests.dataFiles)
    func dataFileFailsNamingTheFile(_ name: String) throws {
        let snippet = try #require(BadInputTests.opener(for: name))
        let r = try ProcessRunner.run(PtuneProcess.binary, ["-e", snippet], in: BadInputTests.corpus)
        try BadInputTests.expectFailure(r, name: name, located: "<-e>:1:[0-9]+: error: .*\(NSRegularExpression.escapedPattern(for: name))")
    }

    /// A GGUF file is opened by the model loader (the language loads GGUF models by name through the registry,
    /// which needs the real model): `ptune-fuzz open` runs that loader on the file in its own process.
    @Test(arguments: BadInputTests.names.filter { $0.hasSuffix(".gguf") || $0.hasSuffix(".safetensors") })
    func modelFileIsRefusedByTheLoader(_ name: String) throws {
        let r = try ProcessRunner.run(ProcessRunner.binary("ptune-fuzz"), ["open", name], in: BadInputTests.corpus)
        try BadInputTests.expectFailure(r, name: name, located: "\(NSRegularExpression.escapedPattern(for: name)).*error|error.*\(NSRegularExpression.escapedPattern(for: name))")
    }

    /// A 10 MB line, generated here rather than committed: an unterminated string; a string followed by a check
    /// error at the far end of the line; a JSONL row whose JSON breaks after 10 MB.
    @Test(arguments: ["unterminated", "far_error", "jsonl"])
    func tenMegabyteLine(_ kind: String) throws {
        let folder = try PtuneProcess.temporaryFolder("long-line")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ten = String(repeating: "abcdefghij", count: 1_000_000)
        var args = ["long.pt"]
        switch kind {
        case "unterminated": try Data("let s = \"\(ten)\n".utf8).write(to: folder.appendingPathComponent("long.pt"))
        case "far_error": try Data("let s = \"\(ten)\" + 1\n".utf8).write(to: folder.appendingPathComponent("long.pt"))
        default:
            try Data("{\"text\": \"\(ten)\", \"label\": }\n".utf8).write(to: folder.appendingPathComponent("long.jsonl"))
            args = ["-e", "data d = read_jsonl(\"long.jsonl\")"]
        }
        let r = try ProcessRunner.run(PtuneProcess.binary, args, in: folder)
        try BadInputTests.expectFailure(r, name: kind, located: kind == "jsonl" ? "<-e>:1:10: error: .*long.jsonl" : "long.pt:1:[0-9]+: error: ")
        #expect(r.stderr.utf8.count < 2_000, "the error should not echo the whole line (\(r.stderr.utf8.count) bytes)")
    }

    static func expectFailure(_ r: ProcessRunner.Outcome, name: String, located pattern: String) throws {
        #expect(!r.timedOut, "\(name): still running after 60 s")
        #expect(r.signal == nil, "\(name): killed by signal \(r.signal ?? 0)\n\(r.stderr.suffix(2000))")
        #expect(r.status != 0, "\(name): exit status 0\n\(r.stdout.prefix(500))")
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(r.stderr.startIndex..., in: r.stderr)
        #expect(regex.firstMatch(in: r.stderr, range: range) != nil, "\(name): no located error on stderr:\n\(r.stderr.prefix(1500))")
    }
}
