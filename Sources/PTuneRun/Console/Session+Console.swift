import PTuneLang

extension Session {
    /// A language session writing to `console`: `print` output to its output, training log lines and summaries to
    /// its output unless `quiet`, notes (the default-seed note) to its messages unless `quiet`. `cancellation` is the flag
    /// Ctrl-C sets.
    public static func printing(to console: Console, options: SessionOptions, quiet: Bool,
                                cancellation: CancellationFlag = CancellationFlag()) -> Session {
        let output = OutputSink(write: { console.out($0 + "\n") }, note: { quiet ? () : console.err($0 + "\n") },
                                log: { quiet ? () : console.out($0 + "\n") })
        return Session(options: options, output: output, cancellation: cancellation)
    }
}
