import Dispatch

/// Splitting elementwise kernels over the machine's cores. GEMMs are threaded by OpenBLAS; the fused kernels around
/// them (attention, SwiGLU, rotary embeddings) would otherwise leave all but one core idle between GEMMs.
enum Parallel {
    /// Below this many elements a kernel runs on the calling thread: waking workers costs more than it saves.
    static let minimumWork = 32_768

    /// Calls `body(range)` for disjoint chunks covering `0..<count`, in parallel when `work` (the elements touched)
    /// is large enough. `body` must only write to memory that its own chunk owns.
    @inline(__always)
    static func chunks(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let parts = Swift.min(count, work >= minimumWork ? workers : 1)
        if parts <= 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { escaping in
            let task = UncheckedSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = count * p / parts, hi = count * (p + 1) / parts
                if lo < hi { task.value(lo..<hi) }
            }
        }
    }

    /// Calls `body(i)` for each `i` in `0..<count`, spread over the cores when `parallel` is set.
    @inline(__always)
    static func forEach(_ count: Int, parallel: Bool, _ body: (Int) -> Void) {
        if !parallel || count <= 1 || workers <= 1 { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { escaping in
            let task = UncheckedSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: count) { task.value($0) }
        }
    }

    /// The number of worker threads kernels split over: the active processor count, at most 8.
    static let workers: Int = Swift.max(1, Swift.min(8, activeProcessors()))
}

/// A kernel body handed to worker threads. The kernels guarantee that concurrent calls write disjoint memory, which
/// the type system cannot see through raw pointers.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

#if canImport(Glibc)
import Glibc
private func activeProcessors() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#elseif canImport(Darwin)
import Darwin
private func activeProcessors() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#else
private func activeProcessors() -> Int { 1 }
#endif
