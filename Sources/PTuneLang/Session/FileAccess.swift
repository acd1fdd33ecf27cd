import Foundation

/// The folders a script may read and write: by default the script's folder and the working directory. Every path
/// the language opens goes through ``resolve(_:relativeTo:forWriting:)``: `..` escapes, absolute paths elsewhere and
/// symlinks that lead outside are refused with an error naming the path.
public struct FileAccess: Sendable {
    /// The allowed folders, as canonical absolute paths.
    public private(set) var roots: [String]
    /// Folders a script may read but never write (ptune's download cache, once a script asks for a file in it).
    public private(set) var readOnlyRoots: [String] = []
    /// Where every file a script opens for reading is noted (a run record lists them), if anywhere.
    public var readLog: ReadLog?

    /// Where relative paths a script writes land (`--output-dir`; nil: beside the script, or in the working
    /// directory). Relative reads look there first, then where they would without it. It is an allowed folder.
    public private(set) var outputFolder: String?

    /// Access to the working directory and `extra` folders, relative writes going to `output` when given.
    public init(extra: [String] = [], output: String? = nil) {
        roots = []
        allow(FileManager.default.currentDirectoryPath)
        for e in extra { allow(e) }
        if let output {
            allow(output)
            outputFolder = FileAccess.canonical(output) ?? FileAccess.normalize(output)
        }
    }

    /// Access to exactly `roots` (no working directory).
    public init(only roots: [String]) {
        self.roots = []
        for r in roots { allow(r) }
    }

    /// Adds a folder (`--allow-path DIR`, or a script's own folder).
    public mutating func allow(_ folder: String) {
        let canonical = FileAccess.canonical(folder) ?? FileAccess.normalize(folder)
        if !roots.contains(canonical) { roots.append(canonical) }
    }

    /// Adds a folder the script may read from but not write to.
    public mutating func allowReading(_ folder: String) {
        let canonical = FileAccess.canonical(folder) ?? FileAccess.normalize(folder)
        if !readOnlyRoots.contains(canonical) && !roots.contains(canonical) { readOnlyRoots.append(canonical) }
    }

    /// The canonical path `path` names (relative paths start at `base`, or the working directory), or throws
    /// when it lies outside every allowed folder or cannot be resolved.
    public func resolve(_ path: String, relativeTo base: String?, forWriting: Bool) throws(Message) -> String {
        guard !path.isEmpty, !path.contains("\0") else { throw .fileError(path: path, "not a valid path") }
        var start = base ?? FileManager.default.currentDirectoryPath
        if let out = outputFolder, !path.hasPrefix("/"),
           forWriting || FileManager.default.fileExists(atPath: FileAccess.normalize(out + "/" + path)) {
            start = out
        }
        let joined = path.hasPrefix("/") ? path : start + "/" + path
        let normalized = FileAccess.normalize(joined)
        let resolved: String
        if let real = FileAccess.canonical(normalized) {
            resolved = real
        } else if forWriting || !FileManager.default.fileExists(atPath: normalized) {
            // A file that does not exist yet: resolve its folder, which must exist.
            let parent = (normalized as NSString).deletingLastPathComponent
            let name = (normalized as NSString).lastPathComponent
            guard let realParent = FileAccess.canonical(parent) else {
                if !inside(normalized) { throw .pathNotAllowed(path, allowed: roots) }
                throw .fileError(path: path, forWriting ? "its folder does not exist" : "no such file")
            }
            resolved = realParent == "/" ? "/" + name : realParent + "/" + name
            if !forWriting {
                guard inside(resolved) || readable(resolved) else { throw .pathNotAllowed(path, allowed: roots) }
                throw .fileError(path: path, "no such file")
            }
        } else {
            throw .fileError(path: path, "cannot resolve the path")
        }
        guard inside(resolved) || (!forWriting && readable(resolved)) else { throw .pathNotAllowed(path, allowed: roots) }
        return resolved
    }

    private func readable(_ path: String) -> Bool {
        readOnlyRoots.contains { root in path == root || path.hasPrefix(root == "/" ? "/" : root + "/") }
    }

    private func inside(_ path: String) -> Bool {
        roots.contains { root in path == root || path.hasPrefix(root == "/" ? "/" : root + "/") }
    }

    /// The path with symlinks resolved, or nil when it does not exist.
    static func canonical(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// `a/./b/../c` → `a/c`, lexically.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for c in path.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }
}
