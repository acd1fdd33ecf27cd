import Foundation

/// The session's successful statements, in order: what `:save` writes as a runnable `.pt` script, so an
/// exploration becomes a recipe.
public struct Transcript: Sendable {
    /// The source of each successful input, with a comment when it needs one (an interrupted `train`, a `:load`).
    public private(set) var entries: [String] = []

    /// An empty transcript.
    public init() {}

    /// Records a successful input.
    public mutating func append(_ source: String) { entries.append(source) }

    /// Records an input stopped by Ctrl-C: it stays (what it did is kept in the session), marked.
    public mutating func appendInterrupted(_ source: String) {
        entries.append("# stopped with Ctrl-C in the session; this runs it to the end\n" + source)
    }

    /// Forgets everything (`:reset`).
    public mutating func clear() { entries.removeAll() }

    /// The script: a header saying where it came from, then the inputs.
    public func script(savedAs name: String, date: Date = Date()) -> String {
        let stamp = ISO8601DateFormatter().string(from: date)
        var text = "# \(name): saved from a ptune REPL session at \(stamp)\n# run it with: ptune \(name)\n\n"
        for entry in entries { text += entry + (entry.hasSuffix("\n") ? "" : "\n") }
        return text
    }
}
