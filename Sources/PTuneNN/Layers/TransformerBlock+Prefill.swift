import PTuneCore

/// The keys and values a block's attention computes: what a deep prompt started from a prefill of real text holds.
extension TransformerBlock {
    /// The keys and values `[N, kvHeads · headDim]` the attention computes for rows `x` `[N, d]` (after the
    /// block's own normalisation when it normalises the attention's input), unrotated: for blocks without rotary
    /// embeddings (a decoder's prefill reads its KV cache instead).
    public func keysAndValues(rows x: Tensor) throws -> (key: Tensor, value: Tensor) {
        let input: Tensor
        switch placement {
        case .preNorm, .sandwich: input = try attentionNorm(x)
        case .postNorm: input = x
        }
        let (_, k, v) = try attention.queryKeyValue(input, rotary: nil)
        return (k, v)
    }
}
