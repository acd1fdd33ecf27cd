#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for tensor storage.
enum Allocator {
    /// glibc hands blocks above its mmap threshold (128 KiB, adapting upwards) back to the kernel on `free` and maps
    /// fresh zero-filled pages for the next request, so a training step that allocates and frees the same large
    /// activations every step pays page faults and page clearing each time (a third of a small transformer's step
    /// time). Raising the mmap threshold to its maximum (32 MiB) and the trim threshold keeps those blocks in the heap
    /// for reuse. Evaluated once, on the first large allocation; a no-op where `mallopt` does not exist.
    static let tuned: Bool = {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which the Glibc module does not export: look it up by name.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        return true
        #else
        return false
        #endif
    }()
}
