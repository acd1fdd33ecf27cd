import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels
import PTuneNN

/// The real SmolLM2-135M-Instruct from its GGUF file against an independent float64 numpy forward
/// (`Fixtures/generate/llama_reference.py`), whose greedy continuations transformers reproduces. Skipped when the
/// model is not fetched.
@Suite("SmolLM2 Llama model", .enabled(if: ModelFiles.smollm2Present, "\(ModelFiles.skipMessage)"))
struct LlamaSmolLM2Tests {
    struct Reference: Decodable {
        struct Prompt: Decodable {
            let text: String, ids: [Int], top10: [[Double]], p_top1: Double, sampled_logits: [Double]
            let label_logits: [Double], mean_nll: Double
        }
        struct Greedy: Decodable { let ids: [Int], new_ids: [Int], text: String }
        let sampled_ids: [Int]
        let prompts: [String: Prompt]
        let greedy: [String: Greedy]
    }

    /// Loaded once for the suite (half a gigabyte of float32 weights), by name through the registry as scripts do.
    static let loaded: Result<(DecoderModel, any TextTokenizer), Error> = Result {
        let loaded = try ModelRegistry(home: ModelFiles.home).load("smollm2-135m")
        guard let model = loaded as? DecoderModel, let tokenizer = model.textTokenizer else {
            throw DecoderError.badInput("the registry did not load smollm2-135m as a Llama model with its tokenizer")
        }
        return (model, tokenizer)
    }
    static let reference = Result { try JSONDecoder().decode(Reference.self, from: Fixture.data("smollm2_llama_reference.json")) }

    func logSoftmax(_ row: [Double]) -> [Double] {
        let m = row.max() ?? 0
        let z = Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) }) + m
        return row.map { $0 - z }
    }

    /// All-position logits of one sequence.
    func allLogits(_ model: DecoderModel, _ ids: [Int]) throws -> Tensor {
        try Tensor.withoutRecording {
            let packing = try DecoderPacking(lengths: [ids.count])
            return try model.logits(model.hiddenStates(model.embed(ids), packing: packing))
        }
    }

    @Test func configurationFromMetadata() throws {
        let (model, _) = try Self.loaded.get()
        #expect(model.architecture == "llama" && model.parameters.allSatisfy { $0.isFrozen })
        var config = model.config
        #expect(Swift.abs(config.rmsNormEpsilon - 1e-5) < 1e-12, "stored as float32 in the file")
        config.rmsNormEpsilon = 1e-5
        #expect(config == DecoderConfig.smolLM2_135M)
    }

    @Test func capitalOfFranceIsParis() throws {
        let (model, tokenizer) = try Self.loaded.get()
        let ref = try Self.reference.get().prompts["paris"]
        let ids = tokenizer.encode("The capital of France is")
        #expect(ids == ref?.ids)
        let last = try allLogits(model, ids).narrowed(axis: 0, start: ids.count - 1, length: 1).doubles
        let lp = logSoftmax(last)
        let top = lp.indices.max { lp[$0] < lp[$1] } ?? -1
        #expect(tokenizer.token(of: top) == "ĠParis")
        let p = Foundation.exp(lp[top])
        #expect(Swift.abs(p - 0.773) <= 0.002, "P(' Paris') = \(p)")
        #expect(Swift.abs(p - (ref?.p_top1 ?? 0)) < 1e-3)
    }

    @Test func softmaxOverTheVocabularySumsToOne() throws {
        let (model, tokenizer) = try Self.loaded.get()
        let ids = tokenizer.encode("The capital of France is")
        let last = try allLogits(model, ids).narrowed(axis: 0, start: ids.count - 1, length: 1)
        let total = try last.softmax(axis: -1).sum().scalarValue()
        print("SmolLM2: Σ softmax over \(model.config.vocabularySize) logits = \(total)")
        #expect(Swift.abs(total - 1) < 3e-7, "Σ softmax = \(total)")
    }

    @Test func logitsAndPerplexityMatchNumpyReference() throws {
        let (model, tokenizer) = try Self.loaded.get()
        let ref = try Self.reference.get()
        for (name, r) in ref.prompts.sorted(by: { $0.key < $1.key }) {
            #expect(tokenizer.encode(r.text) == r.ids, "\(name) tokens")
            let all = try allLogits(model, r.ids)
            let v = model.config.vocabularySize
            let rows = all.doubles
            let last = Array(rows[((r.ids.count - 1) * v)..<(r.ids.count * v)])
            let diff = zip(ref.sampled_ids, r.sampled_logits).map { Swift.abs(last[$0.0] - $0.1) }.max() ?? 1
            #expect(diff < 5e-3, "\(name): max |logit − reference| over \(ref.sampled_ids.count) ids = \(diff)")
            for pair in r.top10 {
                #expect(Swift.abs(last[Int(pair[0])] - pair[1]) < 5e-3, "\(name): top-10 logit of \(Int(pair[0]))")
            }
            #expect(Swift.abs(last[3524] - r.label_logits[0]) < 5e-3 && Swift.abs(last[2731] - r.label_logits[1]) < 5e-3)
            var nll = 0.0
            for t in 0..<(r.ids.count - 1) {
                nll -= logSoftmax(Array(rows[(t * v)..<((t + 1) * v)]))[r.ids[t + 1]]
            }
            nll /= Double(r.ids.count - 1)
            #expect(Swift.abs(nll - r.mean_nll) < 1e-3, "\(name): mean NLL \(nll) vs \(r.mean_nll)")
        }
    }

    @Test func greedyContinuationsWithKVCache() throws {
        let (model, tokenizer) = try Self.loaded.get()
        for (text, g) in try Self.reference.get().greedy.sorted(by: { $0.key < $1.key }) {
            let new = try model.generate(tokenizer.encode(text), maxTokens: 20)
            let decoded = try tokenizer.decode(new)
            #expect(new == g.new_ids, "\(text) → \(decoded) (expected \(g.text))")
        }
    }

    @Test func cachedDecodingMatchesFullForward() throws {
        let (model, _) = try Self.loaded.get()
        let ids = [504, 3575, 282, 4649, 314, 7042, 30, 198]
        let full = try allLogits(model, ids)
        var cache = try KVCache(config: model.config, capacity: 16)
        _ = try model.extend(model.embed(Array(ids[0..<5])), cache: &cache)
        for t in 5..<ids.count {
            let step = try Tensor.withoutRecording { try model.logits(model.extend(model.embed([ids[t]]), cache: &cache)) }
            let want = try full.narrowed(axis: 0, start: t, length: 1)
            let d = zip(step.doubles, want.doubles).map { Swift.abs($0 - $1) }.max() ?? 1
            #expect(d < 1e-3, "position \(t): \(d)")
        }
        #expect(cache.count == ids.count)
    }
}
