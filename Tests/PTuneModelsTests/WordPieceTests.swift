import Foundation
import Testing
@testable import PTuneModels

@Suite("WordPiece")
struct WordPieceTests {
    static func toy() throws -> WordPiece {
        try WordPiece(vocabulary: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "cafe", "!",
                                   "a", "##b", "中", "hello", ",", "$", "##s"])
    }

    @Test("basic tokenization: lowercase, accents, punctuation, CJK, whitespace and control characters")
    func splitter() {
        let s = BertTextSplitter(lowercase: true, stripAccents: true)
        func words(_ t: String) -> [String] { s.words(t).map { w in var u = String.UnicodeScalarView(); u.append(contentsOf: w); return String(u) } }
        #expect(words("Hello, World!") == ["hello", ",", "world", "!"])
        #expect(words("Café  naïve\tRÉSUMÉ\n") == ["cafe", "naive", "resume"])
        #expect(words("日本語abc") == ["日", "本", "語", "abc"])
        #expect(words("a\u{0}b\u{200B}c\u{1B}d") == ["abcd"])
        #expect(words("x\u{00A0}y\u{3000}z") == ["x", "y", "z"])
        #expect(words("$5+3^2") == ["$", "5", "+", "3", "^", "2"])
        #expect(words("«quoted»—dash") == ["«", "quoted", "»", "—", "dash"])
        #expect(words("") == [])
        // Where the reference's Unicode tables are older: U+0890 (format, new) stays, U+2E55 (punctuation, new) does
        // not split, U+1734 (a spacing mark the reference strips) goes, U+166D splits as punctuation; unassigned stays.
        #expect(words("a\u{890}b") == ["a\u{890}b"])
        #expect(words("a\u{2E55}b") == ["a\u{2E55}b"])
        #expect(words("a\u{1734}b") == ["ab"])
        #expect(words("a\u{166D}b") == ["a", "\u{166D}", "b"])
        #expect(words("a\u{378}b") == ["a\u{378}b"])
        let cased = BertTextSplitter(lowercase: false, stripAccents: false)
        #expect(cased.words("Café").map { $0.count } == [4])
    }

    @Test("greedy longest-match pieces with ## continuations; [UNK] for unknown or overlong words")
    func pieces() throws {
        let t = try WordPieceTests.toy()
        #expect(t.tokenize("unaffable") == ["un", "##aff", "##able"])
        #expect(t.encode("Unaffable!") == [2, 5, 6, 7, 9, 3])
        #expect(t.encode("Café, 中") == [2, 8, 14, 12, 3])
        #expect(t.tokenize("abbb") == ["a", "##b", "##b", "##b"])
        #expect(t.tokenize("unx hello") == ["[UNK]", "hello"])
        #expect(t.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
        #expect(t.tokenize("[CLS] x [MASK]") == ["[CLS]", "[UNK]", "[MASK]"])
        #expect(t.tokenize("[cls]") == ["[UNK]", "[UNK]", "[UNK]"])
        #expect(t.encode("", addSpecialTokens: true) == [2, 3])
        #expect(try t.decode(t.encode("unaffable hello")) == "unaffable hello")
        #expect(throws: TokenizerError.self) { try t.decode([99]) }
        #expect(throws: TokenizerError.self) { try WordPiece(vocabulary: ["a", "b"]) }
    }

    @Test("arbitrary scalars never trap")
    func arbitraryText() throws {
        let t = try WordPieceTests.toy()
        var scalars = String.UnicodeScalarView()
        for v in stride(from: 0, to: 0x30000, by: 7) { if let s = Unicode.Scalar(UInt32(v)) { scalars.append(s) } }
        let ids = t.encode(String(scalars))
        #expect(ids.first == 2 && ids.last == 3)
    }
}

@Suite("MiniLM tokenizer", .enabled(if: ModelFiles.minilmPresent, "\(ModelFiles.skipMessage)"))
struct MiniLMTokenizerTests {
    struct Case: Decodable { let text: String; let ids: [Int] }

    @Test("agrees with Hugging Face BertTokenizerFast on every fixture string")
    func agreesWithReference() throws {
        let t = try WordPiece(vocabFile: ModelFiles.minilmDir + "/vocab.txt")
        #expect(t.vocabularySize == 30522)
        #expect(t.clsId == 101 && t.sepId == 102 && t.unknownId == 100 && t.padId == 0)
        let cases = try JSONDecoder().decode([Case].self, from: Fixture.data("minilm_tokenizer_cases.json"))
        #expect(cases.count >= 300)
        var agree = 0
        for c in cases {
            let ids = t.encode(c.text)
            if ids == c.ids { agree += 1 } else { Issue.record("\(c.text.debugDescription): got \(ids), expected \(c.ids)") }
        }
        print("MiniLM WordPiece: \(agree)/\(cases.count) fixture strings agree with Hugging Face BertTokenizerFast")
    }
}
