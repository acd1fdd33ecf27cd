import PTuneLang

extension Session {
    /// A language session writing to `console`: `print` output and training log lines to its output, notes (the
    /// default-seed note, the frozen-model check) to its messages unless `quiet`. `cancellation` is the flag
    /// Ctrl-C sets.
    public static func printing(to console: Console, options: SessionOptions, quiet: Bool,
                                cancellation: CancellationFlag = CancellationFlag()) -> Session {
        let output = OutputSink(write: { console.out($0 + "\n") }, note: { quiet ? () : console.err($0 + "\n") })
        return Session(options: options, output: output, cancellation: cancellation)
    }
}
