import Testing
@testable import PTuneLSP

/// Positions ↔ byte offsets in each encoding the protocol allows, with characters of 1 to 4 UTF-8 bytes and
/// `\r\n` line ends.
@Suite struct LineIndexTests {
    // "a" (1 byte), "é" (2), "€" (3), "😀" (4 bytes, 2 UTF-16 units).
    let text = Array("aé€😀b\r\nsecond\n".utf8)

    @Test func charactersCountInTheAgreedEncoding() {
        let b = text.firstIndex(of: UInt8(ascii: "b"))!
        #expect(LineIndex(text, encoding: .utf8).position(of: b) == Position(line: 0, character: 10))
        #expect(LineIndex(text, encoding: .utf16).position(of: b) == Position(line: 0, character: 5))
        #expect(LineIndex(text, encoding: .utf32).position(of: b) == Position(line: 0, character: 4))
        for encoding in PositionEncoding.allCases {
            let lines = LineIndex(text, encoding: encoding)
            for offset in [0, 1, 3, 6, 10, 11, 13, 19, text.count] {
                #expect(lines.offset(of: lines.position(of: offset)) == offset, "\(encoding) \(offset)")
            }
        }
    }

    @Test func positionsPastALineOrTheTextAreClamped() {
        let lines = LineIndex(text, encoding: .utf16)
        // Past the end of line 0: before its "\r\n".
        #expect(lines.offset(of: Position(line: 0, character: 99)) == 11)
        #expect(lines.offset(of: Position(line: 1, character: 3)) == 16)
        #expect(lines.offset(of: Position(line: 9, character: 0)) == text.count)
        // Inside the surrogate pair of "😀": the start of the character.
        #expect(lines.offset(of: Position(line: 0, character: 4)) == 6)
        #expect(lines.position(of: text.count + 5) == Position(line: 2, character: 0))
    }

    @Test func encodingIsTheClientsFirstChoiceTheServerSpeaks() {
        #expect(PositionEncoding.negotiate([]) == .utf16)
        #expect(PositionEncoding.negotiate(["utf-8", "utf-16"]) == .utf8)
        #expect(PositionEncoding.negotiate(["ucs-2", "utf-32"]) == .utf32)
        #expect(PositionEncoding.negotiate(["ucs-2"]) == .utf16)
    }

    @Test func fileURIsAndPaths() {
        #expect(DocumentURI.path("file:///home/a%20b/r%C3%A9cipe.pt") == "/home/a b/récipe.pt")
        #expect(DocumentURI.path("file://localhost/x.pt") == "/x.pt")
        #expect(DocumentURI.path("untitled:Untitled-1") == nil)
        #expect(DocumentURI.path("file://server/share/x.pt") == nil)
        #expect(DocumentURI.uri(path: "/home/a b/récipe.pt") == "file:///home/a%20b/r%C3%A9cipe.pt")
    }
}
