import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file writes: the bytes go to a temporary file beside the target, are flushed to disk (`fsync`), and
/// the temporary file is renamed over the target, so a reader sees either the complete old file or the complete new
/// one — never a torn write — even if the process is killed mid-save.
public enum AtomicFile {
    /// Why a write failed, with the path and the system's reason.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The temporary file could not be created, written or flushed.
        case write(path: String, reason: String)
        /// The temporary file could not be renamed over the target.
        case rename(path: String, reason: String)

        /// A one-line message: `cannot write 'out/record.json': No such file or directory`.
        public var description: String {
            switch self {
            case .write(let path, let reason): return "cannot write '\(path)': \(reason)"
            case .rename(let path, let reason): return "cannot replace '\(path)': \(reason)"
            }
        }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path` atomically (temp file in the same folder + fsync + rename + fsync of the folder).
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/." + url.lastPathComponent + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buf -> Int32 in
            guard let base = buf.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw Failure.write(path: path, reason: systemReason()) }
        let tempPath = template.withUnsafeBufferPointer { buf in
            String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        var ok = true
        var reason = ""
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let n = Glibc.write(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false; reason = systemReason(); return
                }
                offset += n
            }
        }
        if ok && fchmod(fd, permissions) != 0 { ok = false; reason = systemReason() }
        if ok && fsync(fd) != 0 { ok = false; reason = systemReason() }
        close(fd)
        guard ok else {
            unlink(tempPath)
            throw Failure.write(path: path, reason: reason)
        }
        guard rename(tempPath, path) == 0 else {
            let why = systemReason()
            unlink(tempPath)
            throw Failure.rename(path: path, reason: why)
        }
        // Make the rename itself durable.
        let dirFD = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
    }

    /// The text of the current `errno`.
    private static func systemReason() -> String { String(cString: strerror(errno)) }
}
