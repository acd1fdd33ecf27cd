import PTuneNN

/// The keys and values a Llama model has computed for one sequence (see PTuneNN's ``KVCache``).
public typealias LlamaKVCache = KVCache

extension KVCache {
    /// An empty cache for `config`'s layers holding up to `capacity` positions (at most the model's context).
    public init(config: LlamaConfig, capacity: Int) throws {
        guard capacity > 0, capacity <= config.contextLength else {
            throw LlamaError.contextOverflow(needed: capacity, available: config.contextLength)
        }
        try self.init(layers: config.layers, width: config.kvHeads * config.headDim, capacity: capacity)
    }
}
