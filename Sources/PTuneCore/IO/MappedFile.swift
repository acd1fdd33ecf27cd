#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a model file could not be read at all (before its contents are looked at).
public enum FileReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be opened (path, the system's reason).
    case cannotOpen(path: String, reason: String)
    /// The path names a directory or a device, not a regular file.
    case notARegularFile(path: String)
    /// The file could not be mapped or read (path, the system's reason).
    case cannotRead(path: String, reason: String)

    /// The reason alone, without the path.
    public var reason: String {
        switch self {
        case let .cannotOpen(_, reason): return "cannot open: \(reason)"
        case .notARegularFile: return "not a regular file"
        case let .cannotRead(_, reason): return "cannot read: \(reason)"
        }
    }

    /// The path the error is about.
    public var path: String {
        switch self {
        case let .cannotOpen(path, _), let .notARegularFile(path), let .cannotRead(path, _): return path
        }
    }

    /// A lowercase message naming the path.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
        case let .notARegularFile(path): return "\(path): not a regular file"
        case let .cannotRead(path, reason): return "\(path): cannot read: \(reason)"
        }
    }
}

/// The read-only bytes of a file, memory-mapped (so a 100 MB model costs page cache, not heap), or a copy of bytes
/// held in memory (tests and fuzzing). The bytes stay valid for the object's lifetime.
public final class MappedFile: @unchecked Sendable {
    /// The first byte (a dangling but non-nil pointer for an empty file; never read then).
    public let base: UnsafeRawPointer
    /// The number of bytes.
    public let count: Int
    /// Where the bytes came from: the path, or a label for in-memory bytes.
    public let name: String
    private let mapped: Bool

    /// Maps the file at `path` read-only; errors name it `name` (default: the path). Without `followSymlinks`, a
    /// symlink as the last component is refused rather than followed.
    public init(path: String, name: String? = nil, followSymlinks: Bool = true) throws {
        let shown = name ?? path
        self.name = shown
        let fd = open(path, O_RDONLY | (followSymlinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { throw FileReadError.cannotOpen(path: shown, reason: MappedFile.errnoText()) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileReadError.cannotRead(path: shown, reason: MappedFile.errnoText()) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw FileReadError.notARegularFile(path: shown) }
        let size = Int(st.st_size)
        if size == 0 {
            let p = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 16)
            base = UnsafeRawPointer(p); count = 0; mapped = false
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw FileReadError.cannotRead(path: shown, reason: MappedFile.errnoText())
        }
        base = UnsafeRawPointer(p); count = size; mapped = true
    }

    /// Holds a copy of `bytes` (labelled `name` in errors).
    public init(bytes: [UInt8], name: String = "<memory>") {
        self.name = name
        let p = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { b in if let src = b.baseAddress { p.copyMemory(from: src, byteCount: b.count) } }
        base = UnsafeRawPointer(p); count = bytes.count; mapped = false
    }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), count) } else { UnsafeMutableRawPointer(mutating: base).deallocate() }
    }

    /// Gives the pages of `range` back to the system when the bytes are mapped from a file (they read again from the
    /// page cache on the next access): a model loader calls it once a tensor is converted, so the file's pages do not
    /// add to the converted weights in the process's memory. Does nothing for bytes held in memory.
    public func release(_ range: Range<Int>) {
        guard mapped, !range.isEmpty, range.lowerBound >= 0, range.upperBound <= count else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        // Whole pages inside the range only: a page shared with a neighbouring tensor stays.
        let first = (range.lowerBound + page - 1) / page * page, end = range.upperBound / page * page
        guard end > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), end - first, Int32(MADV_DONTNEED))
    }

    /// All the bytes as a buffer.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    private static func errnoText() -> String {
        guard let s = strerror(errno) else { return "error \(errno)" }
        return String(cString: s).lowercased()
    }
}
