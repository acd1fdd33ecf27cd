import Foundation

/// Where the REPL and the command line write: output (values, `print`, log lines) and messages (errors, notes,
/// progress bars), and whether they may use ANSI colour.
public struct Console: Sendable {
    /// Writes output text as is (callers add newlines).
    public var out: @Sendable (String) -> Void
    /// Writes message text as is.
    public var err: @Sendable (String) -> Void
    /// Whether error messages and charts may be coloured.
    public var color: Bool

    /// A console writing to the given sinks.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, color: Bool) {
        self.out = out
        self.err = err
        self.color = color
    }

    /// Standard output and standard error, unbuffered.
    public static func standard(color: Bool) -> Console {
        Console(out: { FileHandle.standardOutput.write(Data($0.utf8)) },
                err: { FileHandle.standardError.write(Data($0.utf8)) }, color: color)
    }

    /// Whether colour suits these streams: both are terminals, `--no-color` was not given, `NO_COLOR` is not set
    /// and `TERM` is not `dumb`.
    public static func wantsColor(noColorFlag: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if noColorFlag || environment["NO_COLOR"] != nil || environment["TERM"] == "dumb" { return false }
        return isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
    }

    /// The terminal's width in columns (80 when it cannot be told).
    public static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let cols = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), cols > 0 { return cols }
        return 80
    }
}
