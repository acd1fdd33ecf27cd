import Foundation
import Testing
@testable import PTuneREPL

/// A fixed set of names for completion tests.
final class FixedSource: CompletionSource {
    let keywordNames = ["let", "fn", "for", "frozen", "train", "print", "param"]
    let builtinNames = ["randn", "relu", "adam", "sgd", "mse", "plot", "print_shape"]
    func namesInScope() -> [String] { ["encoder", "embed", "lm", "llm"] }
    func members(of expression: String) -> [String] {
        switch expression {
        case "lm": return ["dim", "dtype", "parameters", "frozen"]
        case "lm.parameters": return ["count"]
        default: return []
        }
    }
    func parameterNames(of callee: String) -> [String] {
        switch callee {
        case "adam": return ["lr", "betas", "weight_decay"]
        case "opt.step": return ["clip"]
        default: return []
        }
    }
    let helpTopics = ["adam", "tensor", "nn"]
}

@Suite struct CompleterTests {
    let completer = Completer(source: FixedSource())

    @Test func keywordsBuiltinsAndNames() {
        let r = completer.complete(line: "let y = re")
        #expect(r.candidates == ["relu"])
        #expect(r.start == 8)
        #expect(completer.complete(line: "fr").candidates == ["frozen"])
        #expect(completer.complete(line: "print e").candidates == ["embed", "encoder"])
        #expect(completer.complete(line: "l").candidates == ["let", "llm", "lm"])
    }

    @Test func membersAfterDot() {
        let r = completer.complete(line: "print lm.d")
        #expect(r.candidates == ["dim", "dtype"])
        #expect(r.start == 9)
        #expect(completer.complete(line: "lm.").candidates == ["dim", "dtype", "frozen", "parameters"])
        #expect(completer.complete(line: "lm.parameters.c").candidates == ["count"])
        #expect(completer.complete(line: "3.1").candidates.isEmpty)
    }

    @Test func namedArgumentsInsideACallComeFirst() {
        let r = completer.complete(line: "let opt = adam(l")
        #expect(r.candidates.first == "lr:")
        #expect(r.candidates.contains("let"))
        let w = completer.complete(line: "let opt = adam(lr: 0.1, we")
        #expect(w.candidates == ["weight_decay:"])
        #expect(w.appendCharacter == " ")
        // After the call closes, its names are no longer offered.
        #expect(!completer.complete(line: "adam(lr: 1) + w").candidates.contains("weight_decay:"))
        #expect(completer.complete(line: "opt.step(loss, c").candidates == ["clip:"])
    }

    @Test func filePathsInsideStrings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-complete-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/data/train.csv", contents: Data())
        _ = FileManager.default.createFile(atPath: dir + "/data/test.csv", contents: Data())
        _ = FileManager.default.createFile(atPath: dir + "/.hidden", contents: Data())
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = Completer(source: FixedSource(), baseDirectory: dir)
        let folder = c.complete(line: "data d = csv(\"da")
        #expect(folder.candidates == ["data/"])
        #expect(folder.appendCharacter == nil)
        let file = c.complete(line: "data d = csv(\"data/tr")
        #expect(file.candidates == ["train.csv"])
        #expect(file.start == "data d = csv(\"data/".utf8.count)
        #expect(file.appendCharacter == "\"")
        #expect(c.complete(line: "load x from \"data/").candidates == ["test.csv", "train.csv"])
        #expect(!c.complete(line: "csv(\"").candidates.contains(".hidden"))
        // A closed string is code again; a comment completes nothing.
        #expect(c.complete(line: "print \"a\", l").candidates.contains("lm"))
        #expect(c.complete(line: "# le").candidates.isEmpty)
        #expect(c.complete(line: ":load da").candidates == ["data/"])
    }

    @Test func metaCommandsAndHelpTopics() {
        #expect(completer.complete(line: ":s").candidates == [":save"])
        #expect(completer.complete(line: ":t").candidates == [":time", ":type"])
        #expect(completer.complete(line: ":help ad").candidates == ["adam"])
        #expect(completer.complete(line: ":type lm.d").candidates == ["dim", "dtype"])
    }
}
