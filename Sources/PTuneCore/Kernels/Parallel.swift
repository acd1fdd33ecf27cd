/// Splitting kernels over the threads set by ``BLAS/setThreads(_:)`` (``WorkerPool``), so that "2 threads" means two
/// cores for the whole step: matrix products and the elementwise and fused kernels around them alike.
public enum Parallel {
    /// Below this many elements a kernel runs on the calling thread: waking workers costs more than it saves.
    static let minimumWork = 32_768

    /// Calls `body(range)` for disjoint chunks covering `0..<count`, in parallel when `work` (the elements touched)
    /// is large enough. `body` must only write to memory that its own chunk owns.
    @inline(__always)
    static func chunks(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        split(count, into: Swift.min(count, work >= minimumWork ? workers : 1), body)
    }

    /// Runs `body` over contiguous chunks covering `0..<count`: one chunk per thread, each at least `minimumChunk`
    /// long (small loops stay on the calling thread). Chunks must write disjoint memory.
    public static func forChunks(_ count: Int, minimumChunk: Int = 16_384, _ body: (Range<Int>) -> Void) {
        split(count, into: Swift.min(workers, count / Swift.max(minimumChunk, 1)), body)
    }

    /// `body` over `parts` contiguous, nearly equal chunks of `0..<count`, one per thread (on the caller when
    /// `parts` ≤ 1); empty chunks are skipped.
    @inline(__always)
    private static func split(_ count: Int, into parts: Int, _ body: (Range<Int>) -> Void) {
        if parts <= 1 { body(0..<count); return }
        WorkerPool.shared.run(parts, threads: parts) { p in
            let lo = count * p / parts, hi = count * (p + 1) / parts
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Calls `body(i)` for each `i` in `0..<count`, spread over the threads when `parallel` is set.
    @inline(__always)
    static func forEach(_ count: Int, parallel: Bool, _ body: (Int) -> Void) {
        if !parallel || count <= 1 || workers <= 1 { for i in 0..<count { body(i) }; return }
        WorkerPool.shared.run(count, threads: workers, body)
    }

    /// The number of threads kernels split over: ``BLAS/threads``.
    static var workers: Int { BLAS.threads }
}
