import Foundation
import PTuneCore
import PTuneModels
import PTuneNN

/// SmolLM2-135M inference three ways in one run — weights kept in the GGUF's blocks with float32 activations (the
/// default), the same blocks with 8-bit activations (ggml's arithmetic), and every weight decoded to float32 at load
/// (`--dequantize`) — interleaved round by round so machine noise hits all alike, beside llama.cpp's `llama-bench`
/// and `llama-batched-bench` on the same file (measured right after, same run).
enum LlamaInferenceBench {
    /// One way of running the model: a name and how to enter it.
    struct Variant {
        let name: String
        let model: DecoderModel
        let activations: ActivationPrecision

        func run<R>(_ body: (DecoderModel) throws -> R) throws -> R {
            try TensorContext.$quantizedActivations.withValue(activations) { try body(model) }
        }
    }

    /// The targets of this workload (tokens/s): batch-1 decode, prefill of 8 × 40, batched decode.
    static let targets = (decode: 180.0, prefill: 1_360.0, batched: 400.0)

    /// Median seconds of each body, run round-robin `rounds` times after one warm-up each.
    static func interleaved(rounds: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
        for b in bodies { try b() }
        var times = Array(repeating: [Double](), count: bodies.count)
        for _ in 0..<rounds {
            for (i, b) in bodies.enumerated() {
                let t0 = Clock.now()
                try b()
                times[i].append(Clock.now() - t0)
            }
        }
        return times.map { $0.sorted()[$0.count / 2] }
    }

    /// The table: decode batch 1, prefill 8 × 40, batched decode of 8 prompts of different lengths each after its
    /// own 10 virtual tokens, and scoring (label-word logits of review prompts, batches of 32).
    static func table(stored: DecoderModel, dense: DecoderModel, sequences: [[Int]], threads: Int,
                      anchor: LlamaCppAnchor, modelPath: String) throws -> Table {
        let variants = [Variant(name: "Q4_1 blocks", model: stored, activations: .float32),
                        Variant(name: "Q4_1, 8-bit act.", model: stored, activations: .int8),
                        Variant(name: "float32 weights", model: dense, activations: .float32)]
        var table = Table(title: "SmolLM2-135M inference, tokens/s (\(threads) threads; KV cache float32 unless a row says float16; ptune's variants interleaved, llama.cpp on the same GGUF right after)",
                          header: ["workload"] + variants.map(\.name) + ["llama.cpp Q4_1", "target", "blocks ÷ llama.cpp"])
        let long = sequences.filter { $0.count >= 40 }
        let pool = long.count >= 8 ? long : sequences.map { Array(repeating: $0, count: 3).flatMap { $0 } }
        let batch = pool.prefix(8).map { Array($0.prefix(40)) }
        let prompt = batch[0]

        // Batch-1 decode: (t(1 + n) − t(1)) / n after a 40-token prompt.
        let n = 32
        let decode = try interleaved(rounds: 3, variants.flatMap { v in [
            { _ = try v.run { try $0.generate(prompt, maxTokens: n + 1) } },
            { _ = try v.run { try $0.generate(prompt, maxTokens: 1) } },
        ] })
        let decodeRates = variants.indices.map { Double(n) / (decode[2 * $0] - decode[2 * $0 + 1]) }
        // The same with the KV cache in float16.
        let decodeHalf = try interleaved(rounds: 3, variants.flatMap { v in [
            { _ = try v.run { try $0.generate(batch: [prompt], maxTokens: n + 1, cache: .float16) } },
            { _ = try v.run { try $0.generate(batch: [prompt], maxTokens: 1, cache: .float16) } },
        ] })
        let decodeHalfRates = variants.indices.map { Double(n) / (decodeHalf[2 * $0] - decodeHalf[2 * $0 + 1]) }

        // Prefill 8 × 40 packed, logits at each sequence's last position.
        let packing = try DecoderPacking(lengths: batch.map(\.count))
        let x = try stored.embed(batch.flatMap { $0 })
        let prefill = try interleaved(rounds: 5, variants.map { v in {
            _ = try v.run { m in try Tensor.withoutRecording { try m.logits(m.hiddenStates(x, packing: packing, outputRows: try packing.lastRows())) } }
        } })
        let prefillRates = prefill.map { Double(batch.count * 40) / $0 }

        // Batched decode: 8 prompts of 20…48 tokens, each after its own 10 virtual tokens; all tokens of all
        // sequences per second of decoding, (t(1 + n) − t(1)).
        var g = Generator(seed: 11)
        let prompts = (0..<8).map { i in Array(pool[i % pool.count].prefix(20 + 4 * i)) }
        let prefixes: [Tensor?] = try (0..<8).map { _ in try Tensor.randn([10, stored.config.hiddenSize], using: &g) * 0.02 }
        let batched = try interleaved(rounds: 3, variants.flatMap { v in [
            { _ = try v.run { try $0.generate(batch: prompts, prefixes: prefixes, maxTokens: n + 1) } },
            { _ = try v.run { try $0.generate(batch: prompts, prefixes: prefixes, maxTokens: 1) } },
        ] })
        let batchedRates = variants.indices.map { Double(8 * n) / (batched[2 * $0] - batched[2 * $0 + 1]) }

        // Scoring: label-word logits of 256 review prompts in batches of 32, no gradient.
        let scored = Array(sequences.prefix(256))
        let scoredTokens = scored.reduce(0) { $0 + $1.count }
        let scoring = try interleaved(rounds: 2, variants.map { v in {
            try v.run { m in
                try Tensor.withoutRecording {
                    for start in stride(from: 0, to: scored.count, by: 32) {
                        _ = try m.labelLogits(virtualTokens: nil, examples: scored[start..<Swift.min(start + 32, scored.count)].map { $0.map { SequenceItem.token($0) } },
                                              labelTokens: LlamaStepBench.labelTokens)
                    }
                }
            }
        } })
        let scoringRates = scoring.map { Double(scoredTokens) / $0 }

        let single = anchor.single(model: modelPath, threads: threads, prompt: 256, generate: n)
        let many = anchor.batched(model: modelPath, threads: threads, prompt: 40, generate: n, sequences: 8)
        func row(_ what: String, _ rates: [Double], _ anchorRate: Double?, _ target: String) {
            let ratio = anchorRate.map { fmt(rates[0] / $0, 2) + "×" } ?? ""
            table.add([what] + rates.map { fmt($0, 0) } + [anchorRate.map { fmt($0, 0) } ?? "", target, ratio])
        }
        row("decode, batch 1 (40-token prompt, \(n) tokens)", decodeRates, single?.generationTokensPerSecond, "≥ \(fmt(targets.decode, 0))")
        row("decode, batch 1, KV cache float16 (llama.cpp's cache is float16)", decodeHalfRates, single?.generationTokensPerSecond, "≥ \(fmt(targets.decode, 0))")
        row("prefill 8 × 40 (llama.cpp: batched-bench pp)", prefillRates, many?.prefill, "≥ \(fmt(targets.prefill, 0))")
        row("decode, 8 sequences, 20–48 tokens + 10 virtual each", batchedRates, many?.decode, "≥ \(fmt(targets.batched, 0))")
        row("scoring \(scored.count) reviews, label logits (llama.cpp: pp 256)", scoringRates, single?.promptTokensPerSecond, "≥ llama.cpp")
        return table
    }
}
