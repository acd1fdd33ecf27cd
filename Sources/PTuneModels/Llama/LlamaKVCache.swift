import PTuneNN

/// The keys and values a Llama model has computed for one or more sequences (see PTuneNN's ``KVCache``), in
/// float32.
public typealias LlamaKVCache = KVCache

extension KVCache {
    /// An empty float32 cache for `config`'s layers holding up to `capacity` positions (at most the model's context)
    /// for each of `sequences` sequences.
    public init(config: LlamaConfig, capacity: Int, sequences: Int = 1) throws {
        guard capacity > 0, capacity <= config.contextLength else {
            throw LlamaError.contextOverflow(needed: capacity, available: config.contextLength)
        }
        try self.init(layers: config.layers, width: config.kvHeads * config.headDim, capacity: capacity, sequences: sequences)
    }
}
