import PTuneCore

/// Multi-head scaled dot-product attention with grouped-query heads (`kvHeads` key/value heads shared by `heads`
/// query heads), projections fused (`[q | k | v]`, one GEMM) or separate (each with or without a bias), optional
/// per-head RMS norms of queries and keys, optional rotary embeddings of queries and keys, an optional sliding
/// window, a score scale and soft cap, and an optional KV prefix:
/// ```
/// q | k | v = x · W_qkvᵀ + b_qkv                   (or x · W_qᵀ + b_q, …)
/// q, k ← rms_q(q), rms_k(k) per head                (Qwen 3, Gemma 3), then rotated by position when rotary
/// A = softmax(cap(q [kₚ; k]ᵀ · s)) over allowed keys  (s = 1/√headDim unless set; causal, window and padding masks)
/// y = (A [vₚ; v], heads concatenated) · W_oᵀ + b_o
/// ```
/// The core runs as one fused kernel (``PTuneCore/Tensor/attention(qkv:heads:segments:mask:scoring:prefix:)``): no
/// per-head copies, masked scores never exponentiated, a query with no allowed key gets zeros (never NaN). Rows are
/// packed (``AttentionContext``); the `[B, T, d]` forms pack a batch.
public final class MultiHeadAttention: Layer {
    /// The input projections.
    public enum Projection {
        /// One `[q | k | v]` projection, `[(heads + 2·kvHeads) · headDim, d]`.
        case fused(any LinearLayer)
        /// Separate query `[heads · headDim, d]`, key and value `[kvHeads · headDim, d]` projections.
        case separate(query: any LinearLayer, key: any LinearLayer, value: any LinearLayer)

        /// The projections' parameters, query before key before value.
        public var parameters: [Parameter] {
            switch self {
            case let .fused(l): return l.parameters
            case let .separate(q, k, v): return q.parameters + k.parameters + v.parameters
            }
        }
    }

    /// RMS normalisations of each query head and each key head over its `headDim` features (Qwen 3's and Gemma 3's
    /// `q_norm` and `k_norm`), applied before the rotation.
    public struct HeadNorms {
        /// The norm of every query head, gain `[headDim]`.
        public let query: RMSNorm
        /// The norm of every key head, gain `[headDim]`.
        public let key: RMSNorm

        /// The two norms.
        public init(query: RMSNorm, key: RMSNorm) {
            self.query = query
            self.key = key
        }

        /// The query norm's, then the key norm's parameters.
        public var parameters: [Parameter] { query.parameters + key.parameters }
    }

    /// The input projections.
    public let projection: Projection
    /// The output projection, `[d, heads · headDim]`.
    public let output: any LinearLayer
    /// The arrangement of query and key/value heads.
    public let heads: AttentionHeads
    /// Whether each position attends only to itself and earlier positions.
    public let isCausal: Bool
    /// How queries and keys are rotated by their positions (the context's table of this encoding), or nil.
    public let rotary: RotaryEncoding?
    /// The sliding window: a query sees only the `window` most recent positions, itself included (causal only).
    public let window: Int?
    /// How scores are scaled and capped.
    public let scoring: AttentionScoring
    /// The per-head norms of queries and keys, if any.
    public let headNorms: HeadNorms?

    /// Attention over the given projections (trainable ``Linear`` or frozen ``FrozenLinear`` layers), whose widths
    /// must fit `heads` (and the rotary encoding's and head norms' head width `heads.headDim`); a window needs a
    /// causal layer.
    public init(projection: Projection, output: any LinearLayer, heads: AttentionHeads, causal: Bool,
                rotary: RotaryEncoding? = nil, window: Int? = nil, scoring: AttentionScoring = .standard,
                headNorms: HeadNorms? = nil) throws {
        let qw = heads.queryWidth, kw = heads.kvWidth
        let widths: [Int]
        switch projection {
        case let .fused(l): widths = [l.outputSize - qw - 2 * kw]
        case let .separate(q, k, v): widths = [q.outputSize - qw, k.outputSize - kw, v.outputSize - kw, k.inputSize - q.inputSize, v.inputSize - q.inputSize]
        }
        guard widths.allSatisfy({ $0 == 0 }), output.inputSize == qw else {
            throw NNError.shapeMismatch("MultiHeadAttention", "projections do not fit \(heads.heads) query heads and \(heads.kvHeads) key/value heads of width \(heads.headDim)")
        }
        if let rotary, rotary.headDim != heads.headDim {
            throw NNError.shapeMismatch("MultiHeadAttention", "rotary embeddings of head width \(rotary.headDim) do not fit heads of width \(heads.headDim)")
        }
        if let headNorms, headNorms.query.weight.shape != [heads.headDim] || headNorms.key.weight.shape != [heads.headDim] {
            throw NNError.shapeMismatch("MultiHeadAttention", "query and key norms must have gains of the head width \(heads.headDim)")
        }
        if let window, !(causal && window > 0) {
            throw NNError.invalidArgument("MultiHeadAttention", "a sliding window needs a causal layer and a positive width, got \(window)")
        }
        self.projection = projection
        self.output = output
        self.heads = heads
        isCausal = causal
        self.rotary = rotary
        self.window = window
        self.scoring = scoring
        self.headNorms = headNorms
    }

    /// GPT-2's layout: attention over `dim` features in `heads` heads (`dim` a multiple of `heads`), a fused
    /// projection `qkv` (`Linear(d, 3d)`) and `proj` (`Linear(d, d)`), drawn from `g` in that order (PyTorch's init).
    public convenience init(dim: Int, heads: Int, causal: Bool = true, bias: Bool = true, dtype: DType = .float32,
                            using g: inout Generator) throws {
        guard dim > 0, heads > 0, dim % heads == 0 else {
            throw NNError.invalidArgument("MultiHeadAttention", "dim \(dim) must be a positive multiple of heads \(heads)")
        }
        let qkv = try Linear(dim, 3 * dim, bias: bias, dtype: dtype, using: &g)
        let proj = try Linear(dim, dim, bias: bias, dtype: dtype, using: &g)
        Naming.adopt(qkv.parameters, as: "qkv")
        Naming.adopt(proj.parameters, as: "proj")
        try self.init(projection: .fused(qkv), output: proj, heads: AttentionHeads(heads: heads, kvHeads: heads, headDim: dim / heads),
                      causal: causal)
    }

    /// The projections', the head norms' and the output's parameters.
    public var parameters: [Parameter] { projection.parameters + (headNorms?.parameters ?? []) + output.parameters }

    /// The model width the layer reads and writes.
    public var dim: Int { output.outputSize }

    /// Self-attention over `x` of shape `[B, T, d]` without a padding mask.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x, attentionMask: nil) }

    /// Self-attention over `x` `[B, T, d]`; `attentionMask` `[B, T]` marks real positions with 1 and padding with 0.
    public func forward(_ x: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard x.rank == 3, x.shape[2] == output.outputSize else {
            throw NNError.shapeMismatch("MultiHeadAttention", "expected input [batch, time, \(output.outputSize)], got \(Shape.describe(x.shape))")
        }
        let b = x.shape[0], t = x.shape[1]
        let context = try AttentionContext.batch(b, length: t, attentionMask: attentionMask)
        return try forward(rows: x.reshaped([b * t, x.shape[2]]), context: context).reshaped([b, t, output.outputSize])
    }

    /// Attention on packed rows `[N, d]` laid out by `context`, after the KV `prefix` if given; with `selecting`,
    /// only the selected rows query (every row still gives keys and values) and the result has their rows only.
    public func forward(rows x: Tensor, context: AttentionContext, prefix: KVPrefix? = nil,
                        selecting: RowSelection? = nil) throws -> Tensor {
        let mask = AttentionMask(causal: isCausal, keyPadding: context.keyPadding, window: window)
        let segments = selecting?.segments ?? context.segments
        let table = try rotary.map { try rotaryTable($0, context.rotary) }
        var attended: Tensor
        if case let .fused(l) = projection, headNorms == nil {
            var qkv = try l(x)
            if let table {
                qkv = try StageProfile.measure(StageProfile.StageName.rotary) { try qkv.rotaryEmbedding(table, heads: heads.heads + heads.kvHeads) }
            }
            attended = try StageProfile.measure(StageProfile.StageName.attention) {
                try Tensor.attention(qkv: qkv, heads: heads, segments: segments, mask: mask, scoring: scoring, prefix: prefix)
            }
        } else {
            let (q, k, v) = try queryKeyValue(x, rotary: table)
            attended = try StageProfile.measure(StageProfile.StageName.attention) {
                try Tensor.attention(query: q, key: k, value: v, heads: heads, segments: segments, mask: mask,
                                     scoring: scoring, prefix: prefix)
            }
        }
        if let selecting { attended = try attended.gatherRows(selecting.indices) }
        return try output(attended)
    }

    /// Attention of new rows `x` `[m, d]` that continue the cache's sequences as `spans` say (nil: all rows continue
    /// the first sequence; `tables` holds the rows' rotary tables when the layer rotates), each span over the keys and
    /// values `cache` holds for its sequence in `layer` and its own, causally and within the layer's window, after the
    /// KV `prefix` if given; their keys and values are written to the cache (which the caller advances after every
    /// layer has run).
    public func forward(rows x: Tensor, rotary tables: RotaryTables?, cache: inout KVCache, layer: Int,
                        spans: [KVCache.Span]? = nil, prefix: KVPrefix? = nil) throws -> Tensor {
        let spans = spans ?? KVCache.single(x.shape.first ?? 0)
        let table = try rotary.map { try rotaryTable($0, tables) }
        let qw = heads.queryWidth, kw = heads.kvWidth
        let attended: Tensor
        if case let .fused(l) = projection, headNorms == nil {
            // Fused rows serve as they are: the cache takes their key and value columns, attention their queries.
            var qkv = try l(x)
            if let table {
                qkv = try StageProfile.measure(StageProfile.StageName.rotary) { try qkv.rotaryEmbedding(table, heads: heads.heads + heads.kvHeads) }
            }
            try StageProfile.measure("KV cache write") {
                try cache.write(layer: layer, keys: qkv, keyColumn: qw, values: qkv, valueColumn: qw + kw, spans: spans)
            }
            attended = try StageProfile.measure("attention over the KV cache") {
                try cache.attention(layer: layer, query: qkv, spans: spans, heads: heads, window: window, scoring: scoring,
                                    prefix: prefix)
            }
        } else {
            let (q, k, v) = try queryKeyValue(x, rotary: table)
            try StageProfile.measure("KV cache write") { try cache.write(layer: layer, key: k, value: v, spans: spans) }
            attended = try StageProfile.measure("attention over the KV cache") {
                try cache.attention(layer: layer, query: q, spans: spans, heads: heads, window: window, scoring: scoring,
                                    prefix: prefix)
            }
        }
        return try output(attended)
    }

    /// The queries `[N, heads · headDim]`, keys and values `[N, kvHeads · headDim]` of rows `x`: head-normed when the
    /// layer has head norms, then queries and keys rotated when `rotary` is given.
    func queryKeyValue(_ x: Tensor, rotary: RotaryTable?) throws -> (Tensor, Tensor, Tensor) {
        let qw = heads.queryWidth, kw = heads.kvWidth
        var q: Tensor, k: Tensor, v: Tensor
        switch projection {
        case let .fused(l):
            var qkv = try l(x)
            if let rotary, headNorms == nil {
                qkv = try StageProfile.measure("rotary embedding") { try qkv.rotaryEmbedding(rotary, heads: heads.heads + heads.kvHeads) }
            }
            q = try qkv.narrowed(axis: 1, start: 0, length: qw)
            k = try qkv.narrowed(axis: 1, start: qw, length: kw)
            v = try qkv.narrowed(axis: 1, start: qw + kw, length: kw)
            if headNorms == nil { return (q, k, v) }
        case let .separate(ql, kl, vl):
            q = try ql(x)
            k = try kl(x)
            v = try vl(x)
        }
        if let headNorms {
            let n = x.shape.first ?? 0, hd = heads.headDim
            q = try headNorms.query(q.reshaped([n * heads.heads, hd])).reshaped([n, qw])
            k = try headNorms.key(k.reshaped([n * heads.kvHeads, hd])).reshaped([n, kw])
        }
        if let rotary {
            q = try q.rotaryEmbedding(rotary, heads: heads.heads)
            k = try k.rotaryEmbedding(rotary, heads: heads.kvHeads)
        }
        return (q, k, v)
    }

    /// The table of `encoding` among `tables`, which a rotating layer needs.
    private func rotaryTable(_ encoding: RotaryEncoding, _ tables: RotaryTables?) throws -> RotaryTable {
        guard let tables else {
            throw NNError.invalidArgument("MultiHeadAttention", "this layer rotates queries and keys but the context has no rotary table")
        }
        return try tables.table(for: encoding)
    }
}
