/// The compute of causal grouped-query attention over segments of packed rows (see
/// ``Tensor/causalAttention(qkv:heads:segments:)``): per segment and head, `S = Q Kᵀ / √d` by BLAS, a masked softmax
/// in place, `O = P V` by BLAS; the backward reuses the saved probabilities `P`.
struct AttentionKernel<T: TensorFloat> {
    /// A matrix of rows in some buffer: element (r, c) of head-column block `c0 + c` is at `base[r * stride + c0 + c]`.
    struct Rows {
        var base: UnsafeMutablePointer<T>
        var stride: Int
    }

    let heads: AttentionHeads
    let segments: [AttentionSegment]
    /// Where each segment's probability block starts inside one head's slab, and the slab size.
    let offsets: [Int]
    let slab: Int
    let scale: T

    init(heads: AttentionHeads, segments: [AttentionSegment]) {
        self.heads = heads
        self.segments = segments
        var o: [Int] = [], total = 0
        for s in segments { o.append(total); total += s.queries.count * s.keyCount }
        offsets = o
        slab = total
        scale = 1 / T.squareRoot(T(heads.headDim))
    }

    /// Whether the heads of a segment may run on separate threads: only while every product stays below OpenBLAS's
    /// own threading threshold, so that concurrent BLAS calls are single-threaded ones.
    func headsInParallel(_ s: AttentionSegment) -> Bool {
        let work = s.queries.count * s.keyCount * heads.headDim
        return Parallel.workers > 1 && work <= 262_144 && work * heads.heads >= 65_536
    }

    /// Forward: writes the outputs of the segments' query rows into `out` (other rows untouched) and the
    /// probabilities into `probs` (`heads × slab`).
    func forward(q: Rows, k: Rows, v: Rows, out: Rows, probs: UnsafeMutablePointer<T>) {
        let hd = heads.headDim, group = heads.heads / heads.kvHeads
        for (si, s) in segments.enumerated() {
            let lq = s.queries.count, lk = s.keyCount, q0 = s.queries.lowerBound
            if lq == 0 { continue }
            Parallel.forEach(heads.heads, parallel: headsInParallel(s)) { h in
                let g = h / group
                let p = probs + h * slab + offsets[si]
                var col = 0
                for r in s.keys where !r.isEmpty {
                    BLAS.gemm(T.self, transA: false, transB: true, m: lq, n: r.count, k: hd,
                              a: q.base + q0 * q.stride + h * hd, lda: q.stride,
                              b: k.base + r.lowerBound * k.stride + g * hd, ldb: k.stride, beta: 0, c: p + col, ldc: lk)
                    col += r.count
                }
                for i in 0..<lq { softmaxRow(p + i * lk, valid: lk - lq + i + 1, count: lk) }
                col = 0
                var beta: T = 0
                for r in s.keys where !r.isEmpty {
                    BLAS.gemm(T.self, transA: false, transB: false, m: lq, n: hd, k: r.count, a: p + col, lda: lk,
                              b: v.base + r.lowerBound * v.stride + g * hd, ldb: v.stride, beta: beta,
                              c: out.base + q0 * out.stride + h * hd, ldc: out.stride)
                    col += r.count
                    beta = 1
                }
            }
        }
    }

    /// Backward: given `dOut`, accumulates into `dq` / `dk` / `dv` (each optional; all zero-initialised by the
    /// caller) for the rows the segments touch.
    func backward(q: Rows, k: Rows, v: Rows, probs: UnsafeMutablePointer<T>, dOut: Rows,
                  dq: Rows?, dk: Rows?, dv: Rows?) {
        let hd = heads.headDim, group = heads.heads / heads.kvHeads
        for (si, s) in segments.enumerated() {
            let lq = s.queries.count, lk = s.keyCount, q0 = s.queries.lowerBound
            if lq == 0 { continue }
            // Per-head scratch: dS (lq × lk) and this head's dK, dV contributions (lk × hd each), reduced per KV
            // head afterwards so that heads sharing a KV head never write the same memory concurrently.
            let per = lq * lk + 2 * lk * hd
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: per * heads.heads)
            defer { scratch.deallocate() }
            Parallel.forEach(heads.heads, parallel: headsInParallel(s)) { h in
                let g = h / group
                let p = probs + h * slab + offsets[si]
                let ds = scratch + h * per, dkh = ds + lq * lk, dvh = dkh + lk * hd
                let dO = dOut.base + q0 * dOut.stride + h * hd
                var col = 0
                for r in s.keys where !r.isEmpty {
                    BLAS.gemm(T.self, transA: false, transB: true, m: lq, n: r.count, k: hd, a: dO, lda: dOut.stride,
                              b: v.base + r.lowerBound * v.stride + g * hd, ldb: v.stride, beta: 0, c: ds + col, ldc: lk)
                    col += r.count
                }
                // dS = P ⊙ (dP − Σⱼ P dP) · scale, in place of dP.
                for i in 0..<lq {
                    let pr = p + i * lk, dr = ds + i * lk
                    var dot: T = 0
                    for j in 0..<lk { dot += pr[j] * dr[j] }
                    for j in 0..<lk { dr[j] = pr[j] * (dr[j] - dot) * scale }
                }
                col = 0
                var beta: T = 0
                for r in s.keys where !r.isEmpty {
                    if let dq {
                        BLAS.gemm(T.self, transA: false, transB: false, m: lq, n: hd, k: r.count, a: ds + col, lda: lk,
                                  b: k.base + r.lowerBound * k.stride + g * hd, ldb: k.stride, beta: beta,
                                  c: dq.base + q0 * dq.stride + h * hd, ldc: dq.stride)
                    }
                    if dk != nil {
                        BLAS.gemm(T.self, transA: true, transB: false, m: r.count, n: hd, k: lq, a: ds + col, lda: lk,
                                  b: q.base + q0 * q.stride + h * hd, ldb: q.stride, beta: 0, c: dkh + col * hd, ldc: hd)
                    }
                    if dv != nil {
                        BLAS.gemm(T.self, transA: true, transB: false, m: r.count, n: hd, k: lq, a: p + col, lda: lk,
                                  b: dO, ldb: dOut.stride, beta: 0, c: dvh + col * hd, ldc: hd)
                    }
                    col += r.count
                    beta = 1
                }
            }
            // Reduce the heads' dK / dV into the key rows (a key row may appear in several segments: accumulate).
            for h in 0..<heads.heads {
                let g = h / group
                let dkh = scratch + h * per + lq * lk, dvh = dkh + lk * hd
                var col = 0
                for r in s.keys where !r.isEmpty {
                    for (i, row) in r.enumerated() {
                        if let dk {
                            let dst = dk.base + row * dk.stride + g * hd, src = dkh + (col + i) * hd
                            for j in 0..<hd { dst[j] += src[j] }
                        }
                        if let dv {
                            let dst = dv.base + row * dv.stride + g * hd, src = dvh + (col + i) * hd
                            for j in 0..<hd { dst[j] += src[j] }
                        }
                    }
                    col += r.count
                }
            }
        }
    }

    /// Softmax of `row[0..<valid]` after scaling by `scale`; `row[valid..<count]` (future keys) become 0.
    @inline(__always)
    func softmaxRow(_ row: UnsafeMutablePointer<T>, valid: Int, count: Int) {
        let n = Swift.max(0, Swift.min(valid, count))
        if n > 0 {
            var m = -T.infinity
            for j in 0..<n { row[j] *= scale; if row[j] > m { m = row[j] } }
            var sum: T = 0
            if T.self == Float.self {
                for j in 0..<n { row[j] -= m }
                row.withMemoryRebound(to: Float.self, capacity: n) { FastMath.expInPlace($0, count: n) }
                for j in 0..<n { sum += row[j] }
            } else {
                for j in 0..<n { let e = T.exp(row[j] - m); row[j] = e; sum += e }
            }
            let inv = 1 / sum
            for j in 0..<n { row[j] *= inv }
        }
        for j in n..<count { row[j] = 0 }
    }
}
