import Foundation
import Testing
@testable import PTuneREPL

@Suite struct HistoryTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ptune-history-\(UUID().uuidString)").path
    }

    @Test func duplicatesCollapseToTheNewestAndTheFileIsCapped() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var h = HistoryStore(path: path, capacity: 3)
        h.add("let a = 1")
        h.add("print a")
        h.add("let a = 1")
        #expect(h.entries == ["print a", "let a = 1"])
        let keptBlank = h.add("   ")
        #expect(!keptBlank)
        h.add("x")
        h.add("y")
        #expect(h.entries == ["let a = 1", "x", "y"])
        let onDisk = try String(contentsOfFile: path, encoding: .utf8)
        #expect(onDisk == "let a = 1\nx\ny\n")
        // A new session starts from the file.
        #expect(HistoryStore(path: path, capacity: 3).entries == ["let a = 1", "x", "y"])
    }

    @Test func twoSessionsKeepEachOthersLines() {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var a = HistoryStore(path: path), b = HistoryStore(path: path)
        a.add("from a")
        b.add("from b")
        a.add("again a")
        #expect(HistoryStore(path: path).entries == ["from a", "from b", "again a"])
    }

    @Test func environmentChoosesTheFile() {
        #expect(HistoryStore.fromEnvironment(["HOME": "/home/u"]).path == "/home/u/.ptune_history")
        #expect(HistoryStore.fromEnvironment(["PTUNE_HISTORY": ""]).path == nil)
        let custom = HistoryStore.fromEnvironment(["PTUNE_HISTORY": "/tmp/h", "PTUNE_HISTORY_SIZE": "5"])
        #expect(custom.path == "/tmp/h" && custom.capacity == 5)
    }

    @Test func anUnwritableFileKeepsTheHistoryInMemory() {
        var h = HistoryStore(path: "/nonexistent-dir/history")
        h.add("one")
        h.add("two")
        #expect(h.entries == ["one", "two"])
    }

    @Test func savedScriptsAndHistoryLeaveNoTemporaryFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var h = HistoryStore(path: dir + "/history")
        h.add("one")
        h.add("two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["history"])
        #expect(try String(contentsOfFile: dir + "/history", encoding: .utf8) == "one\ntwo\n")
    }
}
