import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one check every file a script causes to be opened or written goes through: model weights, shards, their
/// index, `config.json`, vocabularies and tokenizers, PEFT adapter folders and each file in them, imports, data
/// files, checkpoints, `save`/`load`, training logs, plots and written text. It gets a path as the caller names it
/// and answers with the canonical path (every symlink resolved) to open, or throws. The language's sandbox (its
/// allowed folders) implements it; ``UnrestrictedFileAccess`` serves programs that open files of their own choosing.
/// Open files through ``CheckedFiles``, which makes the check and then opens what the check saw.
public protocol FileAccessCheck: Sendable {
    /// The canonical path under which `path` may be opened for reading, or an error saying why not.
    func readablePath(_ path: String) throws -> String
    /// The canonical path under which `path` may be created or replaced (its folder resolved; the file itself need
    /// not exist), or an error saying why not.
    func writablePath(_ path: String) throws -> String
}

/// Any file may be read or written: symlinks are still resolved, so what is opened is what the check saw.
public struct UnrestrictedFileAccess: FileAccessCheck {
    /// The unrestricted access.
    public init() {}

    /// The canonical path of `path`, or ``FileReadError/cannotOpen(path:reason:)`` when it does not resolve.
    public func readablePath(_ path: String) throws -> String {
        guard let real = UnrestrictedFileAccess.canonical(path) else { throw FileReadError.cannotOpen(path: path, reason: "no such file") }
        return real
    }

    /// The canonical path of `path` when it exists, else its canonical folder joined with its name.
    public func writablePath(_ path: String) throws -> String {
        if let real = UnrestrictedFileAccess.canonical(path) { return real }
        let folder = (path as NSString).deletingLastPathComponent
        guard let realFolder = UnrestrictedFileAccess.canonical(folder.isEmpty ? "." : folder) else {
            throw FileWriteError.system("create", path: path, "its folder does not exist")
        }
        return (realFolder == "/" ? "" : realFolder) + "/" + (path as NSString).lastPathComponent
    }

    /// `path` with every symlink resolved, or nil when it does not exist.
    static func canonical(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
