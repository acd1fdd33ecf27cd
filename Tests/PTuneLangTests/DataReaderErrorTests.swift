import Foundation
import Testing
@testable import PTuneLang

/// Data files say what is wrong with them: the JSON problem and its line and column for JSONL, the row and column of
/// a CSV cell that is not a finite number; line endings and byte order marks editors write are read as data.
@Suite struct DataReaderErrorTests {
    /// Runs `snippet` with `file` written as `name` beside it; the first diagnostic's headline, or nil if it ran.
    static func headline(_ snippet: String, file name: String, bytes: [UInt8]) throws -> String? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(bytes).write(to: folder.appendingPathComponent(name))
        let session = Session(options: SessionOptions(fileAccess: FileAccess(only: [folder.path])), output: .discard)
        do {
            try session.run(SourceFile(name: "d.pt", text: snippet, directory: folder.path))
            return nil
        } catch {
            return error.diagnostics.first?.headline
        }
    }

    static func jsonl(_ text: [UInt8]) throws -> String? {
        try headline("data d = read_jsonl(\"d.jsonl\")", file: "d.jsonl", bytes: text)
    }

    @Test(arguments: [
        (Array("{\"a\": 1e999999}\n".utf8), "line 1, column 7: number '1e999999' is out of range"),
        (Array("{\"a\": 1}\n{\"a\": \"x\u{0}\"}\n".utf8), "line 2, column 9: control character in string (escape it)"),
        ([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A], "line 1, column 7: invalid UTF-8 in string"),
        (Array("{\"a\": \"\\ud800\"}\n".utf8), "unpaired surrogate in \\u escape"),
        (Array("{\"a\": 1, \"a\": 2}\n".utf8), "line 1, column 10: duplicate key 'a'"),
        (Array("{\"a\": \u{0}}\n".utf8), "line 1, column 7: unexpected byte 0x00, expected a value"),
        (Array(("{\"a\": " + String(repeating: "[", count: 200) + "\n").utf8), "nesting deeper than 128 levels"),
        (Array("[1, 2]\n".utf8), "line 1 holds an array, not a JSON object"),
        (Array("{\"a\": 1}\n\u{FEFF}{\"a\": 2}\n".utf8), "line 2, column 1: unexpected byte 0xEF, expected a value"),
    ] as [([UInt8], String)])
    func jsonlNamesTheProblem(bytes: [UInt8], message: String) throws {
        let headline = try #require(try DataReaderErrorTests.jsonl(bytes))
        #expect(headline.contains("'d.jsonl'") && headline.contains(message), "\(headline)")
    }

    @Test func aByteOrderMarkBeforeTheFirstLineIsAllowed() throws {
        #expect(try DataReaderErrorTests.jsonl([0xEF, 0xBB, 0xBF] + Array("{\"a\": 1}\n{\"a\": 2}\n".utf8)) == nil)
    }

    static func csv(_ text: String, check: String = "") throws -> String? {
        try headline("data d = read_csv(\"d.csv\")\n" + check, file: "d.csv", bytes: Array(text.utf8))
    }

    @Test(arguments: [("x,y\n1,2\n2,inf\n", "row 3: column 'y' holds 'inf'"),
                      ("x,y\n1,nan\n2,3\n", "row 2: column 'y' holds 'nan'"),
                      ("x,y\n1,-Infinity\n", "row 2: column 'y' holds '-Infinity'"),
                      ("x,y\n1,2\n2,1e999999\n", "row 3: column 'y' holds '1e999999'")])
    func csvRefusesNumbersNoTensorHolds(text: String, message: String) throws {
        let headline = try #require(try DataReaderErrorTests.csv(text))
        #expect(headline.contains(message) && headline.contains("not a finite number"), "\(headline)")
    }

    @Test(arguments: ["x,y\r1,2\r3,4\r", "x,y\r\n1,2\r\n3,4\r\n", "x,y\n1,2\n3,4"])
    func csvLineEndingsOfEveryKindGiveTheSameRows(text: String) throws {
        let check = """
            assert len(d) == 2
            assert item(sum(d.x)) == 4 and item(sum(d.y)) == 6
            """
        #expect(try DataReaderErrorTests.csv(text, check: check) == nil)
    }

    @Test func csvCellsFollowOneNumberGrammar() throws {
        // `0x10` is text in a CSV as in JSONL (Swift's Double would read 16), so the column is text and adding fails.
        let headline = try #require(try DataReaderErrorTests.csv("x\n0x10\n", check: "print d.x + 1"))
        #expect(headline.contains("d.pt:2:"), "\(headline)")
        #expect(try DataReaderErrorTests.csv("x,y\n+1,.5\n2,5.\n", check: "assert item(sum(d.x)) == 3 and item(sum(d.y)) == 5.5") == nil)
    }
}
