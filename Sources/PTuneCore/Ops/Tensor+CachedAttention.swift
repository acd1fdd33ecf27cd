/// The keys or values of one layer of a KV cache as attention reads them, in place: float32 rows of a tensor, or
/// binary16 rows (a float16 cache).
public enum CachedRows: Sendable {
    /// A float32 tensor `[rows, kvHeads · headDim]`.
    case float(Tensor)
    /// Binary16 rows of `kvHeads · headDim` columns.
    case half(HalfRows)

    /// The number of rows.
    public var rows: Int {
        switch self {
        case let .float(t): return t.shape.first ?? 0
        case let .half(h): return h.rows
        }
    }

    /// The number of columns.
    public var columns: Int {
        switch self {
        case let .float(t): return t.rank == 2 ? t.shape[1] : 0
        case let .half(h): return h.columns
        }
    }
}

/// Attention of a decoding step over a KV cache: one fused kernel (``CachedAttentionKernel``) reading the cache in
/// place, for inference (no gradient).
extension Tensor {
    /// The attention of each row of `query` (float32 `[m, w]`, its first `heads · headDim` columns the query heads,
    /// so fused `[q | k | v]` rows serve as they are) over the KV `prefix` (if given) and then the cache rows
    /// `keyRows[i]` of `keys` and `values` (row i's own key among them, last), causally — every one of those keys is
    /// visible — within the sliding `window` if given:
    /// ```
    /// Oᵢ = softmax(cap(qᵢ [Kₚ; K[keyRowsᵢ]]ᵀ · scale)) [Vₚ; V[keyRowsᵢ]]     per query head, its KV head's keys
    /// ```
    /// The result is `[m, heads · headDim]`: the same values as ``attention(query:key:value:heads:segments:mask:scoring:prefix:)``
    /// with one segment per row, to float rounding. Nothing is recorded: it throws when a gradient would be needed
    /// (recording on and the query or the prefix requiring one). `level` chooses the kernels' instruction set (the
    /// CPU's best by default).
    public static func cachedAttention(query: Tensor, keys: CachedRows, values: CachedRows, heads: AttentionHeads,
                                       keyRows: [Range<Int>], window: Int? = nil, scoring: AttentionScoring = .standard,
                                       prefix: KVPrefix? = nil, level: KernelLevel = .detected) throws -> Tensor {
        let qw = heads.queryWidth, kw = heads.kvWidth
        guard query.dtype == .float32 else { throw TensorError.dtypeMismatch(op: .attention, .float32, query.dtype) }
        guard query.rank == 2, query.shape[1] >= qw, query.shape[0] == keyRows.count else {
            throw TensorError.shapeMismatch(op: .attention, "expected \(keyRows.count) query rows of at least \(qw) columns, got \(Shape.describe(query.shape))")
        }
        let needsGradient = query.requiresGrad || prefix.map { $0.key.requiresGrad || $0.value.requiresGrad } == true
        guard !(TensorContext.isRecording && needsGradient) else {
            throw TensorError.noGradient("attention over a KV cache is for inference: no gradient flows through it")
        }
        guard keys.columns == kw, values.columns == kw, keys.rows == values.rows else {
            throw TensorError.shapeMismatch(op: .attention, "cached keys and values must both be [rows, \(kw)], got \(keys.rows) × \(keys.columns) and \(values.rows) × \(values.columns)")
        }
        for case let .float(t) in [keys, values] where t.dtype != .float32 {
            throw TensorError.dtypeMismatch(op: .attention, .float32, t.dtype)
        }
        for r in keyRows where r.lowerBound < 0 || r.upperBound > keys.rows {
            throw TensorError.invalidArgument(op: .attention, "cache rows \(r) outside 0..<\(keys.rows)")
        }
        if let w = window, w <= 0 {
            throw TensorError.invalidArgument(op: .attention, "a sliding window needs a positive width, got \(w)")
        }
        for v in [scoring.scale, scoring.softCap].compactMap({ $0 }) where !(v > 0 && v.isFinite) {
            throw TensorError.invalidArgument(op: .attention, "the score scale and soft cap must be positive, got \(v)")
        }
        if let prefix {
            guard prefix.key.rank == 2, prefix.key.shape[1] == kw, prefix.value.shape == prefix.key.shape else {
                throw TensorError.shapeMismatch(op: .attention, "prefix keys and values must both be [P, \(kw)], got \(Shape.describe(prefix.key.shape)) and \(Shape.describe(prefix.value.shape))")
            }
            guard prefix.key.dtype == .float32, prefix.value.dtype == .float32 else {
                throw TensorError.dtypeMismatch(op: .attention, .float32, prefix.key.dtype == .float32 ? prefix.value.dtype : prefix.key.dtype)
            }
        }
        var out = try Tensor(uninitialized: [keyRows.count, qw], dtype: .float32)
        let kernel = CachedAttentionKernel(heads: heads, scoring: scoring, window: window, level: level)
        func rows(_ r: CachedRows) -> CachedAttentionKernel.Rows {
            switch r {
            case let .float(t): return .init(base: UnsafeRawPointer(t.storage.pointer), half: false, stride: kw)
            case let .half(h): return .init(base: h.rawPointer, half: true, stride: kw)
            }
        }
        let p = prefix.map { (keys: CachedAttentionKernel.Rows(base: UnsafeRawPointer($0.key.storage.pointer), half: false, stride: kw),
                              values: CachedAttentionKernel.Rows(base: UnsafeRawPointer($0.value.storage.pointer), half: false, stride: kw),
                              count: $0.count) }
        withExtendedLifetime((query, keys, values, prefix)) {
            kernel.run(q: query.storage.typed(Float.self), qStride: query.shape[1], keyRows: keyRows, keys: rows(keys),
                       values: rows(values), prefix: p, out: out.storage.typed(Float.self))
        }
        out.node = nil
        return out
    }
}
