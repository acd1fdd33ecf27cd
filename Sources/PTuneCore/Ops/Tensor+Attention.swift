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

/// One block of causal attention over packed rows: the query rows `queries` attend to the key rows obtained by
/// concatenating the ranges `keys`, with the queries aligned to the end of the keys — query `j` (counted from the
/// segment's first query) sees keys `0 ... keyCount − queryCount + j`.
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

    /// The number of keys the segment's last query sees.
    public var keyCount: Int { keys.reduce(0) { $0 + $1.count } }
}

/// Fused causal grouped-query attention: `softmax(Q Kᵀ / √d + causal mask) V` per segment and head, one kernel
/// forward and one backward, saving only the probabilities besides the inputs.
extension Tensor {
    /// Attention on fused `[q | k | v]` rows: `qkv` has shape `[N, (heads + 2·kvHeads) · headDim]` (query heads, then
    /// key heads, then value heads); the result is `[N, heads · headDim]`, zero on rows no segment queries.
    ///
    /// Backward: `dP = dO Vᵀ`, `dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √d`, `dQ = dS K`, `dK = dSᵀ Q`, `dV = Pᵀ dO`, into one
    /// `[N, …]` gradient laid out as the input.
    public static func causalAttention(qkv: Tensor, heads: AttentionHeads, segments: [AttentionSegment]) throws -> Tensor {
        let qw = heads.queryWidth, kw = heads.kvWidth, width = qw + 2 * kw
        guard qkv.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .attention, qkv.dtype) }
        guard qkv.rank == 2, qkv.shape[1] == width else {
            throw TensorError.shapeMismatch(op: .attention, "fused q|k|v rows must be [N, \(width)], got \(Shape.describe(qkv.shape))")
        }
        let n = qkv.shape[0]
        try checkSegments(segments, queryRows: n, keyRows: n)
        let x = qkv.detached()
        let (out, probs) = try attentionForward(x, qOffset: 0, qStride: width, x, kOffset: qw, kStride: width,
                                                x, vOffset: qw + kw, vStride: width, heads: heads, segments: segments)
        return Tensor.record("attention", out, qkv, { g in
            let grad = try Tensor.zeros([n, width], dtype: g.dtype)
            try attentionBackward(g, probs: probs, q: (x, 0, width), k: (x, qw, width), v: (x, qw + kw, width),
                                  dq: (grad, 0, width), dk: (grad, qw, width), dv: (grad, qw + kw, width),
                                  heads: heads, segments: segments)
            return grad
        })
    }

    /// Attention on separate tensors: `query` `[Nq, heads · headDim]`, `key` and `value` `[Nk, kvHeads · headDim]`;
    /// segments index query rows in `query` and key rows in `key`/`value`. The result is `[Nq, heads · headDim]`.
    public static func causalAttention(query: Tensor, key: Tensor, value: Tensor, heads: AttentionHeads,
                                       segments: [AttentionSegment]) throws -> Tensor {
        let qw = heads.queryWidth, kw = heads.kvWidth
        guard query.dtype.isFloatingPoint else { throw TensorError.unsupportedDType(op: .attention, query.dtype) }
        guard key.dtype == query.dtype, value.dtype == query.dtype else {
            throw TensorError.dtypeMismatch(op: .attention, query.dtype, key.dtype == query.dtype ? value.dtype : key.dtype)
        }
        guard query.rank == 2, query.shape[1] == qw, key.rank == 2, key.shape[1] == kw, value.shape == key.shape else {
            throw TensorError.shapeMismatch(op: .attention, "expected query [N, \(qw)] and key, value [M, \(kw)], got \(Shape.describe(query.shape)), \(Shape.describe(key.shape)), \(Shape.describe(value.shape))")
        }
        let nq = query.shape[0], nk = key.shape[0]
        try checkSegments(segments, queryRows: nq, keyRows: nk)
        let q = query.detached(), k = key.detached(), v = value.detached()
        let (out, probs) = try attentionForward(q, qOffset: 0, qStride: qw, k, kOffset: 0, kStride: kw,
                                                v, vOffset: 0, vStride: kw, heads: heads, segments: segments)
        return Tensor.record("attention", out, inputs: [query, key, value], { g, needs in
            let dq = needs[0] ? try Tensor.zeros([nq, qw], dtype: g.dtype) : nil
            let dk = needs[1] ? try Tensor.zeros([nk, kw], dtype: g.dtype) : nil
            let dv = needs[2] ? try Tensor.zeros([nk, kw], dtype: g.dtype) : nil
            try attentionBackward(g, probs: probs, q: (q, 0, qw), k: (k, 0, kw), v: (v, 0, kw),
                                  dq: dq.map { ($0, 0, qw) }, dk: dk.map { ($0, 0, kw) }, dv: dv.map { ($0, 0, kw) },
                                  heads: heads, segments: segments)
            return [dq, dk, dv]
        })
    }

    /// Query ranges inside the query rows and disjoint; key ranges inside the key rows; at least as many keys as
    /// queries in each segment (so every query sees a key).
    private static func checkSegments(_ segments: [AttentionSegment], queryRows: Int, keyRows: Int) throws {
        for (i, s) in segments.enumerated() {
            guard s.queries.lowerBound >= 0, s.queries.upperBound <= queryRows else {
                throw TensorError.invalidArgument(op: .attention, "segment \(i): query rows \(s.queries) outside 0..<\(queryRows)")
            }
            for r in s.keys where r.lowerBound < 0 || r.upperBound > keyRows {
                throw TensorError.invalidArgument(op: .attention, "segment \(i): key rows \(r) outside 0..<\(keyRows)")
            }
            guard s.keyCount >= s.queries.count else {
                throw TensorError.invalidArgument(op: .attention, "segment \(i): \(s.queries.count) queries but only \(s.keyCount) keys")
            }
        }
        let sorted = segments.map(\.queries).filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.upperBound > b.lowerBound {
            throw TensorError.invalidArgument(op: .attention, "query rows \(a) and \(b) overlap")
        }
    }

    /// Runs the forward kernel; returns the output and the saved probabilities.
    private static func attentionForward(_ q: Tensor, qOffset: Int, qStride: Int, _ k: Tensor, kOffset: Int, kStride: Int,
                                         _ v: Tensor, vOffset: Int, vStride: Int, heads: AttentionHeads,
                                         segments: [AttentionSegment]) throws -> (Tensor, Tensor) {
        let nq = q.shape[0], qw = heads.queryWidth
        var out = try Tensor.zeros([nq, qw], dtype: q.dtype)
        let slab = segments.reduce(0) { $0 + $1.queries.count * $1.keyCount }
        var probs = try Tensor(uninitialized: [heads.heads * slab], dtype: q.dtype)
        func run<T: TensorFloat>(_: T.Type) {
            typealias K = AttentionKernel<T>
            let kernel = K(heads: heads, segments: segments)
            kernel.forward(q: K.Rows(base: q.storage.typed(T.self) + qOffset, stride: qStride),
                           k: K.Rows(base: k.storage.typed(T.self) + kOffset, stride: kStride),
                           v: K.Rows(base: v.storage.typed(T.self) + vOffset, stride: vStride),
                           out: K.Rows(base: out.storage.typed(T.self), stride: qw), probs: probs.storage.typed(T.self))
        }
        if q.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        out.node = nil
        probs.node = nil
        return (out, probs)
    }

    /// Runs the backward kernel into the zero-initialised gradient buffers given (tensor, column offset, row stride).
    private static func attentionBackward(_ g: Tensor, probs: Tensor, q: (Tensor, Int, Int), k: (Tensor, Int, Int),
                                          v: (Tensor, Int, Int), dq: (Tensor, Int, Int)?, dk: (Tensor, Int, Int)?,
                                          dv: (Tensor, Int, Int)?, heads: AttentionHeads,
                                          segments: [AttentionSegment]) throws {
        func run<T: TensorFloat>(_: T.Type) {
            typealias K = AttentionKernel<T>
            func rows(_ t: (Tensor, Int, Int)) -> K.Rows { K.Rows(base: t.0.storage.typed(T.self) + t.1, stride: t.2) }
            K(heads: heads, segments: segments).backward(
                q: rows(q), k: rows(k), v: rows(v), probs: probs.storage.typed(T.self),
                dOut: K.Rows(base: g.storage.typed(T.self), stride: heads.queryWidth),
                dq: dq.map(rows), dk: dk.map(rows), dv: dv.map(rows))
        }
        if g.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }
}
