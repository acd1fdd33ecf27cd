import Foundation

/// What can go wrong writing a file.
public enum FileWriteError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A system call failed (what was being done, the path, `errno`'s message).
    case system(String, path: String, String)

    /// A lowercase message naming the path.
    public var description: String {
        switch self {
        case let .system(what, path, message): return "cannot \(what) '\(path)': \(message)"
        }
    }
}

/// Atomic file replacement: the bytes go to a temporary file in the same directory, are flushed to disk (`fsync`),
/// and the temporary file is renamed over the destination, then the directory is flushed. A reader sees either the
/// old file or the new one, never a torn write; a crash mid-save leaves at worst a stray `.tmp` file.
public enum AtomicFile {
    /// Writes `text` as UTF-8 to the file at `path` atomically.
    public static func write(_ text: String, toPath path: String) throws {
        try write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// Writes `bytes` to the file at `path` atomically.
    public static func write(_ bytes: [UInt8], toPath path: String) throws {
        try write(Data(bytes), to: URL(fileURLWithPath: path))
    }

    /// Writes `data` to `url` atomically, creating or replacing it.
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("create", temporary) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var written = 0
            while written < raw.count {
                let n = Foundation.write(fd, base + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error("write", temporary)
                }
                written += n
            }
        }
        guard fsync(fd) == 0 else { throw error("flush", temporary) }
        closed = true
        guard close(fd) == 0 else { throw error("close", temporary) }
        guard rename(temporary, path) == 0 else { throw error("rename into place", path) }
        renamed = true
        // Flush the directory entry too, so the rename itself survives a crash.
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    private static func error(_ what: String, _ path: String) -> FileWriteError {
        .system(what, path: path, String(cString: strerror(errno)))
    }
}
