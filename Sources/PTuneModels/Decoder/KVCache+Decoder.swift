import PTuneNN

extension KVCache {
    /// An empty float32 cache for a decoder of `config` (its layers, KV width `kvHeads · headDim`) holding up to
    /// `capacity` positions (at most the model's context) for each of `sequences` sequences.
    public init(config: DecoderConfig, capacity: Int, sequences: Int = 1) throws {
        guard capacity > 0, capacity <= config.contextLength else {
            throw DecoderError.contextOverflow(needed: capacity, available: config.contextLength)
        }
        try self.init(layers: config.layers, width: config.kvHeads * config.headDim, capacity: capacity,
                      sequences: sequences)
    }
}
