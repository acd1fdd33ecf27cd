import Foundation
import PTuneCore

/// Crash-safe writes by path (PTuneCore's `AtomicFile`: temporary file, `fsync`, rename, folder `fsync`), for the
/// files the REPL and the command line write: history, `:save` scripts, run records.
extension AtomicFile {
    /// Writes `text` as UTF-8 to `path` atomically.
    static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// Writes `bytes` to `path` atomically.
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write(Data(bytes), to: URL(fileURLWithPath: path))
    }
}
