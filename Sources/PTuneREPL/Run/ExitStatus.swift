/// The exit statuses of the `ptune` command (sysexits-style where one fits).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Everything ran (or checked) without error.
    case success = 0
    /// A runtime error or a failed `assert`.
    case runtimeError = 1
    /// The command line was wrong (unknown option, missing file, bad `--set`).
    case usage = 2
    /// A syntax or check error: nothing ran (`EX_DATAERR`).
    case syntaxError = 65
    /// Stopped by Ctrl-C (128 + SIGINT).
    case interrupted = 130

    /// The status for a run's failure kind.
    public init(_ kind: FailureKind) {
        switch kind {
        case .syntax: self = .syntaxError
        case .runtime: self = .runtimeError
        case .interrupted: self = .interrupted
        }
    }
}
