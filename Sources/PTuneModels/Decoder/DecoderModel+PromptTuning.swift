import PTuneCore
import PTuneNN

/// The fast path of p-tuning a frozen decoder with virtual tokens prepended to every example (PEFT's layout):
/// the virtual tokens are one shared prefix computed once per batch, the examples' real tokens are packed without
/// padding, and only the label words' logits at each example's answer position are computed.
extension DecoderModel {
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
            throw DecoderError.badInput("virtual tokens must be float32 [n, \(d)], got \(virtualTokens.dtype) \(virtualTokens.shape)")
        }
        guard !sequences.isEmpty else { throw DecoderError.badInput("a batch needs at least one sequence") }
        guard !labelTokens.isEmpty else { throw DecoderError.badInput("no label tokens to score") }
        let n = virtualTokens.shape[0]
        let packing = try DecoderPacking(prefixLength: n, lengths: sequences.map(\.count))
        let x = try StageProfile.measure(StageProfile.StageName.tokenEmbedding) {
            var rows: [Tensor] = n > 0 ? [virtualTokens] : []
            let tokens = sequences.flatMap { $0 }
            if !tokens.isEmpty { rows.append(try embed(tokens)) }
            return rows.count == 1 ? rows[0] : try Tensor.concat(rows, axis: 0)
        }
        let hidden = try hiddenStates(x, packing: packing, outputRows: try packing.lastRows())
        return try logits(hidden, tokens: labelTokens)
    }

    /// The logits of `labelTokens` (`[B, labelTokens.count]`) at the last position of each example, where each
    /// example is a sequence of virtual positions (rows of `virtualTokens`, `[n, d]`) and real token ids, placed
    /// anywhere. When every example is exactly `virtual 0..<n` followed by real tokens (PEFT's layout), this is
    /// ``labelLogits(virtualTokens:sequences:labelTokens:)`` with its shared prefix; otherwise each example's rows
    /// are gathered and packed on their own (still no padding).
    public func labelLogits(virtualTokens: Tensor?, examples: [[SequenceItem]], labelTokens: [Int]) throws -> Tensor {
        guard !labelTokens.isEmpty else { throw DecoderError.badInput("no label tokens to score") }
        let (x, packing) = try packed(virtualTokens, examples)
        return try logits(hiddenStates(x, packing: packing, outputRows: try packing.lastRows()), tokens: labelTokens)
    }

    /// The rows of `examples` for one packed forward: PEFT's layout (every example `virtual 0..<n` then real tokens)
    /// shares the `virtual` rows (`[n, d]`) as one prefix computed once; any other placement gathers each example's
    /// rows in its order (still no padding).
    func packed(_ virtualTokens: Tensor?, _ examples: [[SequenceItem]]) throws -> (x: Tensor, packing: DecoderPacking) {
        let d = config.hiddenSize
        let virtual = try virtualTokens ?? Tensor.zeros([0, d])
        guard virtual.rank == 2, virtual.shape[1] == d, virtual.dtype == .float32 else {
            throw DecoderError.badInput("virtual tokens must be float32 [n, \(d)], got \(virtual.dtype) \(virtual.shape)")
        }
        guard !examples.isEmpty else { throw DecoderError.badInput("a batch needs at least one sequence") }
        let n = virtual.shape[0]
        var prefixed = true, real: [[Int]] = []
        for e in examples {
            var tokens: [Int] = []
            for (i, item) in e.enumerated() {
                switch item {
                case let .virtual(k):
                    guard k >= 0, k < n else { throw DecoderError.badInput("virtual token \(k) is outside the encoder's \(n)") }
                    if i != k { prefixed = false }
                case let .token(t): tokens.append(t)
                }
            }
            if e.count - tokens.count != n { prefixed = false }
            real.append(tokens)
        }
        if prefixed {
            let packing = try DecoderPacking(prefixLength: n, lengths: real.map(\.count))
            var rows: [Tensor] = n > 0 ? [virtual] : []
            let tokens = real.flatMap { $0 }
            if !tokens.isEmpty { rows.append(try embed(tokens)) }
            return (rows.count == 1 ? rows[0] : try Tensor.concat(rows, axis: 0), packing)
        }
        return (try gatheredRows(virtual, examples), try DecoderPacking(lengths: examples.map(\.count)))
    }

    /// Every example's rows one after another (`[Σ positions, d]`): a virtual position takes its row of `virtual`
    /// (`[n, d]`; nil: none), a token its embedding.
    func gatheredRows(_ virtual: Tensor?, _ examples: [[SequenceItem]]) throws -> Tensor {
        let n = virtual?.shape.first ?? 0
        guard examples.allSatisfy({ !$0.isEmpty }) else { throw DecoderError.badInput("every example needs at least one position") }
        var index: [Int64] = [], real: [Int] = []
        for e in examples {
            for item in e {
                switch item {
                case let .virtual(k):
                    guard k >= 0, k < n else { throw DecoderError.badInput("virtual token \(k) is outside the encoder's \(n)") }
                    index.append(Int64(k))
                case let .token(t): index.append(Int64(n + real.count)); real.append(t)
                }
            }
        }
        var table: [Tensor] = []
        if let virtual, n > 0 { table.append(virtual) }
        if !real.isEmpty { table.append(try embed(real)) }
        let source = table.count == 1 ? table[0] : try Tensor.concat(table, axis: 0)
        if table.count == 1, table[0].shape[0] == index.count, index.enumerated().allSatisfy({ Int64($0.offset) == $0.element }) {
            return source
        }
        return try source.gatherRows(Tensor(shape: [index.count], scalars: index))
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
