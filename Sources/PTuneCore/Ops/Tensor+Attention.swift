/// How the heads of a grouped-query attention layer are arranged: `heads` query heads share `kvHeads` key/value
/// heads (each KV head serves `heads / kvHeads` consecutive query heads), every head `headDim` wide.
public struct AttentionHeads: Sendable, Equatable {
    /// The number of query heads.
    public let heads: Int
    /// The number of key/value heads (divides `heads`).
    public let kvHeads: Int
    /// The width of one head.
    public let headDim: Int

    /// Checks that all three are positive and that `kvHeads` divides `heads`.
    public init(heads: Int, kvHeads: Int, headDim: Int) throws {
        guard heads > 0, kvHeads > 0, headDim > 0, heads % kvHeads == 0 else {
            throw TensorError.invalidArgument(op: .attention, "need positive heads divisible by kv heads, got \(heads) heads, \(kvHeads) kv heads, width \(headDim)")
        }
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
    }

    /// Columns of a query (or output) row: `heads · headDim`.
    public var queryWidth: Int { heads * headDim }
    /// Columns of a key or value row: `kvHeads · headDim`.
    public var kvWidth: Int { kvHeads * headDim }
}

/// One block of attention over packed rows: the query rows `queries` attend to the key rows obtained by
/// concatenating the ranges `keys`. Under a causal mask the queries are aligned to the end of the keys — query `j`
/// (counted from the segment's first query) sees keys `0 ... keyCount − queryCount + j`; otherwise every query sees
/// every key.
///
/// A batch of sequences packed one after another is one segment per sequence with `keys == [queries]`; a prefix
/// shared by all sequences (virtual tokens) is its own segment, and every sequence lists the prefix rows before its
/// own; a decoding step with a KV cache is one segment whose keys are the cached rows plus the new ones.
public struct AttentionSegment: Sendable, Equatable {
    /// The query (and output) rows.
    public var queries: Range<Int>
    /// The key/value rows, in order.
    public var keys: [Range<Int>]

    /// A segment of `queries` attending to `keys`.
    public init(queries: Range<Int>, keys: [Range<Int>]) {
        self.queries = queries
        self.keys = keys
    }

    /// The number of keys the segment's queries score.
    public var keyCount: Int { keys.reduce(0) { $0 + $1.count } }
}

/// Which of its segment's keys a query may attend to.
public struct AttentionMask: Sendable, Equatable {
    /// Whether a query sees only the keys up to its own position (its segment's queries aligned to the end of the
    /// segment's keys); otherwise it sees all of them.
    public var isCausal: Bool
    /// `keyPadding[r]` is true where key row `r` is padding, never attended to (nil: no padding).
    public var keyPadding: [Bool]?
    /// A sliding window (causal masks only): a query sees only the keys fewer than `window` positions before it,
    /// itself included. Positions count along the keys a query scores — the KV prefix first, then its segment's
    /// key ranges in order — which is the sequence position in every packing ptune builds. Nil: no window.
    public var window: Int?

    /// A mask from its parts.
    public init(causal: Bool, keyPadding: [Bool]? = nil, window: Int? = nil) {
        isCausal = causal
        self.keyPadding = keyPadding
        self.window = window
    }

    /// Causal, no padding (a decoder).
    public static let causal = AttentionMask(causal: true)
    /// Every key visible (an encoder without padding).
    public static let bidirectional = AttentionMask(causal: false)
}

/// How attention scores are formed from the query–key products `q·k`: `s = q·k · scale`, then, with a soft cap `c`,
/// `s ← c · tanh(s / c)` (Gemma 2's attention logit soft-capping), before the mask and the softmax.
public struct AttentionScoring: Sendable, Equatable {
    /// The factor on `q·k`; nil for `1/√headDim`.
    public var scale: Double?
    /// The soft cap, or nil for none.
    public var softCap: Double?

    /// A scoring from its parts.
    public init(scale: Double? = nil, softCap: Double? = nil) {
        self.scale = scale
        self.softCap = softCap
    }

    /// `q·k / √headDim`, uncapped.
    public static let standard = AttentionScoring()
}

/// Keys and values every query attends to before its segment's keys, whatever the mask: the per-layer trainable
/// vectors of prefix tuning (P-tuning v2). Both are `[P, kvHeads · headDim]` rows used as given (no rotary
/// embedding) and get gradients like any other input.
public struct KVPrefix: Sendable {
    /// The prefix keys, `[P, kvHeads · headDim]`.
    public var key: Tensor
    /// The prefix values, `[P, kvHeads · headDim]`.
    public var value: Tensor

    /// A prefix of `key` and `value` rows (same shape: checked by the attention that uses it).
    public init(key: Tensor, value: Tensor) {
        self.key = key
        self.value = value
    }

    /// The number of prefix rows P.
    public var count: Int { key.shape.first ?? 0 }
}

/// Scaled dot-product attention with grouped-query heads, causal or bidirectional masks, key padding and an optional
/// KV prefix, on packed rows: one kernel forward and one backward (``AttentionKernel``), saving only the
/// probabilities besides the inputs; the backward computes only the gradients asked for.
extension Tensor {
    /// Attention on fused `[q | k | v]` rows: `qkv` has shape `[N, (heads + 2·kvHeads) · headDim]` (query heads, then
    /// key heads, then value heads); segments index its rows for queries and keys alike. The result is
    /// `[N, heads · headDim]`, zero on rows no segment queries:
    /// ```
    /// O = softmax(Q [Kₚ; K]ᵀ / √headDim + mask) [Vₚ; V]        per segment and query head (Kₚ, Vₚ: the prefix)
    /// ```
    public static func attention(qkv: Tensor, heads: AttentionHeads, segments: [AttentionSegment],
                                 mask: AttentionMask, scoring: AttentionScoring = .standard,
                                 prefix: KVPrefix? = nil) throws -> Tensor {
        let qw = heads.queryWidth, kw = heads.kvWidth, width = qw + 2 * kw
        guard qkv.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .attention, qkv.dtype) }
        guard qkv.rank == 2, qkv.shape[1] == width else {
            throw TensorError.shapeMismatch(op: .attention, "fused q|k|v rows must be [N, \(width)], got \(Shape.describe(qkv.shape))")
        }
        let n = qkv.shape[0]
        try check(segments, mask: mask, scoring: scoring, prefix: prefix, dtype: qkv.dtype, heads: heads, queryRows: n, keyRows: n)
        let x = qkv.detached()
        let layout = AttentionLayout(heads: heads, segments: segments, mask: mask, scoring: scoring, prefix: prefix.map(detached))
        let (out, probs) = try layout.forward(q: (x, 0, width), k: (x, qw, width), v: (x, qw + kw, width), queryRows: n)
        return Tensor.record("attention", out, inputs: [qkv] + (prefix.map { [$0.key, $0.value] } ?? []), { g, needs in
            let grad = needs[0] ? try Tensor.zeros([n, width], dtype: g.dtype) : nil
            let (gk, gv) = try layout.backward(g, probs: probs, q: (x, 0, width), k: (x, qw, width), v: (x, qw + kw, width),
                                               dq: grad.map { ($0, 0, width) }, dk: grad.map { ($0, qw, width) },
                                               dv: grad.map { ($0, qw + kw, width) },
                                               prefixNeeds: (needs[1], needs[2]))
            return [grad, gk, gv]
        })
    }

    /// Attention on separate tensors: `query` `[Nq, heads · headDim]`, `key` and `value` `[Nk, kvHeads · headDim]`;
    /// segments index query rows in `query` and key rows in `key`/`value`, and `mask.keyPadding` has one entry per
    /// key row. The result is `[Nq, heads · headDim]` (see ``attention(qkv:heads:segments:mask:prefix:)``).
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: AttentionHeads,
                                 segments: [AttentionSegment], mask: AttentionMask, scoring: AttentionScoring = .standard,
                                 prefix: KVPrefix? = nil) throws -> Tensor {
        let qw = heads.queryWidth, kw = heads.kvWidth
        guard query.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .attention, query.dtype) }
        guard key.dtype == query.dtype, value.dtype == query.dtype else {
            throw TensorError.dtypeMismatch(op: .attention, query.dtype, key.dtype == query.dtype ? value.dtype : key.dtype)
        }
        guard query.rank == 2, query.shape[1] == qw, key.rank == 2, key.shape[1] == kw, value.shape == key.shape else {
            throw TensorError.shapeMismatch(op: .attention, "expected query [N, \(qw)] and key, value [M, \(kw)], got \(Shape.describe(query.shape)), \(Shape.describe(key.shape)), \(Shape.describe(value.shape))")
        }
        let nq = query.shape[0], nk = key.shape[0]
        try check(segments, mask: mask, scoring: scoring, prefix: prefix, dtype: query.dtype, heads: heads, queryRows: nq, keyRows: nk)
        let q = query.detached(), k = key.detached(), v = value.detached()
        let layout = AttentionLayout(heads: heads, segments: segments, mask: mask, scoring: scoring, prefix: prefix.map(detached))
        let (out, probs) = try layout.forward(q: (q, 0, qw), k: (k, 0, kw), v: (v, 0, kw), queryRows: nq)
        let inputs = [query, key, value] + (prefix.map { [$0.key, $0.value] } ?? [])
        return Tensor.record("attention", out, inputs: inputs, { g, needs in
            let dq = needs[0] ? try Tensor.zeros([nq, qw], dtype: g.dtype) : nil
            let dk = needs[1] ? try Tensor.zeros([nk, kw], dtype: g.dtype) : nil
            let dv = needs[2] ? try Tensor.zeros([nk, kw], dtype: g.dtype) : nil
            let (gk, gv) = try layout.backward(g, probs: probs, q: (q, 0, qw), k: (k, 0, kw), v: (v, 0, kw),
                                               dq: dq.map { ($0, 0, qw) }, dk: dk.map { ($0, 0, kw) },
                                               dv: dv.map { ($0, 0, kw) }, prefixNeeds: (needs[3], needs[4]))
            return [dq, dk, dv, gk, gv]
        })
    }

    private static func detached(_ p: KVPrefix) -> KVPrefix { KVPrefix(key: p.key.detached(), value: p.value.detached()) }

    /// Query ranges inside the query rows and disjoint; key ranges inside the key rows; under a causal mask at least
    /// as many keys as queries in each segment (so every query sees a key); padding flags for every key row; a
    /// prefix of two `[P, kvWidth]` tensors of the inputs' dtype.
    private static func check(_ segments: [AttentionSegment], mask: AttentionMask, scoring: AttentionScoring,
                              prefix: KVPrefix?, dtype: DType, heads: AttentionHeads, queryRows: Int, keyRows: Int) throws {
        if let w = mask.window {
            guard mask.isCausal, w > 0 else {
                throw TensorError.invalidArgument(op: .attention, "a sliding window needs a causal mask and a positive width, got \(w)")
            }
        }
        for v in [scoring.scale, scoring.softCap].compactMap({ $0 }) where !(v > 0 && v.isFinite) {
            throw TensorError.invalidArgument(op: .attention, "the score scale and soft cap must be positive, got \(v)")
        }
        for (i, s) in segments.enumerated() {
            guard s.queries.lowerBound >= 0, s.queries.upperBound <= queryRows else {
                throw TensorError.invalidArgument(op: .attention, "segment \(i): query rows \(s.queries) outside 0..<\(queryRows)")
            }
            for r in s.keys where r.lowerBound < 0 || r.upperBound > keyRows {
                throw TensorError.invalidArgument(op: .attention, "segment \(i): key rows \(r) outside 0..<\(keyRows)")
            }
            guard !mask.isCausal || s.keyCount >= s.queries.count else {
                throw TensorError.invalidArgument(op: .attention, "segment \(i): \(s.queries.count) queries but only \(s.keyCount) keys")
            }
        }
        let sorted = segments.map(\.queries).filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.upperBound > b.lowerBound {
            throw TensorError.invalidArgument(op: .attention, "query rows \(a) and \(b) overlap")
        }
        if let pad = mask.keyPadding, pad.count != keyRows {
            throw TensorError.shapeMismatch(op: .attention, "\(pad.count) key padding flags for \(keyRows) key rows")
        }
        if let prefix {
            let kw = heads.kvWidth
            guard prefix.key.rank == 2, prefix.key.shape[1] == kw, prefix.value.shape == prefix.key.shape else {
                throw TensorError.shapeMismatch(op: .attention, "prefix keys and values must both be [P, \(kw)], got \(Shape.describe(prefix.key.shape)) and \(Shape.describe(prefix.value.shape))")
            }
            guard prefix.key.dtype == dtype, prefix.value.dtype == dtype else {
                throw TensorError.dtypeMismatch(op: .attention, dtype, prefix.key.dtype == dtype ? prefix.value.dtype : prefix.key.dtype)
            }
        }
    }
}

/// One attention call's shapes and masks, running ``AttentionKernel`` on (tensor, column offset, row stride) views.
private struct AttentionLayout {
    typealias View = (tensor: Tensor, offset: Int, stride: Int)
    let heads: AttentionHeads
    let segments: [AttentionSegment]
    let mask: AttentionMask
    let scoring: AttentionScoring
    let prefix: KVPrefix?

    /// The output `[queryRows, heads · headDim]` and the saved probabilities.
    func forward(q: View, k: View, v: View, queryRows: Int) throws -> (Tensor, Tensor) {
        let out = try Tensor.zeros([queryRows, heads.queryWidth], dtype: q.tensor.dtype)
        let p = prefix?.count ?? 0
        let slab = segments.reduce(0) { $0 + $1.queries.count * (p + $1.keyCount) }
        // With a soft cap, the capped scores' tanh follows the probabilities (the backward needs 1 − tanh²).
        let probs = try Tensor(uninitialized: [heads.heads * slab * (scoring.softCap == nil ? 1 : 2)], dtype: q.tensor.dtype)
        func run<T: TensorFloat>(_: T.Type) {
            typealias K = AttentionKernel<T>
            func rows(_ v: View) -> K.Rows { K.Rows(base: v.tensor.storage.typed(T.self) + v.offset, stride: v.stride) }
            let kw = heads.kvWidth
            K(heads: heads, segments: segments, mask: mask, scoring: scoring, prefixCount: p).forward(
                q: rows(q), k: rows(k), v: rows(v),
                prefix: prefix.map { (rows(($0.key, 0, kw)), rows(($0.value, 0, kw))) },
                out: rows((out, 0, heads.queryWidth)), probs: probs.storage.typed(T.self))
        }
        if q.tensor.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (out, probs)
    }

    /// Accumulates the gradients asked for into the zero-initialised views `dq`, `dk`, `dv`; returns the prefix's
    /// key and value gradients when `prefixNeeds` asks for them.
    func backward(_ g: Tensor, probs: Tensor, q: View, k: View, v: View, dq: View?, dk: View?, dv: View?,
                  prefixNeeds: (key: Bool, value: Bool)) throws -> (Tensor?, Tensor?) {
        let kw = heads.kvWidth
        let gk = prefix != nil && prefixNeeds.key ? try Tensor.zeros([prefix?.count ?? 0, kw], dtype: g.dtype) : nil
        let gv = prefix != nil && prefixNeeds.value ? try Tensor.zeros([prefix?.count ?? 0, kw], dtype: g.dtype) : nil
        func run<T: TensorFloat>(_: T.Type) {
            typealias K = AttentionKernel<T>
            func rows(_ v: View) -> K.Rows { K.Rows(base: v.tensor.storage.typed(T.self) + v.offset, stride: v.stride) }
            K(heads: heads, segments: segments, mask: mask, scoring: scoring, prefixCount: prefix?.count ?? 0).backward(
                q: rows(q), k: rows(k), v: rows(v),
                prefix: prefix.map { (rows(($0.key, 0, kw)), rows(($0.value, 0, kw))) },
                probs: probs.storage.typed(T.self), dOut: rows((g, 0, heads.queryWidth)),
                dq: dq.map(rows), dk: dk.map(rows), dv: dv.map(rows),
                dPrefixK: gk.map { rows(($0, 0, kw)) }, dPrefixV: gv.map { rows(($0, 0, kw)) })
        }
        if g.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (gk, gv)
    }
}
