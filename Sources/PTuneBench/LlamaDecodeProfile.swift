import Foundation
import PTuneCore
import PTuneModels
import PTuneNN

/// Where one batch-1 decoding step of SmolLM2 spends its time: the step measured by generation,
/// (t(1 + n) − t(1)) / n, and the same two generations again with a ``StageProfile`` installed, so each stage the
/// layers time (every product with a frozen weight by format and shape — the LM head among them —, attention over
/// the KV cache, cache writes, norms, rotary, the gate, the argmax) is counted inside the real step; the rest
/// (tensor plumbing, allocation, residual sums, the worker pool's hand-offs) is the difference from the profiled
/// step's own time; the step without the profiler is printed beside it. Section
/// `llm-decode`; the `llm` section prints it too.
enum LlamaDecodeProfile {
    /// The breakdown of decoding `n` tokens after `prompt` (batch 1), weights as `model` holds them, with
    /// `activations` for quantized products and a KV cache of `cache`'s element type.
    static func table(model: DecoderModel, name: String, prompt: [Int], n: Int = 32,
                      activations: ActivationPrecision = .float32, cache: KVCacheElement = .float32) throws -> Table {
        let example = [prompt.map { SequenceItem.token($0) }]
        func generate(_ tokens: Int) throws {
            _ = try model.generate(examples: example, virtualTokens: nil,
                                   settings: GenerationSettings(maxTokens: tokens, cache: cache))
        }
        return try TensorContext.$quantizedActivations.withValue(activations) {
            // The whole step: the long and the short generation interleaved, medians of 3.
            try generate(n + 1)
            var long: [Double] = [], short: [Double] = []
            for _ in 0..<3 {
                var t0 = Clock.now()
                try generate(n + 1)
                long.append(Clock.now() - t0)
                t0 = Clock.now()
                try generate(1)
                short.append(Clock.now() - t0)
            }
            let step = (long.sorted()[1] - short.sorted()[1]) / Double(n)
            // The stages inside the step: profiled long minus profiled short generations, three of each, and the
            // profiled step itself timed the same way, so the rest is the difference within the same runs.
            let longProfile = StageProfile(), shortProfile = StageProfile()
            var profiled = 0.0
            for _ in 0..<3 {
                var t0 = Clock.now()
                try TensorContext.$stageProfile.withValue(longProfile) { try generate(n + 1) }
                profiled += Clock.now() - t0
                t0 = Clock.now()
                try TensorContext.$stageProfile.withValue(shortProfile) { try generate(1) }
                profiled -= Clock.now() - t0
            }
            let tokens = Double(3 * n), profiledStep = profiled / tokens
            var before: [String: StageProfile.Total] = [:]
            for s in shortProfile.stages { before[s.stage] = s }
            var table = Table(title: "SmolLM2-135M batch-1 decoding step, \(name) (\(BLAS.threads) threads, KV cache \(cache)): where the time goes, stages timed inside the step",
                              header: ["stage", "calls per token", "ms per token", "share of the step"])
            var accounted = 0.0
            for s in longProfile.stages {
                let seconds = (s.seconds - (before[s.stage]?.seconds ?? 0)) / tokens
                let calls = Double(s.calls - (before[s.stage]?.calls ?? 0)) / tokens
                guard calls > 0 else { continue }
                accounted += seconds
                table.add([s.stage, fmt(calls, 0), fmt(seconds * 1e3, 3), fmt(100 * seconds / profiledStep, 0) + "%"])
            }
            let rest = profiledStep - accounted
            table.add(["rest: residual sums, tensor plumbing, allocation, thread hand-offs", "", fmt(rest * 1e3, 3),
                       fmt(100 * rest / profiledStep, 0) + "%"])
            table.add(["whole step, profiled (the shares' base)", "", fmt(profiledStep * 1e3, 3), "100%"])
            table.add(["whole step, profiler off (\(n) tokens after \(prompt.count), medians of 3)", "", fmt(step * 1e3, 3),
                       fmt(100 * step / profiledStep, 0) + "%"])
            let bytes = Double(model.weights.layers.reduce(0) { $0 + $1.qkv.byteCount + $1.attentionOutput.byteCount
                + $1.gateUp.byteCount + $1.down.byteCount } + model.weights.output.byteCount)
            table.add(["tokens/s; weight bytes read per token", "", fmt(1 / step, 1), fmt(bytes / 1e6, 0) + " MB"])
            return table
        }
    }
}
