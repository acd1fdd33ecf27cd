import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels
@testable import PTuneNN

/// A float16 KV cache (keys and values rounded to binary16 when written, widened when attention reads them) against
/// the float32 cache: logits within the rounding's reach, on every architecture's options (sliding windows, head norms,
/// deep prefixes) and on SmolLM2, through the prefill (many rows), single steps and batched steps.
@Suite struct KVCacheFloat16Tests {
    /// The stated tolerance: relative norm of the logits' difference. Binary16 keeps 11 significant bits (relative
    /// rounding ≤ 2⁻¹¹ ≈ 4.9·10⁻⁴ per key and value); measured: at most 5.1·10⁻⁴ on SmolLM2, 3.0·10⁻⁴ on the tiny
    /// models.
    static let tolerance = 2e-3

    static func relative(_ a: Tensor, _ b: Tensor) -> Double {
        var num = 0.0, den = 0.0
        for (x, y) in zip(a.doubles, b.doubles) { num += (x - y) * (x - y); den += y * y }
        return (num / Swift.max(den, 1e-300)).squareRoot()
    }

    /// Logits of a prefill of `prompts` (several sequences, one span each) and of two batched steps after it, with a
    /// cache of `element`.
    static func logits(_ model: DecoderModel, _ prompts: [[Int]], _ element: KVCacheElement,
                       prefix: DeepPrefix? = nil) throws -> [Tensor] {
        var cache = try KVCache(config: model.config, capacity: 40, sequences: prompts.count, element: element)
        #expect(cache.element == element)
        let spans = prompts.enumerated().map { KVCache.Span(sequence: $0.offset, rows: $0.element.count) }
        var out = [try model.logits(model.extend(model.embed(prompts.flatMap { $0 }), cache: &cache, spans: spans, prefix: prefix))]
        for step in 0..<2 {
            let tokens = prompts.indices.map { (7 * $0 + 3 * step + 1) % model.config.vocabularySize }
            let one = prompts.indices.map { KVCache.Span(sequence: $0, rows: 1) }
            out.append(try model.logits(model.extend(model.embed(tokens), cache: &cache, spans: one, prefix: prefix)))
        }
        return out
    }

    @Test(arguments: DecoderTestConfigs.names) func float16LogitsStayNearFloat32(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 5))
        let prompts = [[5, 17, 3, 50, 41, 2, 9], [7], [12, 12, 60, 4]]
        try Tensor.withoutRecording {
            let exact = try Self.logits(model, prompts, .float32), half = try Self.logits(model, prompts, .float16)
            for (a, b) in zip(half, exact) {
                let r = Self.relative(a, b)
                #expect(r < Self.tolerance, "\(name): \(r)")
                #expect(r > 0, "\(name): the float16 cache must round something")
            }
        }
    }

    @Test func deepPrefixAndMemory() throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights("llama", seed: 3))
        var g = Generator(seed: 4)
        let layout = try PrefixLayout(layers: model.config.layers, kvHeads: model.config.kvHeads, headDim: model.config.headDim)
        let prefix = try DeepPrefix(table: Tensor.randn([2, layout.tableWidth], using: &g), layout: layout)
        try Tensor.withoutRecording {
            let exact = try Self.logits(model, [[1, 2, 3], [4, 5]], .float32, prefix: prefix)
            let half = try Self.logits(model, [[1, 2, 3], [4, 5]], .float16, prefix: prefix)
            for (a, b) in zip(half, exact) { #expect(Self.relative(a, b) < Self.tolerance) }
        }
        let f32 = try KVCache(config: model.config, capacity: 16, sequences: 2)
        let f16 = try KVCache(config: model.config, capacity: 16, sequences: 2, element: .float16)
        #expect(f16.byteCount * 2 == f32.byteCount && f16.keys.isEmpty)
        // Generation with either cache: the same tokens on this model, and the float16 cache is what the settings say.
        let a = try model.generate(batch: [[1, 2, 3], [4]], maxTokens: 6)
        let b = try model.generate(batch: [[1, 2, 3], [4]], maxTokens: 6, cache: .float16)
        #expect(a == b)
    }

    @Test(.enabled(if: ModelFiles.smollm2Present, "\(ModelFiles.skipMessage)"))
    func smolLM2Float16Cache() throws {
        let (stored, _, tokenizer) = try SmolLM2QuantizedTests.models.get()
        let prompts = SmolLM2QuantizedTests.prompts.map { tokenizer.encode($0) }
        try Tensor.withoutRecording {
            let exact = try Self.logits(stored, prompts, .float32), half = try Self.logits(stored, prompts, .float16)
            for (a, b) in zip(half, exact) {
                let r = Self.relative(a, b)
                #expect(r < Self.tolerance, "SmolLM2: \(r)")
                #expect(try a.argmax(axis: -1).ints == b.argmax(axis: -1).ints)
            }
        }
    }
}
