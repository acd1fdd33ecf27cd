import Foundation

/// What can go wrong writing a file.
public enum FileWriteError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A system call failed (what was being done, the path, `errno`'s message).
    case system(String, path: String, String)
    /// The path cannot be written for a reason of its own (the path, why).
    case refused(path: String, String)

    /// A lowercase message naming the path.
    public var description: String {
        switch self {
        case let .system(what, path, message): return "cannot \(what) '\(path)': \(message)"
        case let .refused(path, why): return "cannot write '\(path)': \(why)"
        }
    }
}

/// Atomic file replacement: the bytes go to a temporary file in the same directory, are flushed to disk (`fsync`),
/// and the temporary file is renamed over the destination, then the directory is flushed. A reader sees either the
/// old file or the new one, never a torn write; a crash mid-save leaves at worst a hidden `.NAME.….tmp` file.
public enum AtomicFile {
    /// The longest file name (in bytes) the file systems ptune runs on accept.
    public static let maxNameBytes = 255

    /// Writes `text` as UTF-8 to the file at `path` atomically.
    public static func write(_ text: String, toPath path: String) throws {
        try write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// Writes `bytes` to the file at `path` atomically.
    public static func write(_ bytes: [UInt8], toPath path: String) throws {
        try write(Data(bytes), to: URL(fileURLWithPath: path))
    }

    /// Writes `data` to `url` atomically, creating or replacing it; errors name the file `shownAs` (default: the
    /// path). A folder, or a name too long for the file system, is refused before anything is written.
    public static func write(_ data: Data, to url: URL, shownAs: String? = nil) throws {
        let path = url.path
        let shown = shownAs ?? path
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        try checkName(name, shown)
        var st = stat()
        if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileWriteError.refused(path: shown, "it is a folder")
        }
        let temporary = directory + "/" + temporaryName(for: name)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw error("create a file in the folder of", shown) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        try writeAll(data, to: fd, shown)
        guard fsync(fd) == 0 else { throw error("flush", shown) }
        closed = true
        guard close(fd) == 0 else { throw error("close", shown) }
        guard rename(temporary, path) == 0 else { throw error("replace", shown) }
        renamed = true
        syncFolder(directory)
    }

    /// Refuses an empty name or one longer than the file system allows.
    static func checkName(_ name: String, _ shown: String) throws {
        guard !name.isEmpty, name != "/" else { throw FileWriteError.refused(path: shown, "the path names no file") }
        guard name.utf8.count <= maxNameBytes else {
            throw FileWriteError.refused(path: shown, "the file name is \(name.utf8.count) bytes long, more than the \(maxNameBytes) a file system allows")
        }
    }

    /// A hidden, unique sibling name for a temporary copy of `name`: `.NAME.PID.RANDOM.tmp`, with NAME shortened
    /// (at a character boundary) so that the whole stays within ``maxNameBytes``.
    static func temporaryName(for name: String) -> String {
        let suffix = ".\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
        var stem = name
        while 1 + stem.utf8.count + suffix.utf8.count > maxNameBytes { stem.removeLast() }
        return "." + stem + suffix
    }

    /// Writes every byte of `data` to `fd`.
    static func writeAll(_ data: Data, to fd: Int32, _ shown: String) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var written = 0
            while written < raw.count {
                let n = Foundation.write(fd, base + written, Swift.min(raw.count - written, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error("write", shown)
                }
                written += n
            }
        }
    }

    /// Flushes a folder's entries, so a rename in it survives a crash.
    static func syncFolder(_ directory: String) {
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    static func error(_ what: String, _ path: String) -> FileWriteError {
        .system(what, path: path, String(cString: strerror(errno)).lowercased())
    }
}
