import Foundation
import PTuneLang

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
    /// `--timeout`, `--max-memory`, `--max-tensor-bytes`, `--max-tensor-elements`, `--max-depth`.
    public var limits: Limits

    /// Settings; `progress` defaults to a bar on a terminal and log lines elsewhere (nothing with `quiet`).
    public init(seed: UInt64? = nil, overrides: [RunRecord.Override] = [], allowPaths: [String] = [], quiet: Bool = false,
                color: Bool = false, recordDirectory: String? = nil, progress: TrainingReporter.Style? = nil,
                limits: Limits = Limits()) {
        self.limits = limits
        self.seed = seed
        self.overrides = overrides
        self.allowPaths = allowPaths
        self.quiet = quiet
        self.color = color
        self.recordDirectory = recordDirectory
        self.progress = progress ?? (quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .bar : .log))
    }

    /// Parses a size in bytes: a whole number with an optional K, M, G or T suffix (powers of 1024, `B` optional,
    /// any case): `512M`, `8G`, `65536`. Nil when malformed, zero or too large.
    public static func parseSize(_ text: String) -> Int? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        if digits.hasSuffix("B") { digits.removeLast() }
        var shift = 0
        if let unit = digits.last, let i = "KMGT".firstIndex(of: unit) {
            shift = 10 * ("KMGT".distance(from: "KMGT".startIndex, to: i) + 1)
            digits.removeLast()
        }
        guard let n = Int(digits), n > 0, n <= (Int.max >> shift) else { return nil }
        return n << shift
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
