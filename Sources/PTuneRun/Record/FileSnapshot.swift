import Foundation

/// The files under some folders with their size and modification time, to tell which files a run wrote: the
/// files that are new or changed between a snapshot before the run and one after. Hidden folders (`.build`,
/// `.git`) are skipped, and a scan stops after `limit` files.
public struct FileSnapshot: Sendable {
    /// Size and modification time of one file.
    struct Stamp: Equatable, Sendable {
        var size: Int
        var modified: Double
        var inode: UInt64
    }

    private var stamps: [String: Stamp] = [:]

    /// Scans `folders` (absolute paths; duplicates and nested folders are fine).
    public init(folders: [String], limit: Int = 100_000) {
        var seen = Set<String>()
        for folder in folders {
            let root = (folder as NSString).standardizingPath
            guard !seen.contains(root) else { continue }
            seen.insert(root)
            scan(root, limit: limit)
        }
    }

    private mutating func scan(_ root: String, limit: Int) {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            if stamps.count >= limit { return }
            let name = (relative as NSString).lastPathComponent
            let type = walker.fileAttributes?[.type] as? FileAttributeType
            if name.hasPrefix(".") && type == .typeDirectory { walker.skipDescendants(); continue }
            guard type == .typeRegular else { continue }
            let path = root + "/" + relative
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9
            stamps[path] = Stamp(size: Int(info.st_size), modified: modified, inode: UInt64(info.st_ino))
        }
    }

    /// The files in `after` that are not in `self` or differ (size, time or inode: replaced by a rename), sorted.
    public func changedFiles(in after: FileSnapshot, excluding excluded: [String] = []) -> [String] {
        after.stamps.filter { path, stamp in
            stamps[path] != stamp && !excluded.contains { path == $0 || path.hasPrefix($0 + "/") }
        }.keys.sorted()
    }
}
