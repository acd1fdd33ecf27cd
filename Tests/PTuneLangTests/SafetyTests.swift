import Foundation
import Testing
@testable import PTuneLang

/// File access stays inside the allowed folders, resource limits give errors instead of crashes, and the same
/// script prints the same output on every run.
@Suite struct SafetyTests {
    /// A scratch folder with `inside/data.txt`, `outside/secret.txt` and symlinks pointing both ways.
    func sandbox() throws -> (root: String, inside: String, outside: String) {
        let root = NSTemporaryDirectory() + "ptune-safety-\(UUID().uuidString)"
        let inside = root + "/inside", outside = root + "/outside"
        let fm = FileManager.default
        try fm.createDirectory(atPath: inside + "/sub", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "ok".write(toFile: inside + "/data.txt", atomically: true, encoding: .utf8)
        try "secret".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: inside + "/escape.txt", withDestinationPath: outside + "/secret.txt")
        try fm.createSymbolicLink(atPath: inside + "/escape_dir", withDestinationPath: outside)
        return (root, inside, outside)
    }

    func read(_ path: String, in inside: String) -> String {
        let s = Session(options: SessionOptions(fileAccess: FileAccess(only: [inside])), output: .discard)
        do {
            return try s.run(SourceFile(name: "t.pt", text: "read_text(\"\(path)\")", directory: inside)).first?.description ?? ""
        } catch {
            return error.diagnostics.first?.message.description ?? "\(error)"
        }
    }

    @Test func readsInsideTheAllowedFolder() throws {
        let (root, inside, _) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(read("data.txt", in: inside) == "ok")
        #expect(read("sub/../data.txt", in: inside) == "ok")
        #expect(read(inside + "/data.txt", in: inside) == "ok")
    }

    @Test func everyEscapeIsRefusedNamingThePath() throws {
        let (root, inside, outside) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for path in ["../outside/secret.txt", outside + "/secret.txt", "escape.txt", "escape_dir/secret.txt", "/etc/passwd",
                     "sub/../../outside/secret.txt"] {
            let message = read(path, in: inside)
            #expect(message.hasPrefix("access to '\(path)' is not allowed"), "\(path): \(message)")
        }
        // Writing is confined the same way.
        let s = Session(options: SessionOptions(fileAccess: FileAccess(only: [inside])), output: .discard)
        #expect(throws: RunFailure.self) {
            try s.run(SourceFile(name: "t.pt", text: "write_text(\"../outside/new.txt\", \"x\")", directory: inside))
        }
        #expect(!FileManager.default.fileExists(atPath: outside + "/new.txt"))
        try s.run(SourceFile(name: "t.pt", text: "write_text(\"new.txt\", \"x\")", directory: inside))
        #expect(FileManager.default.fileExists(atPath: inside + "/new.txt"))
    }

    @Test func allowPathWidensAccess() throws {
        let (root, inside, outside) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var access = FileAccess(only: [inside])
        access.allow(outside)
        let s = Session(options: SessionOptions(fileAccess: access), output: .discard)
        let v = try s.run(SourceFile(name: "t.pt", text: "read_text(\"escape.txt\")", directory: inside))
        #expect(v.first?.description == "secret")
    }

    @Test func memoryLimitIsAnErrorNotAKill() {
        let s = Session(options: SessionOptions(limits: Limits(maxTensorElements: 1 << 20, maxMemoryBytes: 16 << 20)), output: .discard)
        do {
            try s.run(SourceFile(name: "t.pt", text: "let keep = []\nfor i in 1..100 { keep = keep + [zeros(524288)] }"))
            Issue.record("should run out of memory")
        } catch {
            #expect(error.diagnostics.first?.headline.contains("the memory limit is 16777216 bytes") == true, "\(error)")
        }
        do {
            try s.run(SourceFile(name: "t.pt", text: "let big = ones(2000, 2000)"))
            Issue.record("should refuse the tensor")
        } catch {
            #expect(error.diagnostics.first?.headline.contains("exceeds the limit of 1048576 elements") == true)
        }
    }

    @Test func sameScriptSameOutputBitForBit() throws {
        let text = try String(contentsOfFile: GoldenRunner.repositoryRoot.appendingPathComponent("examples/seed.pt").path, encoding: .utf8)
            .replacingOccurrences(of: "let steps = 10000", with: "let steps = 500")
        func run() throws -> [String] {
            var lines: [String] = []
            try Session(output: OutputSink(write: { lines.append($0) }, note: { _ in })).run(SourceFile(name: "seed.pt", text: text))
            return lines
        }
        let a = try run(), b = try run()
        #expect(a == b && !a.isEmpty)
    }

    @Test func deepRecursionInASessionKeepsItUsable() throws {
        let s = Session(output: .discard)
        #expect(throws: RunFailure.self) { try s.run(SourceFile(name: "t", text: "fn f(n) = f(n + 1)\nf(0)")) }
        #expect(try s.run(SourceFile(name: "t", text: "1 + 1")).first?.description == "2")
    }
}
