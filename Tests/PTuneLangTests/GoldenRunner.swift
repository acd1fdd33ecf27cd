import Foundation
@testable import PTuneLang

/// Runs ptune programs and compares what they print with the expectations written in them:
/// `# expect: LINE` (or `# => LINE`) for each line of output, `# expect error: HEADLINE` for each diagnostic
/// (`file.pt:3:14: error: message`), `# expect note: LINE` for notes. Lines are compared exactly, in order.
enum GoldenRunner {
    /// The folder of golden programs in the source tree.
    static var goldenDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    /// The repository root.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Every golden program (files whose name starts with `_` are helpers that others import).
    static func programs() -> [String] {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: goldenDirectory.path) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            let name = (p as NSString).lastPathComponent
            if p.hasSuffix(".pt") && !name.hasPrefix("_") { out.append(p) }
        }
        return out.sorted()
    }

    /// What a program expects.
    struct Expectations: Equatable {
        var output: [String] = []
        var errors: [String] = []
        var notes: [String] = []
    }

    /// The expectations written in `text`.
    static func expectations(in text: String) -> Expectations {
        var e = Expectations()
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            for (prefix, kind) in [("# expect error: ", 1), ("# expect note: ", 2), ("# expect: ", 0), ("# => ", 0)] {
                guard line.hasPrefix(prefix) else { continue }
                let value = String(line.dropFirst(prefix.count))
                switch kind {
                case 1: e.errors.append(value)
                case 2: e.notes.append(value)
                default: e.output.append(value)
                }
                break
            }
            if line == "# expect:" || line == "# =>" { e.output.append("") }
        }
        return e
    }

    /// Whether `got` lines match `expected` lines: equal, or (an expected line ending in `…`) starting with it.
    static func matches(_ got: [String], _ expected: [String]) -> Bool {
        guard got.count == expected.count else { return false }
        return zip(got, expected).allSatisfy { g, e in
            e.hasSuffix("…") ? g.hasPrefix(String(e.dropLast())) : g == e
        }
    }

    /// What a run of the program at `path` (inside the repository) produced, in the same form. The program runs
    /// from a scratch copy of its folder (see ``ScratchTree``), so the files it writes never end up in the source tree.
    static func run(file path: String, options: SessionOptions = SessionOptions()) throws -> Expectations {
        let scratch = try ScratchTree(repository: repositoryRoot, program: URL(fileURLWithPath: path))
        defer { scratch.remove() }
        var got = Expectations()
        var opts = options
        opts.fileAccess.allow(repositoryRoot.path)
        let session = Session(options: opts, output: OutputSink(
            write: { text in got.output += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) },
            note: { got.notes.append($0) }))
        do { try session.runFile(scratch.program.path) } catch {
            if case .incomplete = error { got.errors.append("error: unexpected end of input") }
            got.errors += error.diagnostics.map(\.headline)
        }
        return got
    }
}

/// A temporary folder laid out like the repository for one program: real folders on the path from the repository
/// root down to the program's folder, the program itself copied, and every other file and folder a link to the
/// original. What the program reads by relative path (`_helpers.pt`, `../data/_points.csv`,
/// `../../../../examples/seed.pt`) is found as in the source tree; what it writes beside itself stays in the
/// temporary folder.
struct ScratchTree {
    /// The temporary folder (the repository root's stand-in).
    let root: URL
    /// The copied program.
    let program: URL

    init(repository: URL, program source: URL) throws {
        let fm = FileManager.default
        let repo = repository.resolvingSymlinksInPath().standardizedFileURL.pathComponents
        let path = source.resolvingSymlinksInPath().standardizedFileURL.pathComponents
        guard path.count > repo.count, Array(path.prefix(repo.count)) == repo else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: source.path])
        }
        root = fm.temporaryDirectory.appendingPathComponent("ptune-golden-" + UUID().uuidString, isDirectory: true)
        var original = repository.resolvingSymlinksInPath()
        var copy = root
        try fm.createDirectory(at: copy, withIntermediateDirectories: true)
        // Down the folders to the program: each level's other entries are links.
        for i in repo.count..<path.count {
            for entry in try fm.contentsOfDirectory(atPath: original.path) where entry != path[i] {
                try fm.createSymbolicLink(at: copy.appendingPathComponent(entry), withDestinationURL: original.appendingPathComponent(entry))
            }
            original.appendPathComponent(path[i])
            copy.appendPathComponent(path[i])
            if i < path.count - 1 { try fm.createDirectory(at: copy, withIntermediateDirectories: false) }
        }
        try fm.copyItem(at: original, to: copy)
        program = copy
    }

    /// Deletes the temporary folder (its links, not what they point to).
    func remove() { try? FileManager.default.removeItem(at: root) }
}
