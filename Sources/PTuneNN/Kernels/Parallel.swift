import Dispatch
import PTuneCore

/// Splitting elementwise kernels across the threads the user gave BLAS (``PTuneCore/BLAS/threads``), so that
/// "2 threads" means two cores for the whole step, not only for matrix products.
enum Parallel {
    /// A value handed to the worker threads of one synchronous `concurrentPerform` (which returns only when every
    /// worker is done, so nothing outlives the call).
    private struct Handoff<T>: @unchecked Sendable { let value: T }

    /// Runs `body` over contiguous chunks covering `0..<count`: one chunk per thread, each at least `minimumChunk`
    /// long (small loops stay on the calling thread). Chunks must write disjoint memory.
    static func forChunks(_ count: Int, minimumChunk: Int = 16_384, _ body: (Range<Int>) -> Void) {
        let n = Swift.min(BLAS.threads, count / Swift.max(minimumChunk, 1))
        guard n > 1 else { body(0..<count); return }
        withoutActuallyEscaping(body) { escapable in
            let work = Handoff(value: escapable)
            DispatchQueue.concurrentPerform(iterations: n) { c in work.value((count * c / n)..<(count * (c + 1) / n)) }
        }
    }
}
