import PTuneCore

/// How generation chooses each next token from the logits: greedily (the largest logit; ties go to the smaller id),
/// or by sampling from `softmax(logits / temperature)` restricted to the `topK` most likely tokens and then to the
/// smallest set of the most likely ones whose probabilities add up to at least `topP` (nucleus sampling) — the
/// order Hugging Face's `generate` applies them in. Sampling draws one uniform number per token from the generator
/// it is given, so a seeded generator gives the same tokens on every run.
public struct TokenSampler: Sendable, Equatable {
    /// 0 for greedy decoding; otherwise the logits are divided by it before the softmax.
    public let temperature: Double
    /// Keep only the k most likely tokens (nil: all).
    public let topK: Int?
    /// Keep only the most likely tokens whose probabilities first add up to at least p (nil: all).
    public let topP: Double?

    /// Greedy decoding.
    public static let greedy = TokenSampler(checked: 0, nil, nil)

    private init(checked temperature: Double, _ topK: Int?, _ topP: Double?) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// A sampler; throws for a negative or non-finite temperature, `topK < 1`, `topP` outside (0, 1], or a
    /// `topK`/`topP` with temperature 0 (greedy decoding has nothing to restrict).
    public init(temperature: Double, topK: Int? = nil, topP: Double? = nil) throws {
        guard temperature.isFinite, temperature >= 0 else {
            throw DecoderError.badInput("temperature must be a finite number ≥ 0 (0: greedy), got \(temperature)")
        }
        if let topK, topK < 1 { throw DecoderError.badInput("top_k must be at least 1, got \(topK)") }
        if let topP, !(topP > 0 && topP <= 1) { throw DecoderError.badInput("top_p must be in (0, 1], got \(topP)") }
        if temperature == 0 && (topK != nil || topP != nil) {
            throw DecoderError.badInput("top_k and top_p restrict sampling: give a temperature > 0 as well (temperature 0 decodes greedily)")
        }
        self.init(checked: temperature, topK, topP)
    }

    /// Whether tokens are chosen by the largest logit.
    public var isGreedy: Bool { temperature == 0 }

    /// The chosen token of one row of logits (`row.count` = the vocabulary), drawing from `generator` when sampling.
    public func pick(_ row: [Double], using generator: inout Generator) -> Int {
        if isGreedy || row.count < 2 { return Self.argmax(row) }
        let scaled = row.map { $0 / temperature }
        // Candidates in order of decreasing logit (ties: smaller id first), cut to k; all tokens, in id order, when
        // nothing restricts them (no sort needed).
        var ids: [Int]
        if topK != nil || topP != nil {
            ids = Array(scaled.indices)
            let k = Swift.min(topK ?? row.count, row.count)
            ids.sort { scaled[$0] > scaled[$1] || (scaled[$0] == scaled[$1] && $0 < $1) }
            if k < ids.count { ids.removeSubrange(k...) }
        } else {
            ids = Array(scaled.indices)
        }
        let top = ids.reduce(-Double.infinity) { Swift.max($0, scaled[$1]) }
        guard top.isFinite else { return Self.argmax(row) }
        var weights = ids.map { FastMath.exp(scaled[$0] - top) }
        if let topP {
            let total = weights.reduce(0, +)
            var sum = 0.0, keep = weights.count
            for (i, w) in weights.enumerated() {
                sum += w
                if sum >= topP * total { keep = i + 1; break }
            }
            weights.removeSubrange(keep...)
            ids.removeSubrange(keep...)
        }
        let total = weights.reduce(0, +)
        var u = generator.nextUniform() * total
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return ids[i] }
        }
        return ids[weights.count - 1]
    }

    /// The index of the largest value (the first of equal ones).
    static func argmax(_ row: [Double]) -> Int {
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }
}
