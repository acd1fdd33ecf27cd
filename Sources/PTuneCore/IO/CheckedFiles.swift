import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens and writes files through a ``FileAccessCheck``: each path is checked first and then opened under the
/// canonical name the check returned, without following a symlink in its last component, so a link swapped in after
/// the check is refused, not followed. Writes are atomic (``AtomicFile``, ``AtomicFolder``): a reader, or a process
/// killed mid-write, sees the old version or the new one, never a mix.
public struct CheckedFiles: Sendable {
    /// The check every open goes through.
    public let access: any FileAccessCheck

    /// Files opened through `access`.
    public init(access: any FileAccessCheck = UnrestrictedFileAccess()) {
        self.access = access
    }

    // MARK: - Reading

    /// The file at `path`, memory-mapped (errors name `path` as given).
    public func mapped(_ path: String) throws -> MappedFile {
        let real = try access.readablePath(path)
        return try MappedFile(path: real, name: path, followSymlinks: false)
    }

    /// The bytes of the file at `path` (configurations, vocabularies, data files, scripts), at most `limit` of them.
    public func contents(_ path: String, limit: Int = 1 << 30) throws -> Data {
        let file = try mapped(path)
        guard file.count <= limit else {
            throw FileReadError.cannotRead(path: path, reason: "it holds \(file.count) bytes, more than the \(limit) it may have")
        }
        return Data(file.bytes)
    }

    /// The file at `path` as `Data` backed by its mapping (large files: safetensors weights), without a copy.
    public func mappedData(_ path: String) throws -> Data {
        let file = try mapped(path)
        guard let base = file.count > 0 ? UnsafeMutableRawPointer(mutating: file.base) : nil else { return Data() }
        return Data(bytesNoCopy: base, count: file.count, deallocator: .custom { _, _ in withExtendedLifetime(file) {} })
    }

    /// Whether something is at `path` — a file, a folder, or a symlink even when it leads nowhere or somewhere not
    /// allowed (so that an optional file which exists but may not be read is reported, not silently skipped).
    public func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    // MARK: - Writing

    /// Writes `data` to `path` atomically (a temporary sibling, flushed, renamed over it).
    public func write(_ data: Data, to path: String) throws {
        try AtomicFile.write(data, to: URL(fileURLWithPath: try access.writablePath(path)), shownAs: path)
    }

    /// Writes the folder `path` atomically: `fill` writes its files into a fresh temporary sibling, which then
    /// replaces `path` in one step (see ``AtomicFolder``); an existing folder is replaced only when `replacing`
    /// accepts what it holds. Returns what `fill` returns.
    @discardableResult
    public func writeFolder<R>(_ path: String, replacing: ([String]) -> String? = { _ in nil },
                               _ fill: (AtomicFolder.Staging) throws -> R) throws -> R {
        try AtomicFolder.write(to: try access.writablePath(path), shownAs: path, replacing: replacing, fill)
    }
}
