import PTuneCore

/// The element type a KV cache keeps its keys and values in.
public enum KVCacheElement: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Float32 (or the cache's float dtype): attention reads exactly what the layers computed.
    case float32
    /// IEEE binary16: half the memory; each key and value is rounded to nearest when written and widened to
    /// float32 when attention reads it (llama.cpp's default cache type).
    case float16

    /// `float32`, `float16`.
    public var description: String { rawValue }
}

/// The keys and values attention layers have computed for earlier positions of one or more sequences, one
/// `[sequences · capacity, width]` pair per layer (sequence `s` owns rows `s·capacity ..< (s+1)·capacity`), so that
/// each generated token costs one row through the model instead of the whole sequence again. Keys are stored as the
/// layer uses them (after any rotary embedding), in float32 or the cache's dtype, or rounded to float16
/// (``KVCacheElement``).
///
/// A step runs new rows through every layer: the rows belong to sequences as its ``Span``s say (one span of all rows
/// for a single sequence; one row per sequence for a batched decoding step). Every layer writes the spans' keys and
/// values at their sequences' next positions; ``advance(_:)`` then moves those sequences on.
public struct KVCache: Sendable {
    /// A run of consecutive new rows that continue one sequence.
    public struct Span: Sendable, Equatable {
        /// The sequence (0 ..< ``sequences``).
        public var sequence: Int
        /// The number of rows.
        public var rows: Int
        /// `rows` rows continuing `sequence`.
        public init(sequence: Int, rows: Int) {
            self.sequence = sequence
            self.rows = rows
        }
    }

    /// The most positions each sequence holds.
    public let capacity: Int
    /// The number of sequences.
    public let sequences: Int
    /// Positions filled so far in each sequence (each one's next position).
    public private(set) var counts: [Int]
    /// Positions filled so far in the first sequence (the next token's position, for a single sequence).
    public var count: Int { counts[0] }
    /// How keys and values are stored.
    public let element: KVCacheElement
    /// Each layer's keys, `[sequences · capacity, width]` (rows past each sequence's count not yet written); empty
    /// in a float16 cache, whose keys ``attentionInputs(layer:spans:)`` widens.
    public private(set) var keys: [Tensor]
    /// Each layer's values, `[sequences · capacity, width]`; empty in a float16 cache.
    public private(set) var values: [Tensor]
    /// A float16 cache's keys and values, one pair per layer (empty in a float cache).
    private var halfKeys: [HalfRows], halfValues: [HalfRows]
    /// Whether decoding steps run the fused attention over the cache (the tests turn it off to compare it with the
    /// general attention).
    var fusesDecodingAttention = true

    /// An empty cache for `layers` layers whose keys and values are `width` wide, holding up to `capacity` positions
    /// for each of `sequences` sequences, in `dtype` or, with `element` float16, in binary16.
    public init(layers: Int, width: Int, capacity: Int, dtype: DType = .float32, sequences: Int = 1,
                element: KVCacheElement = .float32) throws {
        guard layers >= 0, width > 0, capacity > 0, sequences > 0 else {
            throw NNError.invalidArgument("KVCache", "needs a positive width, capacity and sequence count, got width \(width), capacity \(capacity), \(sequences) sequences")
        }
        let (rows, overflow) = capacity.multipliedReportingOverflow(by: sequences)
        guard !overflow else { throw NNError.invalidArgument("KVCache", "\(sequences) sequences of \(capacity) positions are too many") }
        self.capacity = capacity
        self.sequences = sequences
        counts = Array(repeating: 0, count: sequences)
        self.element = element
        let float = element == .float32 ? layers : 0, half = element == .float16 ? layers : 0
        keys = try (0..<float).map { _ in try Tensor.zeros([rows, width], dtype: dtype) }
        values = try (0..<float).map { _ in try Tensor.zeros([rows, width], dtype: dtype) }
        halfKeys = try (0..<half).map { _ in try HalfRows(rows: rows, columns: width) }
        halfValues = try (0..<half).map { _ in try HalfRows(rows: rows, columns: width) }
    }

    /// Bytes the keys and values take.
    public var byteCount: Int {
        keys.reduce(0) { $0 + $1.count * $1.dtype.byteSize } * 2 + halfKeys.reduce(0) { $0 + $1.byteCount } * 2
    }

    /// What attention over `layer` reads for new rows continuing `spans` (written already): the keys and values as
    /// float tensors and each span's segment in them. A float cache gives its own tensors and ``segments(_:)``; a
    /// float16 cache widens the rows each span's sequence holds (its earlier positions and the new rows), packed one
    /// sequence after another.
    public func attentionInputs(layer: Int, spans: [Span]) throws -> (keys: Tensor, values: Tensor, segments: [AttentionSegment]) {
        if element == .float32 {
            guard layer >= 0, layer < keys.count else { throw NNError.invalidArgument("KVCache", "no layer \(layer)") }
            return (keys[layer], values[layer], try segments(spans))
        }
        guard layer >= 0, layer < halfKeys.count else { throw NNError.invalidArgument("KVCache", "no layer \(layer)") }
        try check(spans)
        var ranges: [Range<Int>] = [], segments: [AttentionSegment] = [], first = 0, packed = 0
        for s in spans {
            let start = s.sequence * capacity, n = counts[s.sequence] + s.rows
            ranges.append(start..<(start + n))
            segments.append(AttentionSegment(queries: first..<(first + s.rows), keys: [packed..<(packed + n)]))
            first += s.rows
            packed += n
        }
        return (try halfKeys[layer].floats(ranges), try halfValues[layer].floats(ranges), segments)
    }

    /// The attention of new rows continuing `spans` (their keys and values written already) over what `layer`
    /// holds: `query` `[m, ≥ heads · headDim]` (its first columns the query heads), each span's rows over its
    /// sequence's positions causally, within `window`, after the KV `prefix` if given; `[m, heads · headDim]`.
    /// A decoding step (one row per span, float32 rows, no gradient to carry) runs the fused kernel over the cache
    /// in place (``PTuneCore/Tensor/cachedAttention(query:keys:values:heads:keyRows:window:scoring:prefix:)``);
    /// anything else the general attention over ``attentionInputs(layer:spans:)``.
    public func attention(layer: Int, query: Tensor, spans: [Span], heads: AttentionHeads, window: Int?,
                          scoring: AttentionScoring, prefix: KVPrefix?) throws -> Tensor {
        let fused = fusesDecodingAttention && spans.allSatisfy { $0.rows == 1 } && query.dtype == .float32
            && (element == .float16 || keys.first?.dtype == .float32)
            && !(TensorContext.isRecording && (query.requiresGrad || prefix?.key.requiresGrad == true || prefix?.value.requiresGrad == true))
        if fused {
            try check(spans)
            let float = element == .float32
            guard layer >= 0, layer < (float ? keys.count : halfKeys.count) else {
                throw NNError.invalidArgument("KVCache", "no layer \(layer)")
            }
            let rows = spans.map { s in (s.sequence * capacity)..<(s.sequence * capacity + counts[s.sequence] + 1) }
            return try Tensor.cachedAttention(query: query, keys: float ? .float(keys[layer]) : .half(halfKeys[layer]),
                                              values: float ? .float(values[layer]) : .half(halfValues[layer]),
                                              heads: heads, keyRows: rows, window: window, scoring: scoring, prefix: prefix)
        }
        let q = query.shape.count == 2 && query.shape[1] > heads.queryWidth
            ? try query.narrowed(axis: 1, start: 0, length: heads.queryWidth) : query
        let (k, v, segments) = try attentionInputs(layer: layer, spans: spans)
        return try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: segments,
                                    mask: AttentionMask(causal: true, window: window), scoring: scoring, prefix: prefix)
    }

    /// Empties the cache (keeps its memory).
    public mutating func reset() { counts = Array(repeating: 0, count: sequences) }

    /// One span of `m` rows continuing the first sequence.
    public static func single(_ m: Int) -> [Span] { [Span(sequence: 0, rows: m)] }

    /// Marks `m` more positions of the first sequence as filled, once every layer has written them.
    public mutating func advance(by m: Int) throws { try advance(Self.single(m)) }

    /// Marks the spans' rows as filled in their sequences, once every layer has written them.
    public mutating func advance(_ spans: [Span]) throws {
        try check(spans)
        for s in spans { counts[s.sequence] += s.rows }
    }

    /// The positions the spans' rows take, in row order (each sequence's count onward).
    public func positions(_ spans: [Span]) throws -> [Int] {
        try check(spans)
        return spans.flatMap { counts[$0.sequence]..<(counts[$0.sequence] + $0.rows) }
    }

    /// The attention segment of each span: its rows query the keys its sequence holds and its own, causally.
    public func segments(_ spans: [Span]) throws -> [AttentionSegment] {
        try check(spans)
        var first = 0
        return spans.map { s in
            defer { first += s.rows }
            let start = s.sequence * capacity
            return AttentionSegment(queries: first..<(first + s.rows), keys: [start..<(start + counts[s.sequence] + s.rows)])
        }
    }

    /// Writes `key` and `value` (`[m, width]` each, m the spans' total rows) for `layer` at the spans' positions.
    mutating func write(layer: Int, key: Tensor, value: Tensor, spans: [Span]) throws {
        guard key.shape == value.shape else {
            throw NNError.shapeMismatch("KVCache", "layer \(layer): keys and values \(Shape.describe(key.shape)), \(Shape.describe(value.shape)) do not fit the cache")
        }
        try write(layer: layer, keys: key, keyColumn: 0, values: value, valueColumn: 0, spans: spans)
    }

    /// Writes the keys and values of the spans' rows (m in all) for `layer` at their positions: columns
    /// `keyColumn ..< keyColumn + width` of `keys` `[m, …]` and `valueColumn ..<` of `values` — one tensor of fused
    /// `[q | k | v]` rows may be both, nothing is copied out of it first.
    mutating func write(layer: Int, keys key: Tensor, keyColumn: Int, values value: Tensor, valueColumn: Int,
                        spans: [Span]) throws {
        let m = key.shape.first ?? 0
        let width = element == .float32 ? (layer >= 0 && layer < keys.count ? keys[layer].shape[1] : -1)
                                        : (layer >= 0 && layer < halfKeys.count ? halfKeys[layer].columns : -1)
        let dtype = element == .float32 && layer >= 0 && layer < keys.count ? keys[layer].dtype : .float32
        guard width > 0, key.rank == 2, value.rank == 2, value.shape[0] == m, key.dtype == dtype, value.dtype == dtype,
              keyColumn >= 0, keyColumn + width <= key.shape[1], valueColumn >= 0, valueColumn + width <= value.shape[1],
              spans.reduce(0, { $0 + $1.rows }) == m else {
            throw NNError.shapeMismatch("KVCache", "layer \(layer): keys and values \(Shape.describe(key.shape)), \(Shape.describe(value.shape)) do not fit the cache")
        }
        try check(spans)
        var first = 0
        for s in spans {
            let at = s.sequence * capacity + counts[s.sequence]
            if element == .float16 {
                try halfKeys[layer].write(key, fromRow: first, count: s.rows, column: keyColumn, at: at)
                try halfValues[layer].write(value, fromRow: first, count: s.rows, column: valueColumn, at: at)
            } else {
                try keys[layer].assign(key, rows: at..<(at + s.rows), fromRow: first, column: keyColumn)
                try values[layer].assign(value, rows: at..<(at + s.rows), fromRow: first, column: valueColumn)
            }
            first += s.rows
        }
    }

    /// Throws unless every span names a sequence of the cache, no sequence twice, within its capacity.
    private func check(_ spans: [Span]) throws {
        var seen = Set<Int>()
        for s in spans {
            guard s.sequence >= 0, s.sequence < sequences, s.rows >= 0, seen.insert(s.sequence).inserted else {
                throw NNError.invalidArgument("KVCache", "span for sequence \(s.sequence) (\(s.rows) rows) does not fit a cache of \(sequences) sequences")
            }
            guard counts[s.sequence] + s.rows <= capacity else {
                throw NNError.invalidArgument("KVCache", "\(counts[s.sequence] + s.rows) positions exceed the capacity of \(capacity)")
            }
        }
    }
}
