import PTuneCore

/// The fast path of p-tuning a frozen Llama model with virtual tokens prepended to every example (PEFT's layout):
/// the virtual tokens are one shared prefix computed once per batch, the examples' real tokens are packed without
/// padding, and only the label words' logits at each example's answer position are computed.
extension LlamaModel {
    /// The logits of `labelTokens` (`[B, labelTokens.count]`) at the last token of each of the `sequences`, run
    /// after the `virtualTokens` (`[n, d]`, usually a prompt encoder's output that requires a gradient; n may be 0).
    ///
    /// Equivalent to prepending the virtual tokens to each sequence, right-padding and reading the logits at each
    /// example's last real position (what PEFT does), at a fraction of the cost: no padding rows, the prefix rows once
    /// instead of B times, the last block for the answer rows only, and two label words instead of the vocabulary.
    /// The backward reaches the virtual tokens only.
    public func labelLogits(virtualTokens: Tensor, sequences: [[Int]], labelTokens: [Int]) throws -> Tensor {
        let d = config.hiddenSize
        guard virtualTokens.rank == 2, virtualTokens.shape[1] == d, virtualTokens.dtype == .float32 else {
            throw LlamaError.badInput("virtual tokens must be float32 [n, \(d)], got \(virtualTokens.dtype) \(virtualTokens.shape)")
        }
        guard !sequences.isEmpty else { throw LlamaError.badInput("a batch needs at least one sequence") }
        guard !labelTokens.isEmpty else { throw LlamaError.badInput("no label tokens to score") }
        let n = virtualTokens.shape[0]
        let packing = try LlamaPacking(prefixLength: n, lengths: sequences.map(\.count))
        var rows: [Tensor] = n > 0 ? [virtualTokens] : []
        let tokens = sequences.flatMap { $0 }
        if !tokens.isEmpty { rows.append(try embed(tokens)) }
        let x = rows.count == 1 ? rows[0] : try Tensor.concat(rows, axis: 0)
        let hidden = try hiddenStates(x, packing: packing, outputRows: try packing.lastRows())
        return try logits(hidden, tokens: labelTokens)
    }

    /// Multiply-adds of one ``labelLogits(virtualTokens:sequences:labelTokens:)`` forward, counted as FLOPs (2 per
    /// multiply-add) of the linear layers and attention products; the backward to the virtual tokens costs about
    /// the same again (no weight gradients).
    public func labelLogitsFLOPs(virtualCount n: Int, lengths: [Int], labels: Int) -> Double {
        let c = config, d = Double(c.hiddenSize), hd = Double(c.headDim)
        let rows = Double(n + lengths.reduce(0, +)), b = Double(lengths.count)
        let qkv = Double(c.qkvWidth), q = Double(c.heads * c.headDim)
        let perRow = qkv * d + q * d + 3 * Double(c.feedForwardSize) * d
        // Attention products (scores and weighted values) over the keys each query sees, computed as full
        // rectangles per segment (the prefix block and each sequence's block).
        var pairs = Double(n * n)
        for l in lengths { pairs += Double(l) * Double(n + l) }
        let attention = 2 * pairs * hd * Double(c.heads)
        let blocks = Double(c.layers - 1)
        // The last block: q, k, v for every row, the rest for the B answer rows only.
        let last = rows * qkv * d + b * (q * d + 3 * Double(c.feedForwardSize) * d)
            + 2 * (b * Double(n) + Double(lengths.reduce(0, +))) * hd * Double(c.heads)
        return 2 * (blocks * (rows * perRow + attention) + last + b * Double(labels) * d)
    }
}
