import PTuneCore
import PTuneNN

/// Teacher-forced continuations: how likely the model finds given tokens after each example — the score of a label
/// word of several tokens, and the causal-LM loss of a target continuation (prompt positions masked out, as
/// transformers' label `-100` does). Each example runs once with its continuation appended (all but the last
/// token, which is only predicted); the logits of the positions that predict a continuation token are the only ones
/// computed. Gradients reach the virtual tokens (or the deep prefix) only.
extension DecoderModel {
    /// The log-probability of every continuation token, in order (`[Σᵢ |continuations[i]|]`): token `j` of
    /// `continuations[i]` predicted after example `i` (virtual positions and tokens, as in
    /// ``labelLogits(virtualTokens:examples:labelTokens:)``) and the continuation's tokens before `j`. With a deep
    /// `prefix`, examples hold tokens only and every layer attends to the prefix first.
    public func continuationLogProbabilities(virtualTokens: Tensor?, examples: [[SequenceItem]], continuations: [[Int]],
                                             prefix: DeepPrefix? = nil) throws -> Tensor {
        let (logits, targets) = try continuationLogits(virtualTokens: virtualTokens, examples: examples,
                                                       continuations: continuations, prefix: prefix)
        return try -Loss.crossEntropy(logits, targets, reduction: .none)
    }

    /// The causal-LM loss of the continuations: the mean, over every continuation token of every example, of
    /// `−log p(token | example, the continuation's tokens before it)` — transformers' loss with every prompt position
    /// labelled `-100`.
    public func continuationLoss(virtualTokens: Tensor?, examples: [[SequenceItem]], continuations: [[Int]],
                                 prefix: DeepPrefix? = nil, reduction: Reduction = .mean) throws -> Tensor {
        let (logits, targets) = try continuationLogits(virtualTokens: virtualTokens, examples: examples,
                                                       continuations: continuations, prefix: prefix)
        return try Loss.crossEntropy(logits, targets, reduction: reduction)
    }

    /// The sum of each label word's token log-probabilities after each example (`[B, W]`): word `w` (its token ids,
    /// one or more) scored as `Σⱼ log p(wⱼ | example, w₀ … wⱼ₋₁)`. For a one-token word this is its logit minus the
    /// same log-normaliser for every word of an example, so a softmax over the words is the one over their logits.
    public func labelLogProbabilities(virtualTokens: Tensor?, examples: [[SequenceItem]], labelWords: [[Int]],
                                      prefix: DeepPrefix? = nil) throws -> Tensor {
        guard !labelWords.isEmpty else { throw DecoderError.badInput("no label words to score") }
        guard labelWords.allSatisfy({ !$0.isEmpty }) else { throw DecoderError.badInput("a label word has no tokens") }
        let crossed = examples.flatMap { e in labelWords.map { _ in e } }
        let words = examples.flatMap { _ in labelWords }
        let perToken = try continuationLogProbabilities(virtualTokens: virtualTokens, examples: crossed, continuations: words,
                                                        prefix: prefix)
        // Sum each word's tokens: a [B·W, R] indicator times the R log-probabilities.
        let rows = words.reduce(0) { $0 + $1.count }
        var indicator = [Float](repeating: 0, count: words.count * rows)
        var r = 0
        for (i, w) in words.enumerated() {
            for _ in w { indicator[i * rows + r] = 1; r += 1 }
        }
        let sum = try Tensor.matmul(Tensor(shape: [words.count, rows], scalars: indicator), perToken.reshaped([rows, 1]))
        return try sum.reshaped([examples.count, labelWords.count])
    }

    /// Full-vocabulary logits `[R, vocabulary]` of the R positions that predict a continuation token, and those
    /// tokens `[R]` (int64).
    func continuationLogits(virtualTokens: Tensor?, examples: [[SequenceItem]], continuations: [[Int]],
                            prefix: DeepPrefix?) throws -> (Tensor, Tensor) {
        guard !examples.isEmpty else { throw DecoderError.badInput("a batch needs at least one example") }
        guard examples.count == continuations.count else {
            throw DecoderError.badInput("\(examples.count) examples but \(continuations.count) continuations")
        }
        guard continuations.allSatisfy({ !$0.isEmpty }) else { throw DecoderError.badInput("a continuation has no tokens") }
        for c in continuations { try checkTokens(c) }
        let full = zip(examples, continuations).map { e, c in e + c.dropLast().map { SequenceItem.token($0) } }
        let x: Tensor, packing: DecoderPacking, kv: DeepPrefix?
        if let prefix {
            let sequences = try full.map { items in
                try items.map { item -> Int in
                    guard case let .token(t) = item else {
                        throw DecoderError.badInput("a deep prefix takes examples of tokens only, without virtual positions")
                    }
                    return t
                }
            }
            guard sequences.allSatisfy({ !$0.isEmpty }) else { throw DecoderError.badInput("every example needs at least one token") }
            let longest = sequences.map(\.count).max() ?? 0
            kv = try checkedPrefix(prefix, longest: longest)
            guard (kv?.count ?? 0) + longest <= config.contextLength else {
                throw DecoderError.contextOverflow(needed: (kv?.count ?? 0) + longest, available: config.contextLength)
            }
            packing = try DecoderPacking(lengths: sequences.map(\.count))
            x = try embed(sequences.flatMap { $0 })
        } else {
            (x, packing) = try packed(virtualTokens, full)
            kv = nil
            let longest = packing.prefixLength + (packing.lengths.max() ?? 0)
            guard longest <= config.contextLength else { throw DecoderError.contextOverflow(needed: longest, available: config.contextLength) }
        }
        // Sequence i's rows end with its continuation's first |cᵢ| − 1 tokens; the row before them predicts c₀.
        var outputRows: [Int] = []
        for (i, c) in continuations.enumerated() {
            let own = try packing.rows(ofSequence: i)
            let exampleRows = own.count - (c.count - 1)
            let before = exampleRows > 0 ? own.lowerBound + exampleRows - 1 : packing.prefixLength - 1
            guard before >= 0 else { throw DecoderError.badInput("example \(i) has no position to predict from") }
            outputRows.append(before)
            outputRows += (own.lowerBound + exampleRows)..<own.upperBound
        }
        let hidden = try hiddenStates(x, packing: packing, outputRows: outputRows, prefix: kv)
        let targets = continuations.flatMap { $0 }.map(Int64.init)
        return (try logits(hidden), try Tensor(shape: [targets.count], scalars: targets))
    }
}
