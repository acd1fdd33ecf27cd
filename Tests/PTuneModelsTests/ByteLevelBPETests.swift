import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

@Suite("byte-level BPE")
struct ByteLevelBPETests {
    /// A toy vocabulary: the 256 byte symbols, then merged tokens, with two control tokens.
    static func toy() throws -> ByteLevelBPE {
        let alphabet = ByteLevelBPE.byteToUnicode.map { String($0) }
        let merges = ["Ġ t", "h e", "Ġt he", "l l", "ll o", "1 2"]
        let extra = ["Ġt", "he", "Ġthe", "ll", "llo", "12", "<|s|>", "<|end|>"]
        return try ByteLevelBPE(tokens: alphabet + extra, merges: merges, specialIds: [262, 263], preTokenizer: "smollm")
    }

    @Test("the pre-tokenizer splits as the GPT-2 pattern, with numeric characters isolated for smollm")
    func preTokenizer() {
        func pieces(_ s: String, digits: Bool = true) -> [String] {
            let sc = Array(s.unicodeScalars)
            return GPT2PreTokenizer(isolateDigits: digits).split(sc).map { r in
                var u = String.UnicodeScalarView(); u.append(contentsOf: sc[r]); return String(u)
            }
        }
        #expect(pieces("Hello world") == ["Hello", " world"])
        #expect(pieces("hello   world") == ["hello", "  ", " world"])
        #expect(pieces("a\n\nb") == ["a", "\n", "\n", "b"])
        #expect(pieces("end  ") == ["end", "  "])
        #expect(pieces("don't we'll") == ["don", "'t", " we", "'ll"])
        #expect(pieces("!'s x") == ["!'", "s", " x"])
        #expect(pieces(" 123", digits: true) == [" ", "1", "2", "3"])
        #expect(pieces(" 123", digits: false) == [" 123"])
        #expect(pieces("x²٣") == ["x", "²", "٣"])
        #expect(pieces("x²٣", digits: false) == ["x", "²٣"])
        #expect(pieces("café 😀!") == ["café", " 😀!"])
        #expect(pieces("") == [])
    }

    @Test("merges apply by rank; special tokens match whole; decode inverts encode")
    func toyEncode() throws {
        let t = try ByteLevelBPETests.toy()
        let the = t.id(of: "Ġthe")!, he = t.id(of: "he")!, llo = t.id(of: "llo")!
        #expect(t.encode(" the") == [the])
        #expect(t.encode("hello") == [he, llo])
        #expect(t.encode("x<|s|>y<|end|>") == [t.byteIds[120], 262, t.byteIds[121], 263])
        // Digits are isolated before merging, so the "1 2" merge never fires under smollm.
        #expect(t.encode("12") == [t.byteIds[49], t.byteIds[50]])
        for s in ["", " the hello", "日本 😀\n\t", "<|s|", "a\u{0}b"] {
            #expect(try t.decode(t.encode(s)) == s)
        }
        #expect(throws: TokenizerError.self) { try t.decode([-1]) }
        #expect(throws: TokenizerError.self) { try t.decode([t.vocabularySize]) }
    }

    @Test("a vocabulary without every byte symbol, or an unknown pre-tokenizer, is rejected")
    func invalid() {
        #expect(throws: TokenizerError.self) { try ByteLevelBPE(tokens: ["not a byte"], merges: [], specialIds: []) }
        #expect(throws: TokenizerError.self) { try ByteLevelBPE(tokens: [], merges: [], specialIds: []) }
        let alphabet = ByteLevelBPE.byteToUnicode.map { String($0) }
        #expect(throws: TokenizerError.self) { try ByteLevelBPE(tokens: alphabet, merges: [], specialIds: [], preTokenizer: "llama3") }
        // Malformed merges and out-of-range special ids are ignored, not trusted.
        #expect(throws: Never.self) { try ByteLevelBPE(tokens: alphabet, merges: ["nospace", "a b", " "], specialIds: [-3, 999]) }
    }

    @Test("a long run encodes in near-linear time and round-trips")
    func longRun() throws {
        let t = try ByteLevelBPETests.toy()
        let s = String(repeating: "hello", count: 20_000)
        let ids = t.encode(s)
        #expect(try t.decode(ids) == s)
    }
}

@Suite("SmolLM2 tokenizer", .enabled(if: ModelFiles.smollm2Present, "\(ModelFiles.skipMessage)"))
struct SmolLM2TokenizerTests {
    struct Case: Decodable { let text: String; let ids: [Int] }

    static let tokenizer: Result<ByteLevelBPE, Error> = Result { try ByteLevelBPE(gguf: GGUFFile(path: ModelFiles.smollm2)) }

    @Test("label words and the France prompt encode as Hugging Face does")
    func knownIds() throws {
        let t = try SmolLM2TokenizerTests.tokenizer.get()
        #expect(t.vocabularySize == 49152)
        #expect(t.specialIds == Array(0...16))
        #expect(t.encode(" positive") == [2731])
        #expect(t.encode(" negative") == [3524])
        #expect(t.encode("The capital of France is") == [504, 3575, 282, 4649, 314])
        #expect(try t.decode([504, 3575, 282, 4649, 314, 7042]) == "The capital of France is Paris")
        #expect(t.encode("a\u{4}b") == [81, 82])
    }

    @Test("agrees with the Hugging Face tokenizer on every fixture string, and round-trips")
    func agreesWithReference() throws {
        let t = try SmolLM2TokenizerTests.tokenizer.get()
        let cases = try JSONDecoder().decode([Case].self, from: Fixture.data("smollm2_tokenizer_cases.json"))
        #expect(cases.count >= 300)
        var agree = 0
        for c in cases {
            let ids = t.encode(c.text)
            if ids == c.ids { agree += 1 } else { Issue.record("\(c.text.debugDescription): got \(ids), expected \(c.ids)") }
            // Bytes without a vocabulary symbol are dropped (as by the reference), so only the others round-trip.
            let droppable = c.text.utf8.contains { t.byteIds[Int($0)] < 0 }
            if !droppable { #expect(try t.decode(ids) == c.text) }
        }
        print("SmolLM2 BPE: \(agree)/\(cases.count) fixture strings agree with Hugging Face tokenizers")
    }
}

@Suite("tokenizers on arbitrary input")
struct TokenizerRobustnessTests {
    /// Seeded random strings: arbitrary bytes read as UTF-8 (invalid sequences repaired) and arbitrary scalars.
    static func strings(_ n: Int, seed: UInt64) -> [String] {
        var g = Generator(seed: seed)
        return (0..<n).map { i in
            let len = g.nextInt(in: 0..<64)
            if i % 2 == 0 { return String(decoding: (0..<len).map { _ in UInt8(truncatingIfNeeded: g.next()) }, as: UTF8.self) }
            var u = String.UnicodeScalarView()
            for _ in 0..<len { if let s = Unicode.Scalar(UInt32(g.nextInt(in: 0..<0x110000))) { u.append(s) } }
            return String(u)
        }
    }

    @Test("BPE and WordPiece encode anything, and BPE's ids decode back")
    func arbitrary() throws {
        let bpe = try ByteLevelBPETests.toy()
        let wp = try WordPieceTests.toy()
        for s in TokenizerRobustnessTests.strings(2000, seed: 17) {
            let ids = bpe.encode(s)
            #expect(try bpe.decode(ids) == s)
            let w = wp.encode(s)
            #expect(w.first == wp.clsId && w.last == wp.sepId && w.allSatisfy { $0 >= 0 && $0 < wp.vocabularySize })
        }
    }

    @Test("a GGUF whose tokenizer metadata is missing or mistyped is an error, not a trap")
    func badTokenizerMetadata() throws {
        var a = GGUFBuilder()
        a.add("tokenizer.ggml.model", .string("llama"))
        #expect(throws: TokenizerError.self) { try ByteLevelBPE(gguf: GGUFFile(bytes: a.build())) }
        var b = GGUFBuilder()
        b.add("tokenizer.ggml.model", .string("gpt2"))
        b.add("tokenizer.ggml.tokens", .array(.int32([1, 2])))
        #expect(throws: GGUFError.self) { try ByteLevelBPE(gguf: GGUFFile(bytes: b.build())) }
        var c = GGUFBuilder()
        c.add("tokenizer.ggml.model", .string("gpt2"))
        c.add("tokenizer.ggml.tokens", .array(.string(ByteLevelBPE.byteToUnicode.map { String($0) })))
        c.add("tokenizer.ggml.merges", .array(.string(["Ġ t"])))
        c.add("tokenizer.ggml.token_type", .array(.int32([3])))
        #expect(throws: GGUFError.self) { try ByteLevelBPE(gguf: GGUFFile(bytes: c.build())) }
    }
}
