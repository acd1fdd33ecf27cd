import CPTuneKernels

/// Attention of one query row per sequence over that sequence's rows in a KV cache (a decoding step), fused: per
/// sequence and KV head, the scores of the head's query heads against the visible keys (KV prefix first, then the
/// cached rows, read in place as float32 or binary16 and widened in registers), a softmax in place, and the weighted
/// sum of the value rows straight into the output, with no intermediate tensor:
/// ```
/// sᶜ = cap(q · kᶜ · scale)    p = softmax(s) over the visible keys    o = Σᶜ pᶜ vᶜ
/// ```
/// The visible keys are the prefix and every cached row of the sequence (the new row's own key written last),
/// except, with a sliding window `w`, the ones `w` or more positions before the query (positions count along the
/// prefix, then the cached rows, as ``AttentionMask/window`` says). The softmax is the general kernel's
/// (``AttentionKernel``), so the two agree to float rounding in the products' summation order.
struct CachedAttentionKernel {
    /// Rows of keys or values: `base` points at row 0, column 0; rows are `stride` elements apart, each element a
    /// float32 or (with `half`) an IEEE binary16.
    struct Rows {
        let base: UnsafeRawPointer
        let half: Bool
        let stride: Int

        /// The address of element (`row`, `column`).
        @inline(__always) func at(_ row: Int, _ column: Int) -> UnsafeRawPointer {
            base + (row * stride + column) * (half ? 2 : 4)
        }
    }

    let heads: AttentionHeads
    let scale: Float
    let softCap: Float?
    let window: Int?
    let level: KernelLevel

    init(heads: AttentionHeads, scoring: AttentionScoring, window: Int?, level: KernelLevel = .detected) {
        self.heads = heads
        scale = scoring.scale.map { Float($0) } ?? 1 / Float(heads.headDim).squareRoot()
        softCap = scoring.softCap.map { Float($0) }
        self.window = window
        self.level = level
    }

    /// Writes the attention of query row `i` (`q + i·qStride`, query heads side by side) over the prefix rows and
    /// cache rows `keyRows[i]` to output row `i` (`out + i·heads.queryWidth`, every column written).
    func run(q: UnsafePointer<Float>, qStride: Int, keyRows: [Range<Int>], keys: Rows, values: Rows,
             prefix: (keys: Rows, values: Rows, count: Int)?, out: UnsafeMutablePointer<Float>) {
        let hd = heads.headDim, group = heads.heads / heads.kvHeads, p = prefix?.count ?? 0
        let widest = p + (keyRows.map(\.count).max() ?? 0)
        let items = keyRows.count * heads.kvHeads
        let work = keyRows.reduce(0) { $0 + (p + $1.count) } * heads.heads * hd * 2
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, items * group * widest))
        defer { scores.deallocate() }
        Parallel.forEach(items, parallel: work >= Self.parallelWork) { item in
            let i = item / heads.kvHeads, g = item % heads.kvHeads, rows = keyRows[i]
            let qh = q + i * qStride + g * group * hd, oh = out + i * heads.queryWidth + g * group * hd
            let ld = p + rows.count, s = scores + item * group * widest
            oh.update(repeating: 0, count: group * hd)
            let first = window.map { Swift.max(0, ld - $0) } ?? 0
            guard first < ld else { return }
            // Scores of the visible columns first..<ld: the prefix's, then the cached rows'.
            if let prefix, first < p {
                ptk_attention_scores(Int32(level.rawValue), qh, hd, group, prefix.keys.at(first, g * hd), 0,
                                     prefix.keys.stride, p - first, hd, s + first, ld)
            }
            let c0 = Swift.max(first, p)
            ptk_attention_scores(Int32(level.rawValue), qh, hd, group, keys.at(rows.lowerBound + c0 - p, g * hd),
                                 keys.half ? 1 : 0, keys.stride, ld - c0, hd, s + c0, ld)
            for j in 0..<group { softmax(s + j * ld + first, count: ld - first) }
            if let prefix, first < p {
                ptk_attention_values(Int32(level.rawValue), s + first, ld, group, prefix.values.at(first, g * hd), 0,
                                     prefix.values.stride, p - first, hd, oh, hd)
            }
            ptk_attention_values(Int32(level.rawValue), s + c0, ld, group, values.at(rows.lowerBound + c0 - p, g * hd),
                                 values.half ? 1 : 0, values.stride, ld - c0, hd, oh, hd)
        }
    }

    /// Below this many multiply-adds a call runs on the calling thread.
    static let parallelWork = 1 << 17

    /// The softmax of `count` scores in place, after the scale and the soft cap, as ``AttentionKernel`` computes it.
    @inline(__always)
    private func softmax(_ r: UnsafeMutablePointer<Float>, count n: Int) {
        for j in 0..<n { r[j] *= scale }
        if let softCap { for j in 0..<n { r[j] = softCap * Float.tanh(r[j] / softCap) } }
        var m = -Float.infinity
        for j in 0..<n where r[j] > m { m = r[j] }
        guard m > -Float.infinity else { r.update(repeating: 0, count: n); return }
        for j in 0..<n { r[j] -= m }
        FastMath.expInPlace(r, count: n)
        let inv = 1 / Summation.sum(UnsafePointer(r), count: n)
        for j in 0..<n { r[j] *= inv }
    }
}
