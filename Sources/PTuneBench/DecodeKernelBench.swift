import PTuneCore
import PTuneModels

/// The kernels of a SmolLM2 decoding step one by one, each variant against the other in the same process and
/// interleaved round by round (section `llm-kernels`): the products with layer 0's weights and the LM head at every
/// instruction-set level (float32 activations; 1 and 8 rows), and attention over a KV cache by the fused decoding
/// kernel against the general kernel on the same rows (float32 and float16 caches, 1 and 8 sequences). Each figure
/// is the fastest of its rounds, the figure least moved by other jobs on a shared machine.
enum DecodeKernelBench {
    /// The fastest time of each body over `rounds` rounds, bodies interleaved within each round.
    static func fastest(rounds: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
        for b in bodies { try b() }
        var best = Array(repeating: Double.infinity, count: bodies.count)
        for _ in 0..<rounds {
            for (i, b) in bodies.enumerated() {
                let t0 = Clock.now()
                try b()
                best[i] = Swift.min(best[i], Clock.now() - t0)
            }
        }
        return best
    }

    static func tables(model: DecoderModel) throws -> [Table] {
        let levels = KernelLevel.available
        var products = Table(title: "SmolLM2 decoding products, float32 activations, µs per call (\(BLAS.threads) threads; fastest of 30 interleaved rounds)",
                             header: ["weight", "rows"] + levels.map(\.description) + ["best level ÷ \(levels.first?.description ?? "")"])
        var g = Generator(seed: 3)
        let layer = model.weights.layers[0]
        let weights: [(String, FrozenMatrix)] = [("qkv", layer.qkv), ("attention output", layer.attentionOutput),
                                                 ("gate | up", layer.gateUp), ("down", layer.down), ("LM head", model.weights.output)]
        for (name, w) in weights {
            guard case let .quantized(q) = w else { continue }
            for m in [1, 2, 4, 8] {
                let x = try Tensor.randn([m, q.columns], using: &g)
                let t = try fastest(rounds: 30, levels.map { level in { _ = try Tensor.linear(x, quantized: q, activations: .float32, level: level) } })
                products.add(["\(name) \(w.formatName) \(Shape.describe(w.shape))", "\(m)"] + t.map { fmt($0 * 1e6, 1) }
                             + [fmt((t.first ?? 0) / (t.last ?? 1), 2) + "×"])
            }
        }
        let c = model.config
        let heads = try AttentionHeads(heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        var attention = Table(title: "attention of one decoding step over a KV cache, one layer of SmolLM2, µs per call (fastest of 30 interleaved rounds)",
                              header: ["cache", "sequences × keys", "general kernel", "fused decoding kernel", "speed-up"])
        for (sequences, keys) in [(1, 72), (1, 512), (8, 60)] {
            let capacity = keys + 8, rows = sequences * capacity
            let k = try Tensor.randn([rows, heads.kvWidth], using: &g), v = try Tensor.randn([rows, heads.kvWidth], using: &g)
            let q = try Tensor.randn([sequences, heads.queryWidth], using: &g)
            let ranges = (0..<sequences).map { ($0 * capacity)..<($0 * capacity + keys) }
            let segments = ranges.enumerated().map { AttentionSegment(queries: $0.offset..<($0.offset + 1), keys: [$0.element]) }
            var hk = try HalfRows(rows: rows, columns: heads.kvWidth), hv = try HalfRows(rows: rows, columns: heads.kvWidth)
            try hk.write(k, at: 0)
            try hv.write(v, at: 0)
            let t = try fastest(rounds: 30, [
                { _ = try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: segments, mask: .causal) },
                { _ = try Tensor.cachedAttention(query: q, keys: .float(k), values: .float(v), heads: heads, keyRows: ranges) },
                // The general kernel on a float16 cache widens the rows first, as the cache did for it.
                { _ = try Tensor.attention(query: q, key: hk.floats(ranges), value: hv.floats(ranges), heads: heads,
                                           segments: ranges.indices.map { AttentionSegment(queries: $0..<($0 + 1), keys: [($0 * keys)..<(($0 + 1) * keys)]) },
                                           mask: .causal) },
                { _ = try Tensor.cachedAttention(query: q, keys: .half(hk), values: .half(hv), heads: heads, keyRows: ranges) },
            ])
            attention.add(["float32", "\(sequences) × \(keys)", fmt(t[0] * 1e6, 1), fmt(t[1] * 1e6, 1), fmt(t[0] / t[1], 2) + "×"])
            attention.add(["float16", "\(sequences) × \(keys)", fmt(t[2] * 1e6, 1), fmt(t[3] * 1e6, 1), fmt(t[2] / t[3], 2) + "×"])
        }
        return [products, attention]
    }
}
