import Foundation
import PTuneCore

/// The REPL's persistent history: one entry per line in a text file (`~/.ptune_history` by default), newest last,
/// each entry kept once (re-entering a line moves it to the end), at most `capacity` entries. Every addition merges
/// with the file as it is on disk (so two REPLs open at once both keep their lines) and rewrites it atomically.
public struct HistoryStore: Sendable {
    /// Where the history is kept; nil keeps it in memory only.
    public let path: String?
    /// The most entries kept.
    public let capacity: Int
    /// The entries, oldest first.
    public private(set) var entries: [String]
    /// False once the file could not be written.
    private var fileWorks = true

    /// A store over `path`, loading what the file holds now.
    public init(path: String?, capacity: Int = 1000) {
        self.path = path
        self.capacity = max(1, capacity)
        self.entries = []
        entries = HistoryStore.collapse(load(), capacity: self.capacity)
    }

    /// Settings from the environment: `PTUNE_HISTORY` (a path; empty disables the file) and
    /// `PTUNE_HISTORY_SIZE` (default 1000), falling back to `~/.ptune_history`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HistoryStore {
        let capacity = environment["PTUNE_HISTORY_SIZE"].flatMap { Int($0) } ?? 1000
        if let path = environment["PTUNE_HISTORY"] {
            return HistoryStore(path: path.isEmpty ? nil : path, capacity: capacity)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return HistoryStore(path: (home as NSString).appendingPathComponent(".ptune_history"), capacity: capacity)
    }

    /// Adds `line` (blank lines are not kept) and saves. Returns false when the line was not kept.
    /// A file that cannot be written leaves the history in memory; the REPL carries on.
    @discardableResult
    public mutating func add(_ line: String) -> Bool {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, !line.contains("\n") else { return false }
        // The file holds this session's earlier lines and other sessions' lines; when it cannot be written, the
        // entries in memory are the truth.
        let base = fileWorks ? load() : entries
        entries = HistoryStore.collapse(base + [line], capacity: capacity)
        if let path {
            do { try AtomicFile.write(entries.joined(separator: "\n") + "\n", toPath: path) } catch { fileWorks = false }
        }
        return true
    }

    /// The file's entries (none when it is missing or unreadable).
    private func load() -> [String] {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Keeps the last occurrence of each entry, then the newest `capacity` entries.
    static func collapse(_ lines: [String], capacity: Int) -> [String] {
        var seen = Set<String>()
        var kept: [String] = []
        for line in lines.reversed() where !seen.contains(line) {
            seen.insert(line)
            kept.append(line)
            if kept.count == capacity { break }
        }
        return kept.reversed()
    }
}
