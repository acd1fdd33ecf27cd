import PTuneCore

/// The keys and values a Llama model has computed for one sequence, per layer, so that each generated token costs
/// one row through the model instead of the whole sequence again. Keys are stored after the rotary embedding.
public struct LlamaKVCache: Sendable {
    /// The most positions the cache holds.
    public let capacity: Int
    /// Positions filled so far (the next token's position).
    public internal(set) var count: Int = 0
    var keys: [Tensor]
    var values: [Tensor]

    /// An empty cache for `config`'s layers holding up to `capacity` positions (at most the model's context).
    public init(config: LlamaConfig, capacity: Int) throws {
        guard capacity > 0, capacity <= config.contextLength else {
            throw LlamaError.contextOverflow(needed: capacity, available: config.contextLength)
        }
        self.capacity = capacity
        let width = config.kvHeads * config.headDim
        keys = try (0..<config.layers).map { _ in try Tensor.zeros([capacity, width]) }
        values = try (0..<config.layers).map { _ in try Tensor.zeros([capacity, width]) }
    }

    /// Empties the cache (keeps its memory).
    public mutating func reset() { count = 0 }

    /// Writes the key and value columns of the fused `qkv` rows (`[m, (H + 2·KVH)·hd]`) for `layer` at positions
    /// `count..<count + m`.
    mutating func store(layer: Int, qkv: Tensor, queryWidth: Int) throws {
        let m = qkv.shape[0], w = qkv.shape[1], kw = keys[layer].shape[1], start = count
        guard start + m <= capacity else { throw LlamaError.contextOverflow(needed: start + m, available: capacity) }
        try qkv.withScalars(Float.self) { src in
            guard let s = src.baseAddress else { return }
            try keys[layer].withMutableScalars(Float.self) { dst in
                guard let d = dst.baseAddress else { return }
                for r in 0..<m { (d + (start + r) * kw).update(from: s + r * w + queryWidth, count: kw) }
            }
            try values[layer].withMutableScalars(Float.self) { dst in
                guard let d = dst.baseAddress else { return }
                for r in 0..<m { (d + (start + r) * kw).update(from: s + r * w + queryWidth + kw, count: kw) }
            }
        }
    }
}
