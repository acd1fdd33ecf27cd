import Foundation

/// What the command line asked for, shared by every way of running ptune (script, `-e`, stdin, REPL).
public struct RunSettings: Sendable {
    /// `--seed N`.
    public var seed: UInt64?
    /// `--set NAME=VALUE`, in order.
    public var overrides: [RunRecord.Override]
    /// `--allow-path DIR`, as given.
    public var allowPaths: [String]
    /// `--quiet`: no progress bars or log lines, no notes.
    public var quiet: Bool
    /// Colour in messages (terminal, and not `--no-color`).
    public var color: Bool
    /// `--record DIR`.
    public var recordDirectory: String?
    /// How training progress is shown.
    public var progress: TrainingReporter.Style

    /// Settings; `progress` defaults to a bar on a terminal and log lines elsewhere (nothing with `quiet`).
    public init(seed: UInt64? = nil, overrides: [RunRecord.Override] = [], allowPaths: [String] = [], quiet: Bool = false,
                color: Bool = false, recordDirectory: String? = nil, progress: TrainingReporter.Style? = nil) {
        self.seed = seed
        self.overrides = overrides
        self.allowPaths = allowPaths
        self.quiet = quiet
        self.color = color
        self.recordDirectory = recordDirectory
        self.progress = progress ?? (quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .bar : .log))
    }

    /// Parses `NAME=VALUE` (the name a plain identifier, the value non-empty); nil when malformed.
    public static func parseOverride(_ text: String) -> RunRecord.Override? {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let name = text[..<eq].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard let first = name.unicodeScalars.first, !value.isEmpty,
              CharacterSet.letters.contains(first) || first == "_",
              name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" }) else { return nil }
        return RunRecord.Override(name: name, value: value)
    }

    /// The command-line words that reproduce these settings for `script` (for a record's `rerun`).
    public func rerunCommand(script: String) -> [String] {
        var words = ["ptune"]
        if let seed { words += ["--seed", String(seed)] }
        for o in overrides { words += ["--set", "\(o.name)=\(o.value)"] }
        for p in allowPaths { words += ["--allow-path", p] }
        return words + [script]
    }
}
