import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Atomic folder replacement, for outputs of several files that belong together (a PEFT adapter's weights and
/// config, a run record): the files are written into a fresh hidden sibling `.NAME.PID.RANDOM.tmp/`, each flushed,
/// and the sibling then takes the folder's place in one step — a `rename` when the folder is new, an exchange of
/// the two (Linux `renameat2(RENAME_EXCHANGE)`) when it exists, after which the old version is removed. Whoever
/// looks at the folder, and whatever kills the writer when, finds one whole version: never one export's weights
/// beside another's config. A kill leaves at worst a hidden sibling (an unfinished or a replaced version).
///
/// The folder is replaced as a whole, so callers say which existing folders they may replace (``write(to:shownAs:replacing:_:)``).
public enum AtomicFolder {
    /// The temporary folder being filled.
    public struct Staging: Sendable {
        /// The temporary folder's path.
        public let path: String
        let shown: String

        /// Writes `data` as the file `name` in the folder (flushed to disk).
        public func write(_ data: Data, named name: String) throws {
            try AtomicFile.checkName(name, shown + "/" + name)
            guard !name.contains("/"), name != ".", name != ".." else {
                throw FileWriteError.refused(path: shown + "/" + name, "not a plain file name")
            }
            let full = path + "/" + name
            let fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { throw AtomicFile.error("create", shown + "/" + name) }
            defer { close(fd) }
            try AtomicFile.writeAll(data, to: fd, shown + "/" + name)
            guard fsync(fd) == 0 else { throw AtomicFile.error("flush", shown + "/" + name) }
        }

        /// Writes `data` as the file at `relativePath` (`lib/common.pt`) in the folder, making the folders on the way
        /// (each component a plain name).
        public func write(_ data: Data, at relativePath: String) throws {
            let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard let name = parts.last, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw FileWriteError.refused(path: shown + "/" + relativePath, "not a relative path of plain names")
            }
            var folder = path
            for part in parts.dropLast() {
                try AtomicFile.checkName(part, shown + "/" + relativePath)
                folder += "/" + part
                guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { throw AtomicFile.error("create a folder in", shown) }
            }
            try Staging(path: folder, shown: shown + "/" + parts.dropLast().joined(separator: "/")).write(data, named: name)
        }
    }

    /// Writes the folder at `path` (a canonical path; errors name it `shownAs`): `fill` writes its files into the
    /// staging folder, which then replaces `path`. An existing folder is replaced only when `replacing` accepts the
    /// names of what it holds (it returns nil, or the reason to refuse); anything else at `path` is refused.
    @discardableResult
    public static func write<R>(to path: String, shownAs: String? = nil,
                                replacing: ([String]) -> String? = { _ in nil },
                                _ fill: (Staging) throws -> R) throws -> R {
        let shown = shownAs ?? path
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        try AtomicFile.checkName(name, shown)
        let exists = try checkTarget(path, shown, replacing)
        let staging = (parent.isEmpty ? "." : parent) + "/" + AtomicFile.temporaryName(for: name)
        guard mkdir(staging, 0o755) == 0 else { throw AtomicFile.error("create a folder beside", shown) }
        var installed = false
        defer { if !installed { removeTree(staging) } }
        let result = try fill(Staging(path: staging, shown: shown))
        AtomicFile.syncFolder(staging)
        if exists {
            guard exchange(staging, path) else { throw AtomicFile.error("replace", shown) }
            installed = true
            removeTree(staging)  // the old version, now under the temporary name
        } else {
            guard rename(staging, path) == 0 else { throw AtomicFile.error("create", shown) }
            installed = true
        }
        AtomicFile.syncFolder(parent)
        return result
    }

    /// Checks, before any work is done, that ``write(to:shownAs:replacing:_:)`` could write `path`: its folder exists
    /// (created with `makeParents`) and takes new entries, and what is at `path` may be replaced.
    public static func prepare(_ path: String, shownAs: String? = nil, makeParents: Bool = false,
                               replacing: ([String]) -> String? = { _ in nil }) throws {
        let shown = shownAs ?? path
        let parent = (path as NSString).deletingLastPathComponent
        try AtomicFile.checkName((path as NSString).lastPathComponent, shown)
        if makeParents && !parent.isEmpty {
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw FileWriteError.refused(path: shown, "its folder cannot be created")
            }
        }
        _ = try checkTarget(path, shown, replacing)
        let probe = (parent.isEmpty ? "." : parent) + "/" + AtomicFile.temporaryName(for: (path as NSString).lastPathComponent)
        guard mkdir(probe, 0o755) == 0 else { throw AtomicFile.error("create a folder beside", shown) }
        rmdir(probe)
    }

    /// Whether a folder is at `path` to replace; throws when something else is there or `replacing` refuses it.
    static func checkTarget(_ path: String, _ shown: String, _ replacing: ([String]) -> String?) throws -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return false }
            throw AtomicFile.error("use", shown)
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw FileWriteError.refused(path: shown, "it is a symlink that leads nowhere")
        default: throw FileWriteError.refused(path: shown, "a file is in the way (it must be a folder)")
        }
        if path == FileManager.default.currentDirectoryPath
            || FileManager.default.currentDirectoryPath.hasPrefix(path == "/" ? "/" : path + "/") {
            throw FileWriteError.refused(path: shown, "it is the working directory or holds it")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if let why = replacing(names.sorted()) { throw FileWriteError.refused(path: shown, why) }
        return true
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// `renameat2`, looked up once (glibc declares it only for `_GNU_SOURCE`, which Swift's module does not set).
    nonisolated(unsafe) private static let renameAt2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Swaps the two folders in one step; where the system cannot, moves the old one aside first (the folder is
    /// then briefly absent, but never mixed).
    private static func exchange(_ a: String, _ b: String) -> Bool {
        let renameExchange: UInt32 = 2
        if let f = renameAt2, f(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0 { return true }
        guard errno == EINVAL || errno == ENOSYS || renameAt2 == nil else { return false }
        let aside = a + ".old"
        guard rename(b, aside) == 0 else { return false }
        guard rename(a, b) == 0 else { _ = rename(aside, b); return false }
        return rename(aside, a) == 0
    }

    /// Removes a folder ptune made, without following symlinks in it.
    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
