import PTuneNN

extension KVCache {
    /// An empty cache for a decoder of `config` (its layers, KV width `kvHeads · headDim`) holding up to
    /// `capacity` positions (at most the model's context) for each of `sequences` sequences, in float32 or float16.
    public init(config: DecoderConfig, capacity: Int, sequences: Int = 1, element: KVCacheElement = .float32) throws {
        guard capacity > 0, capacity <= config.contextLength else {
            throw DecoderError.contextOverflow(needed: capacity, available: config.contextLength)
        }
        try self.init(layers: config.layers, width: config.kvHeads * config.headDim, capacity: capacity,
                      sequences: sequences, element: element)
    }
}
