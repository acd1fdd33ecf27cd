import Foundation

/// The files a session read, each once, in the order first read, with what `digest` said of each then (a run record
/// keeps their hashes: a file the run later replaces is described as it was when read).
public final class ReadLog: @unchecked Sendable {
    /// One file read: its canonical path and its digest when first read.
    public struct Entry: Sendable, Equatable {
        /// The canonical path.
        public let path: String
        /// The file's hash (nil: it could not be read again to hash).
        public let sha256: String?
        /// Its size in bytes.
        public let bytes: Int?
    }

    private let lock = NSLock()
    private var seen: Set<String> = []
    private var list: [Entry] = []
    private let digest: @Sendable (String) -> (sha256: String?, bytes: Int?)

    /// A log describing each file with `digest` (its SHA-256 and size) the first time it is read.
    public init(digest: @escaping @Sendable (String) -> (sha256: String?, bytes: Int?)) {
        self.digest = digest
    }

    /// Notes that the file at the canonical `path` is being read (folders are skipped).
    func note(_ path: String) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { return }
        lock.lock()
        let first = seen.insert(path).inserted
        lock.unlock()
        guard first else { return }
        let d = digest(path)
        lock.lock()
        list.append(Entry(path: path, sha256: d.sha256, bytes: d.bytes))
        lock.unlock()
    }

    /// Every file read so far, in the order first read.
    public var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
