#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory the process really holds (its resident set), where the system says: the backstop of
/// ``MemoryBudget`` for what it cannot charge one by one (strings kept in variables), so that whatever a script grows
/// is bounded by the limit.
public enum ResidentMemory {
    /// Resident bytes now (Linux: `/proc/self/statm`), or nil where unknown.
    public static func bytes() -> Int? {
        #if os(Linux)
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard n > 0 else { return nil }
        // "size resident shared …" in pages.
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        let page = sysconf(Int32(_SC_PAGESIZE))
        return page > 0 ? pages * page : nil
        #else
        return nil
        #endif
    }
}
