import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels

/// The real Gemma-3-270M from its Q4_K_M GGUF file: its configuration, its next-token distribution against
/// transformers' float32 Gemma 3 loading the same file (`Fixtures/interop/gemma3_next_token.py`) on prompts short
/// and longer than the 512-position sliding window, and cached generation. Skipped when the model is not fetched.
@Suite("Gemma-3-270M", .enabled(if: ModelFiles.gemma3Present, "\(ModelFiles.skipMessage)"))
struct Gemma3ModelTests {
    /// Loaded once for the suite, by name through the registry as scripts do.
    static let loaded: Result<(DecoderModel, any TextTokenizer), Error> = Result {
        let loaded = try ModelRegistry(home: ModelFiles.home).load("gemma3-270m")
        guard let model = loaded as? DecoderModel, let tokenizer = model.textTokenizer else {
            throw DecoderError.badInput("the registry did not load gemma3-270m as a decoder with its tokenizer")
        }
        return (model, tokenizer)
    }

    /// Prompts with Gemma's `<bos>`, the last longer than the sliding window.
    static func prompts(_ tokenizer: any TextTokenizer) -> [[Int]] {
        let long = String(repeating: "The film opens on a quiet harbour town where nothing much happens, until a stranger arrives. ", count: 36)
        return ["The capital of France is", "Review: A gorgeous, witty, seductive movie.\nSentiment:",
                "def fibonacci(n):\n    if n < 2:\n        return n\n    return", long + "In one word, the film is"]
            .map { tokenizer.encode($0, addSpecialTokens: true) }
    }

    /// The softmax at the last position of `ids`, in float64 from the float32 logits.
    static func distribution(_ model: DecoderModel, _ ids: [Int]) throws -> [Double] {
        let logits = try Tensor.withoutRecording {
            let packing = try DecoderPacking(lengths: [ids.count])
            return try model.logits(model.hiddenStates(model.embed(ids), packing: packing, outputRows: [ids.count - 1]))
        }.doubles
        let m = logits.max() ?? 0
        let e = logits.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
        return e.map { $0 / z }
    }

    @Test func configurationFromMetadata() throws {
        let (model, tokenizer) = try Self.loaded.get()
        let c = model.config
        #expect(model.architecture == "gemma3" && c.layers == 18 && c.hiddenSize == 640 && c.headDim == 256)
        #expect(c.heads == 4 && c.kvHeads == 1 && c.feedForwardSize == 2048 && c.vocabularySize == 262_144)
        #expect(c.layerTypes.enumerated().allSatisfy { ($0.offset + 1) % 6 == 0 ? $0.element == .global : $0.element == .sliding })
        #expect(c.slidingWindow == 512 && c.ropeBase == 1_000_000 && c.localRopeBase == 10_000 && c.attentionScale == 1.0 / 16)
        #expect(c.embeddingScale == Double(Float(640.0.squareRoot())) && c.tiedEmbeddings && c.activation == .geluTanh)
        #expect(c.headNorms && c.sandwichNorms && c.attentionSoftCap == nil && c.finalLogitSoftCap == nil)
        #expect(c.bosToken == 2 && c.eosToken == 1 && c.padToken == 0)
        #expect(tokenizer.encode("The capital of France is", addSpecialTokens: true) == [2, 818, 5279, 529, 7001, 563])
        for word in [" negative", " positive"] { #expect(tokenizer.encode(word, addSpecialTokens: false).count == 1, "\(word)") }
    }

    @Test("the next-token distribution equals transformers' on the same file to 1e-4",
          .enabled(if: PythonInterop.available, "\(PythonInterop.skipMessage)"))
    func nextTokenDistribution() throws {
        let (model, tokenizer) = try Self.loaded.get()
        let prompts = Self.prompts(tokenizer)
        #expect((prompts.last?.count ?? 0) > 512, "the long prompt must cross the sliding window")
        let dir = try PythonInterop.temporaryFolder("gemma3-dist")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try JSONSerialization.data(withJSONObject: prompts)
        try PythonInterop.run("gemma3_next_token.py", [ModelFiles.gemma3, dir.path], input: input)
        var report: [String] = []
        for (i, ids) in prompts.enumerated() {
            let want = try PythonInterop.floats(dir.appendingPathComponent("\(i).f32")).map(Double.init)
            let got = try Self.distribution(model, ids)
            #expect(got.count == want.count)
            let diff = zip(got, want).map { Swift.abs($0 - $1) }.max() ?? .infinity
            let top = got.indices.max { got[$0] < got[$1] } ?? -1, topWant = want.indices.max { want[$0] < want[$1] } ?? -2
            #expect(diff <= 1e-4, "prompt \(i) (\(ids.count) tokens): max |Δp| \(diff)")
            #expect(top == topWant, "prompt \(i): top token \(top) vs \(topWant)")
            report.append("\(ids.count) tokens: max |Δp| \(String(format: "%.1e", diff)), top \(top) p \(String(format: "%.4f", got[top]))")
        }
        print("Gemma-3-270M vs transformers: " + report.joined(separator: "; "))
    }

    @Test func cachedGenerationFollowsTheFullForward() throws {
        let (model, tokenizer) = try Self.loaded.get()
        let ids = tokenizer.encode("The capital of France is", addSpecialTokens: true)
        let greedy = try model.generate(ids, maxTokens: 4)
        var seq = ids
        for token in greedy {
            let p = try Self.distribution(model, seq)
            #expect(token == p.indices.max { p[$0] < p[$1] })
            seq.append(token)
        }
        let text = try tokenizer.decode(greedy)
        #expect(greedy.count == 4 && !text.isEmpty)
    }
}
