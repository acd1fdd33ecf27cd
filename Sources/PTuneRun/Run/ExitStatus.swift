import PTuneLang

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

    /// The status of a run that failed this way: syntax and check errors (and input that ends inside a statement)
    /// are 65, a stop by Ctrl-C is 130, any other runtime error is 1.
    public init(_ failure: RunFailure) {
        switch failure {
        case .incomplete, .syntax, .check: self = .syntaxError
        case .runtime: self = failure.isInterruption ? .interrupted : .runtimeError
        }
    }
}
