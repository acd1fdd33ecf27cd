import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

/// Token ids against the `tokenizers` library on 2,000 varied texts per tokenizer: the tokenizer.json files it
/// writes (SmolLM2's byte-level BPE, the same with a Llama-3-style regular-expression split, MiniLM's WordPiece,
/// Gemma-3's SentencePiece BPE as transformers builds it from the GGUF), and ptune's own readers of the GGUF and
/// vocab.txt files those came from. Decoding equals the library's, and gives the text back where the library does.
@Suite("tokenizers against the tokenizers library", .enabled(if: PythonInterop.available, "\(PythonInterop.skipMessage)"))
struct TokenizerInteropTests {
    struct Reference: Decodable { let ids: [[Int]]; let framed: [[Int]]; let decoded: [String] }

    static let reference: Result<(URL, [String]), any Error> = Result {
        let folder = try PythonInterop.temporaryFolder("tokenizers")
        var args = [folder.path, "--reviews", ModelFiles.home + "/data/reviews/train.jsonl"]
        if ModelFiles.smollm2Present { args += ["--smollm2", ModelFiles.smollm2] }
        if ModelFiles.minilmPresent { args += ["--minilm", ModelFiles.minilmDir + "/vocab.txt"] }
        if ModelFiles.gemma3Present { args += ["--gemma", ModelFiles.gemma3] }
        try PythonInterop.run("tokenizers_reference.py", args)
        let texts = try JSONDecoder().decode([String].self, from: Data(contentsOf: folder.appendingPathComponent("texts.json")))
        return (folder, texts)
    }

    static func load(_ name: String) throws -> (Reference, [String], Data)? {
        let (folder, texts) = try reference.get()
        let json = folder.appendingPathComponent(name + ".tokenizer.json")
        guard FileManager.default.fileExists(atPath: json.path) else { return nil }
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent(name + ".ids.json")))
        return (ref, texts, try Data(contentsOf: json))
    }

    /// Compares `tokenizer` with the reference; returns the number of texts whose ids agree.
    @discardableResult
    static func check(_ label: String, _ tokenizer: any TextTokenizer, _ ref: Reference, _ texts: [String],
                      framed: Bool = true, decoding: Bool = true, roundTrip: Bool = false) throws -> Int {
        var agree = 0, shown = 0
        for (i, text) in texts.enumerated() {
            let ids = tokenizer.encode(text, addSpecialTokens: false)
            if ids == ref.ids[i] { agree += 1 } else if shown < 5 {
                shown += 1
                Issue.record("\(label): text \(i) \(String(reflecting: text).prefix(120)): got \(ids.prefix(40)), expected \(ref.ids[i].prefix(40))")
            }
        }
        #expect(agree == texts.count, "\(label): \(agree)/\(texts.count) texts agree")
        if framed {
            for (i, want) in ref.framed.enumerated() {
                #expect(tokenizer.encode(texts[i], addSpecialTokens: true) == want, "\(label): framed ids of text \(i)")
            }
        }
        var decodedAgree = 0, roundTrips = 0, roundTripCases = 0
        if decoding {
            for (i, want) in ref.decoded.enumerated() {
                let got = try tokenizer.decode(ref.ids[i])
                if got == want { decodedAgree += 1 } else if shown < 10 {
                    shown += 1
                    Issue.record("\(label): decoding text \(i): got \(String(reflecting: got).prefix(120)), expected \(String(reflecting: want).prefix(120))")
                }
                if roundTrip && want == texts[i] {
                    roundTripCases += 1
                    if try tokenizer.decode(tokenizer.encode(texts[i], addSpecialTokens: false)) == texts[i] { roundTrips += 1 }
                }
            }
            #expect(decodedAgree == ref.decoded.count, "\(label): \(decodedAgree)/\(ref.decoded.count) decodings agree")
            #expect(roundTrips == roundTripCases, "\(label): \(roundTrips)/\(roundTripCases) round trips")
        }
        print("tokenizer \(label): ids \(agree)/\(texts.count)" + (decoding ? ", decoded \(decodedAgree)/\(ref.decoded.count), round trips \(roundTrips)/\(roundTripCases)" : ""))
        return agree
    }

    @Test("tokenizer.json files: ids, framing and decoding equal the library's", arguments: ["smollm2", "smollm2-regex", "minilm", "gemma"])
    func tokenizerJSON(_ name: String) throws {
        guard let (ref, texts, json) = try Self.load(name) else { return }
        let tokenizer = try HFTokenizer(json: json)
        try Self.check("\(name) tokenizer.json", tokenizer, ref, texts, roundTrip: name != "minilm")
    }

    @Test("SmolLM2's GGUF byte-level BPE equals the library's")
    func smollm2GGUF() throws {
        guard ModelFiles.smollm2Present, let (ref, texts, _) = try Self.load("smollm2") else { return }
        let tokenizer = try GGUFTokenizer.load(GGUFFile(path: ModelFiles.smollm2))
        try Self.check("smollm2 GGUF", tokenizer, ref, texts, framed: false, roundTrip: true)
    }

    @Test("Gemma-3's GGUF SentencePiece BPE equals transformers' tokenizer of the same file")
    func gemmaGGUF() throws {
        guard ModelFiles.gemma3Present, let (ref, texts, _) = try Self.load("gemma") else { return }
        let tokenizer = try GGUFTokenizer.load(GGUFFile(path: ModelFiles.gemma3))
        #expect(tokenizer.vocabularySize == 262_144)
        try Self.check("gemma GGUF", tokenizer, ref, texts, roundTrip: true)
    }

    @Test("MiniLM's vocab.txt WordPiece and the one read from tokenizer.json equal the library's")
    func minilmWordPiece() throws {
        guard ModelFiles.minilmPresent, let (ref, texts, json) = try Self.load("minilm") else { return }
        try Self.check("minilm vocab.txt", WordPiece(vocabFile: ModelFiles.minilmDir + "/vocab.txt"), ref, texts, decoding: false)
        try Self.check("minilm WordPiece(tokenizerJSON:)", WordPiece(tokenizerJSON: json), ref, texts, decoding: false)
    }
}
