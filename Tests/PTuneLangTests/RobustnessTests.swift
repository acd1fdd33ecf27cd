import Foundation
import Testing
@testable import PTuneLang

/// Whatever the input, the front end answers with diagnostics and never traps: random token soup, mutated golden
/// programs (parsed, checked and run under tight limits), and raw bytes.
@Suite struct RobustnessTests {
    /// A small deterministic generator for the test's own choices.
    struct Rand {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
    }

    static let pieces = ["let", "fn", "if", "else", "for", "in", "while", "return", "break", "print", "assert", "dim",
                         "param", "frozen", "model", "encoder", "data", "train", "on", "save", "to", "load", "from", "seed",
                         "dtype", "import", "x", "y", "f", "embed", "randn", "concat", "mse", "sgd", "batch", "0", "1", "2.5",
                         "1e-3", "\"s\"", "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "=", "+=", "+", "-", "*", "/", "%",
                         "@", "**", "==", "<", "..", "..<", "->", "and", "not", "true", "none", "\n", "\n", " ", "#c\n"]

    @Test func tokenSoupNeverTraps() {
        var r = Rand(state: 7)
        let session = Session(output: .discard)
        for _ in 0..<1500 {
            let n = 1 + r.next(40)
            let text = (0..<n).map { _ in Self.pieces[r.next(Self.pieces.count)] }.joined(separator: " ")
            _ = Parser.parse(SourceFile(name: "soup.pt", text: text))
            _ = try? session.check(SourceFile(name: "soup.pt", text: text))
        }
    }

    @Test func mutatedGoldenProgramsNeverTrap() throws {
        var r = Rand(state: 11)
        var sources: [String] = []
        for p in GoldenRunner.programs() where !p.hasPrefix("examples/") {
            sources.append(try String(contentsOfFile: GoldenRunner.goldenDirectory.appendingPathComponent(p).path, encoding: .utf8))
        }
        let limits = Limits(maxTensorElements: 1 << 16, maxMemoryBytes: 64 << 20, maxCallDepth: 50, timeout: 0.2)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-mutants-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for i in 0..<300 {
            var lines = sources[i % sources.count].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for _ in 0..<(1 + r.next(3)) {
                guard !lines.isEmpty else { break }
                let a = r.next(lines.count), b = r.next(lines.count)
                switch r.next(4) {
                case 0: lines.remove(at: a)
                case 1: lines.insert(lines[a], at: b)
                case 2: lines.swapAt(a, b)
                default:
                    var chars = Array(lines[a])
                    if !chars.isEmpty { chars.remove(at: r.next(chars.count)) }
                    lines[a] = String(chars)
                }
            }
            // A mutant may write anything a golden program writes: it runs in an empty scratch folder.
            let session = Session(options: SessionOptions(fileAccess: FileAccess(only: [scratch.path]), limits: limits),
                                  output: .discard)
            _ = try? session.run(SourceFile(name: "m.pt", text: lines.joined(separator: "\n"), directory: scratch.path))
        }
    }

    @Test func arbitraryBytesNeverTrap() {
        var r = Rand(state: 3)
        for _ in 0..<200 {
            let bytes = (0..<r.next(200)).map { _ in UInt8(r.next(256)) }
            let result = Parser.parse(SourceFile(name: "bytes.pt", bytes: bytes))
            for d in result.diagnostics { _ = d.description }
        }
    }
}
