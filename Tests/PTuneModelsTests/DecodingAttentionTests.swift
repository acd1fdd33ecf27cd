import Foundation
import Testing
@testable import PTuneCore
@testable import PTuneModels
@testable import PTuneNN

/// Decoding steps through the fused attention over the KV cache against the same steps through the general attention
/// (the cache's rows widened and attended as packed segments): the same logits to float rounding, on every
/// architecture's options (sliding windows, head norms, soft caps), with a deep prefix, with both cache element types,
/// one sequence and several of different lengths, and on SmolLM2 in its GGUF blocks.
@Suite struct DecodingAttentionTests {
    /// The stated bounds: relative norm of the logits' difference. A float32 cache: 10⁻⁵. A float16 cache rounds every
    /// new key and value, so the two kernels' float32 rounding (≈10⁻⁷ in an attention output) can move a later key by
    /// one binary16 step (2⁻¹¹): measured up to 2.7·10⁻⁴ on SmolLM2, within the float16 cache's own tolerance.
    static func tolerance(_ element: KVCacheElement) -> Double { element == .float32 ? 1e-5 : KVCacheFloat16Tests.tolerance }

    /// Logits of a prefill of `prompts` and of four batched steps after it (the last one with a sequence left out),
    /// with the fused decoding attention on or off.
    static func logits(_ model: DecoderModel, _ prompts: [[Int]], _ element: KVCacheElement, fused: Bool,
                       prefix: DeepPrefix? = nil) throws -> [Tensor] {
        var cache = try KVCache(config: model.config, capacity: 48, sequences: prompts.count, element: element)
        cache.fusesDecodingAttention = fused
        let spans = prompts.enumerated().map { KVCache.Span(sequence: $0.offset, rows: $0.element.count) }
        var out = [try model.logits(model.extend(model.embed(prompts.flatMap { $0 }), cache: &cache, spans: spans, prefix: prefix))]
        for step in 0..<4 {
            let active = step == 3 && prompts.count > 1 ? Array(prompts.indices.dropFirst()) : Array(prompts.indices)
            let tokens = active.map { (7 * $0 + 3 * step + 1) % model.config.vocabularySize }
            let one = active.map { KVCache.Span(sequence: $0, rows: 1) }
            out.append(try model.logits(model.extend(model.embed(tokens), cache: &cache, spans: one, prefix: prefix)))
        }
        return out
    }

    static func compare(_ model: DecoderModel, _ prompts: [[Int]], prefix: DeepPrefix? = nil, _ what: String) throws {
        try Tensor.withoutRecording {
            for element in KVCacheElement.allCases {
                let fused = try logits(model, prompts, element, fused: true, prefix: prefix)
                let general = try logits(model, prompts, element, fused: false, prefix: prefix)
                for (step, (a, b)) in zip(fused, general).enumerated() {
                    let r = KVCacheFloat16Tests.relative(a, b)
                    #expect(r <= tolerance(element), "\(what), \(element) cache, step \(step): \(r)")
                }
            }
        }
    }

    @Test(arguments: DecoderTestConfigs.names) func fusedStepsEqualTheGeneralAttention(_ name: String) throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights(name, seed: 5))
        try Self.compare(model, [[5, 17, 3, 50, 41, 2, 9], [7], [12, 12, 60, 4]], name)
        try Self.compare(model, [[9, 8, 7, 6, 5, 4, 3, 2, 1, 11, 13]], name + ", one sequence")
    }

    @Test func withADeepPrefix() throws {
        let model = try DecoderModel(weights: DecoderTestConfigs.weights("llama", seed: 3))
        var g = Generator(seed: 4)
        let layout = try PrefixLayout(layers: model.config.layers, kvHeads: model.config.kvHeads, headDim: model.config.headDim)
        let prefix = try DeepPrefix(table: Tensor.randn([3, layout.tableWidth], using: &g), layout: layout)
        try Self.compare(model, [[1, 2, 3], [4, 5]], prefix: prefix, "llama with a deep prefix")
    }

    @Test(.enabled(if: ModelFiles.smollm2Present, "\(ModelFiles.skipMessage)"))
    func smolLM2() throws {
        let (stored, _, tokenizer) = try SmolLM2QuantizedTests.models.get()
        try Self.compare(stored, SmolLM2QuantizedTests.prompts.map { tokenizer.encode($0) }, "SmolLM2")
    }
}
