import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one check every file a model load opens goes through: weights, shards and their index, `config.json`,
/// `vocab.txt`, `tokenizer.json`, GGUF files. It gets the path as the loader names it and answers with the canonical
/// path (symlinks resolved) to open, or throws. A sandbox (the language's allowed folders) implements it; so does
/// ``UnrestrictedModelFileAccess`` for programs that load models of their own choosing.
public protocol ModelFileAccess: Sendable {
    /// The canonical path under which `path` may be opened for reading, or an error saying why not.
    func readablePath(_ path: String) throws -> String
}

/// Any file may be read: symlinks are still resolved, so what is opened is what the check saw.
public struct UnrestrictedModelFileAccess: ModelFileAccess {
    /// The unrestricted access.
    public init() {}

    /// The canonical path of `path`, or ``FileReadError/cannotOpen(path:reason:)`` when it does not resolve.
    public func readablePath(_ path: String) throws -> String {
        guard let p = realpath(path, nil) else { throw FileReadError.cannotOpen(path: path, reason: "no such file") }
        defer { free(p) }
        return String(cString: p)
    }
}

/// Opens model files through a ``ModelFileAccess``: each open is checked first and then made on the canonical path,
/// without following a symlink in its last component, so a link swapped in after the check is refused, not followed.
public struct ModelFileReader: Sendable {
    /// The check every open goes through.
    public let access: any ModelFileAccess

    /// A reader that checks every open with `access`.
    public init(access: any ModelFileAccess = UnrestrictedModelFileAccess()) {
        self.access = access
    }

    /// The file at `path`, memory-mapped (errors name `path` as given).
    public func mapped(_ path: String) throws -> MappedFile {
        let real = try access.readablePath(path)
        return try MappedFile(path: real, name: path, followSymlinks: false)
    }

    /// The bytes of the file at `path` (small files: configurations, vocabularies, tokenizers), at most `limit`.
    public func contents(_ path: String, limit: Int = 1 << 30) throws -> Data {
        let file = try mapped(path)
        guard file.count <= limit else {
            throw FileReadError.cannotRead(path: path, reason: "\(file.count) bytes is more than the \(limit) a \((path as NSString).lastPathComponent) may have")
        }
        return Data(file.bytes)
    }

    /// The file at `path` as `Data` backed by its mapping (large files: safetensors weights).
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
}
