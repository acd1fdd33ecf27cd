#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for tensor storage: the one place ptune tunes glibc's `malloc`.
enum Allocator {
    /// Applies the settings below once; a no-op where `mallopt` does not exist. Evaluated on the first large
    /// allocation and before ``LargeStack`` starts a thread (an arena setting only reaches threads that have not
    /// allocated yet).
    ///
    /// - Reuse instead of page faults: glibc hands blocks above its mmap threshold (128 KiB, adapting upwards) back to
    ///   the kernel on `free` and maps fresh zero-filled pages for the next request, so a training step that
    ///   allocates and frees the same large activations every step pays page faults and page clearing each time (a
    ///   third of a small transformer's step time). Raising the mmap threshold to its maximum (32 MiB) and the trim
    ///   threshold keeps those blocks in the heap for reuse.
    /// - One arena: scripts run on ``LargeStack``'s thread, and glibc gives each thread other than the main one an
    ///   arena of its own, grown in separate mappings of at most 64 MiB that no block can span and, with the trim
    ///   threshold above, given back only a whole mapping at a time. With blocks of megabytes (a batch's
    ///   activations) such an arena fragments: at step 130 of `examples/sentiment.pt` it held 52 MB more than the
    ///   peak of the bytes live in it, the main arena (one contiguous heap) 16 MB, and the whole recipe's peak RSS
    ///   fell from 443 to 423 MB with the same losses. The worker threads allocate almost nothing (their arenas
    ///   held under 1 MB), so sharing one arena adds little lock traffic.
    static let tuned: Bool = {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which the Glibc module does not export: look it up by name.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3, arenaMax: Int32 = -8
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        _ = mallopt(arenaMax, 1)
        return true
        #else
        return false
        #endif
    }()
}
