/// The compute of ``Tensor/attention(query:key:value:heads:segments:mask:scoring:prefix:)``: per segment and query
/// head (one work item), `S = Q [Kₚ; K]ᵀ · s` (s = 1/√d unless the scoring sets it) by BLAS over the prefix keys and
/// the segment's key ranges, optionally soft-capped (`S ← c · tanh(S / c)`), a masked softmax in place (causal,
/// sliding window, padding), `O = P [Vₚ; V]`; the backward reuses the saved probabilities `P` (and `T = tanh(S / c)`):
/// ```
/// dP = dO [Vₚ; V]ᵀ    dS = P ⊙ (dP − rowsum(P ⊙ dP)) · s (· (1 − T²))    dQ = dS [Kₚ; K]    d[Kₚ; K] = dSᵀ Q
/// d[Vₚ; V] = Pᵀ dO
/// ```
/// Work items run on separate threads while their products stay small enough for single-threaded BLAS calls.
/// Masked scores are never exponentiated; a query with no key to attend to gets zeros.
struct AttentionKernel<T: TensorFloat> {
    /// A matrix of rows in some buffer: element (r, c) of head-column block `c0 + c` is at `base[r * stride + c0 + c]`.
    struct Rows {
        var base: UnsafeMutablePointer<T>
        var stride: Int
    }

    let heads: AttentionHeads
    let segments: [AttentionSegment]
    let causal: Bool
    /// Per segment, whether each of its keys (in order) is padding; nil for a segment without padding.
    let padding: [[Bool]?]
    /// Rows of the KV prefix, seen by every query before its segment's keys.
    let prefixCount: Int
    /// Where each segment's probability block starts inside one head's slab, and the slab size.
    let offsets: [Int]
    let slab: Int
    let scale: T
    /// The soft cap of the scores, if any.
    let softCap: T?
    /// The sliding window, if any (see ``AttentionMask/window``).
    let window: Int?
    /// Whether every key row's gradient comes from one work item only (one query head per KV head, no prefix, no
    /// key row in two segments): then the backward writes it directly instead of reducing per-item partials.
    let keysDisjoint: Bool

    init(heads: AttentionHeads, segments: [AttentionSegment], mask: AttentionMask, scoring: AttentionScoring,
         prefixCount: Int) {
        self.heads = heads
        self.segments = segments
        causal = mask.isCausal
        window = mask.window
        self.prefixCount = prefixCount
        var o: [Int] = [], total = 0
        for s in segments { o.append(total); total += s.queries.count * (prefixCount + s.keyCount) }
        offsets = o
        slab = total
        scale = scoring.scale.map { T(fromDouble: $0) } ?? 1 / T.squareRoot(T(heads.headDim))
        softCap = scoring.softCap.map { T(fromDouble: $0) }
        if let pad = mask.keyPadding {
            padding = segments.map { s in
                let flags = s.keys.flatMap { $0.map { pad[$0] } }
                return flags.contains(true) ? flags : nil
            }
        } else {
            padding = segments.map { _ in nil }
        }
        var disjoint = heads.heads == heads.kvHeads && prefixCount == 0
        if disjoint {
            let ranges = segments.filter { !$0.queries.isEmpty }.flatMap(\.keys).filter { !$0.isEmpty }
                .sorted { $0.lowerBound < $1.lowerBound }
            for (a, b) in zip(ranges, ranges.dropFirst()) where a.upperBound > b.lowerBound { disjoint = false }
        }
        keysDisjoint = disjoint
    }

    /// Keys (prefix included) a segment's queries score.
    @inline(__always) func keyColumns(_ s: AttentionSegment) -> Int { prefixCount + s.keyCount }

    /// One run of consecutive key (or value) rows a segment sees: `rows` rows from `first` (already at the KV head's
    /// columns), `stride` apart, scored in columns `column..<column + rows` of the segment's probabilities.
    struct Block {
        let first: UnsafeMutablePointer<T>, stride: Int, rows: Int, column: Int
    }

    /// The blocks of `source` (keys or values) segment `s` sees for KV head `g`, in column order: the prefix rows,
    /// then each key range.
    func blocks(_ s: AttentionSegment, _ source: Rows, prefix: Rows?, head g: Int) -> [Block] {
        let hd = heads.headDim
        var out: [Block] = []
        out.reserveCapacity(s.keys.count + 1)
        if let prefix, prefixCount > 0 {
            out.append(Block(first: prefix.base + g * hd, stride: prefix.stride, rows: prefixCount, column: 0))
        }
        var col = prefixCount
        for r in s.keys where !r.isEmpty {
            out.append(Block(first: source.base + r.lowerBound * source.stride + g * hd, stride: source.stride, rows: r.count, column: col))
            col += r.count
        }
        return out
    }

    /// Runs `body` for every (segment, head) item: on separate threads when there is enough work and each item's
    /// products are small enough to stay single-threaded BLAS calls (or there are many items), else one after
    /// another with the products themselves split over the threads.
    func forEachItem(_ body: (_ segment: Int, _ head: Int) -> Void) {
        let count = segments.count * heads.heads
        var total = 0, largest = 0
        for s in segments {
            let w = s.queries.count * keyColumns(s) * heads.headDim
            total += w * heads.heads
            largest = Swift.max(largest, w)
        }
        let parallel = Parallel.workers > 1 && total >= 65_536 && (largest <= 262_144 || count >= 4 * Parallel.workers)
        Parallel.forEach(count, parallel: parallel) { item in body(item / heads.heads, item % heads.heads) }
    }

    // MARK: forward

    /// Writes the outputs of the segments' query rows into `out` (zero-initialised by the caller; rows no segment
    /// queries stay zero) and the probabilities into `probs` (`heads × slab`).
    func forward(q: Rows, k: Rows, v: Rows, prefix: (k: Rows, v: Rows)?, out: Rows, probs: UnsafeMutablePointer<T>) {
        let hd = heads.headDim, group = heads.heads / heads.kvHeads
        forEachItem { si, h in
            let s = segments[si]
            let lq = s.queries.count, lk = s.keyCount, ld = keyColumns(s), q0 = s.queries.lowerBound
            if lq == 0 { return }
            let g = h / group
            let p = probs + h * slab + offsets[si]
            let qh = q.base + q0 * q.stride + h * hd
            for kb in blocks(s, k, prefix: prefix?.k, head: g) {
                BLAS.gemm(T.self, transA: false, transB: true, m: lq, n: kb.rows, k: hd, a: qh, lda: q.stride,
                          b: kb.first, ldb: kb.stride, beta: 0, c: p + kb.column, ldc: ld)
            }
            let caps = softCap == nil ? nil : probs + heads.heads * slab + h * slab + offsets[si]
            for i in 0..<lq {
                let visible = prefixCount + Swift.max(0, Swift.min(causal ? lk - lq + i + 1 : lk, lk))
                let first = window.map { Swift.max(0, visible - $0) } ?? 0
                softmaxRow(p + i * ld, from: first, to: visible, count: ld, padding: padding[si], caps: caps.map { $0 + i * ld })
            }
            let oh = out.base + q0 * out.stride + h * hd
            for (n, vb) in blocks(s, v, prefix: prefix?.v, head: g).enumerated() {
                BLAS.gemm(T.self, transA: false, transB: false, m: lq, n: hd, k: vb.rows, a: p + vb.column, lda: ld,
                          b: vb.first, ldb: vb.stride, beta: n == 0 ? 0 : 1, c: oh, ldc: out.stride)
            }
        }
    }

    /// Softmax over `row[first..<end]` after scaling by `scale` (and soft-capping, writing `tanh(s / c)` to `caps`),
    /// skipping the segment keys `padding` marks (the prefix columns come first and are never padding); the columns
    /// outside the window (`..<first`), future keys (`end..<count`) and padded keys become 0.
    @inline(__always)
    func softmaxRow(_ row: UnsafeMutablePointer<T>, from first: Int, to end: Int, count: Int, padding: [Bool]?,
                    caps: UnsafeMutablePointer<T>?) {
        if first > 0 { row.update(repeating: 0, count: Swift.min(first, count)) }
        let lo = Swift.min(first, end), n = end - lo, r = row + lo
        for j in 0..<n { r[j] *= scale }
        if let softCap, let caps {
            for j in 0..<n {
                let t = T.tanh(r[j] / softCap)
                caps[lo + j] = t
                r[j] = softCap * t
            }
        }
        if let padding {
            for j in Swift.max(prefixCount, lo)..<end where padding[j - prefixCount] { row[j] = -T.infinity }
        }
        var m = -T.infinity
        for j in 0..<n where r[j] > m { m = r[j] }
        guard m > -T.infinity else { row.update(repeating: 0, count: count); return }
        for j in 0..<n { r[j] -= m }
        if T.self == Float.self {
            r.withMemoryRebound(to: Float.self, capacity: n) { FastMath.expInPlace($0, count: n) }
        } else {
            r.withMemoryRebound(to: Double.self, capacity: n) { FastMath.expInPlace($0, count: n) }
        }
        let inv = 1 / Summation.sum(UnsafePointer(r), count: n)
        for j in 0..<n { r[j] *= inv }
        if end < count { (row + end).update(repeating: 0, count: count - end) }
    }

    // MARK: backward

    /// Given `dOut`, accumulates into `dq`, `dk`, `dv` and the prefix's `dPrefixK`, `dPrefixV` (each optional; all
    /// zero-initialised by the caller).
    func backward(q: Rows, k: Rows, v: Rows, prefix: (k: Rows, v: Rows)?, probs: UnsafeMutablePointer<T>, dOut: Rows,
                  dq: Rows?, dk: Rows?, dv: Rows?, dPrefixK: Rows?, dPrefixV: Rows?) {
        let hd = heads.headDim, group = heads.heads / heads.kvHeads
        let wantsKeys = dk != nil || dPrefixK != nil, wantsValues = dv != nil || dPrefixV != nil
        // Per-item partials of d[Kₚ; K] and d[Vₚ; V] (ld × hd each), reduced per KV head afterwards, unless every
        // key row belongs to one item.
        let direct = keysDisjoint
        var partialOffsets: [Int] = [], partialSize = 0
        if !direct && (wantsKeys || wantsValues) {
            for s in segments { partialOffsets.append(partialSize); partialSize += 2 * keyColumns(s) * hd * heads.heads }
        }
        let partials = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(partialSize, 1))
        defer { partials.deallocate() }
        forEachItem { si, h in
            let s = segments[si]
            let lq = s.queries.count, ld = keyColumns(s), q0 = s.queries.lowerBound
            if lq == 0 { return }
            let g = h / group
            let p = probs + h * slab + offsets[si]
            let qh = q.base + q0 * q.stride + h * hd
            let dO = dOut.base + q0 * dOut.stride + h * hd
            let ds = UnsafeMutablePointer<T>.allocate(capacity: lq * ld)
            defer { ds.deallocate() }
            let keyBlocks = blocks(s, k, prefix: prefix?.k, head: g), valueBlocks = blocks(s, v, prefix: prefix?.v, head: g)
            for vb in valueBlocks {
                BLAS.gemm(T.self, transA: false, transB: true, m: lq, n: vb.rows, k: hd, a: dO, lda: dOut.stride,
                          b: vb.first, ldb: vb.stride, beta: 0, c: ds + vb.column, ldc: ld)
            }
            // dS = P ⊙ (dP − Σⱼ P dP) · scale (· (1 − T²) under a soft cap), in place of dP (masked entries have
            // P = 0).
            let caps = softCap == nil ? nil : probs + heads.heads * slab + h * slab + offsets[si]
            for i in 0..<lq {
                let pr = p + i * ld, dr = ds + i * ld
                var dot: T = 0
                for j in 0..<ld { dot += pr[j] * dr[j] }
                if let caps {
                    let tr = caps + i * ld
                    for j in 0..<ld { dr[j] = pr[j] == 0 ? 0 : pr[j] * (dr[j] - dot) * scale * (1 - tr[j] * tr[j]) }
                } else {
                    for j in 0..<ld { dr[j] = pr[j] * (dr[j] - dot) * scale }
                }
            }
            if let dq {
                let dqh = dq.base + q0 * dq.stride + h * hd
                for (n, kb) in keyBlocks.enumerated() {
                    BLAS.gemm(T.self, transA: false, transB: false, m: lq, n: hd, k: kb.rows, a: ds + kb.column, lda: ld,
                              b: kb.first, ldb: kb.stride, beta: n == 0 ? 0 : 1, c: dqh, ldc: dq.stride)
                }
            }
            if direct {
                // Each key row's head-h columns belong to this item alone: accumulate straight into dk / dv.
                let targets = blocks(s, dk ?? k, prefix: nil, head: g), valueTargets = blocks(s, dv ?? v, prefix: nil, head: g)
                for (kb, (dkb, dvb)) in zip(keyBlocks, zip(targets, valueTargets)) {
                    if dk != nil {
                        BLAS.gemm(T.self, transA: true, transB: false, m: kb.rows, n: hd, k: lq, a: ds + kb.column, lda: ld,
                                  b: qh, ldb: q.stride, beta: 1, c: dkb.first, ldc: dkb.stride)
                    }
                    if dv != nil {
                        BLAS.gemm(T.self, transA: true, transB: false, m: kb.rows, n: hd, k: lq, a: p + kb.column, lda: ld,
                                  b: dO, ldb: dOut.stride, beta: 1, c: dvb.first, ldc: dvb.stride)
                    }
                }
            } else if wantsKeys || wantsValues {
                let dkh = partials + partialOffsets[si] + h * 2 * ld * hd, dvh = dkh + ld * hd
                if wantsKeys {
                    BLAS.gemm(T.self, transA: true, transB: false, m: ld, n: hd, k: lq, a: ds, lda: ld,
                              b: qh, ldb: q.stride, beta: 0, c: dkh, ldc: hd)
                }
                if wantsValues {
                    BLAS.gemm(T.self, transA: true, transB: false, m: ld, n: hd, k: lq, a: p, lda: ld,
                              b: dO, ldb: dOut.stride, beta: 0, c: dvh, ldc: hd)
                }
            }
        }
        guard !direct && (wantsKeys || wantsValues) else { return }
        // Reduce the partials into the key rows, one KV head (a disjoint column block) per thread: a row may be
        // seen by several heads of a group, several segments, and every segment sees the prefix.
        Parallel.forEach(heads.kvHeads, parallel: partialSize >= 65_536) { g in
            for (si, s) in segments.enumerated() where !s.queries.isEmpty {
                let ld = keyColumns(s)
                for h in (g * group)..<((g + 1) * group) {
                    let dkh = partials + partialOffsets[si] + h * 2 * ld * hd, dvh = dkh + ld * hd
                    func add(_ src: UnsafeMutablePointer<T>, _ dst: Rows?, row: Int) {
                        guard let dst else { return }
                        let d = dst.base + row * dst.stride + g * hd
                        for j in 0..<hd { d[j] += src[j] }
                    }
                    for j in 0..<prefixCount {
                        if wantsKeys { add(dkh + j * hd, dPrefixK, row: j) }
                        if wantsValues { add(dvh + j * hd, dPrefixV, row: j) }
                    }
                    var col = prefixCount
                    for r in s.keys where !r.isEmpty {
                        for (i, row) in r.enumerated() {
                            if wantsKeys { add(dkh + (col + i) * hd, dk, row: row) }
                            if wantsValues { add(dvh + (col + i) * hd, dv, row: row) }
                        }
                        col += r.count
                    }
                }
            }
        }
    }
}
