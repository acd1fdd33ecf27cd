import PTuneCore

/// The keys and values a block's attention computes: what a deep prompt started from a prefill of real text holds.
extension TransformerBlock {
    /// The keys and values `[N, kvHeads · headDim]` the attention computes for rows `x` `[N, d]` (after the
    /// block's own normalisation when pre-norm), keys rotated by `rotary` when the layer rotates.
    public func keysAndValues(rows x: Tensor, rotary: RotaryTable? = nil) throws -> (key: Tensor, value: Tensor) {
        let input: Tensor
        switch placement {
        case .preNorm: input = try attentionNorm(x)
        case .postNorm: input = x
        }
        let (_, k, v) = try attention.queryKeyValue(input, rotary: attention.rotatesQueriesAndKeys ? rotary : nil)
        return (k, v)
    }
}
