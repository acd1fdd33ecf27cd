import ArgumentParser
import PTuneLang
import PTuneREPL

/// The options every way of running ptune shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Replace the script's seed (every random draw follows it).", valueName: "N"))
    var seed: UInt64?

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override a top-level 'dim' or a 'let' of a literal value (repeatable), e.g. --set virtual=20.",
                               valueName: "NAME=VALUE"))
    var overrides: [String] = []

    @Option(name: .customLong("allow-path"),
            help: ArgumentHelp("Let the script read and write files under DIR too (repeatable). By default it may only use its own folder and the working directory.",
                               valueName: "DIR"))
    var allowPaths: [String] = []

    @Flag(name: .long, help: "No progress bars, log lines or notes; only what the script prints, and errors.")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "Plain messages without ANSI colours (also: NO_COLOR=1).")
    var noColor = false

    @Option(name: .long, help: ArgumentHelp("Write a run record to DIR: record.json (hashes, overrides, seed, version, times, final metrics), a copy of the script and metrics.csv.",
                                            valueName: "DIR"))
    var record: String?

    @Option(name: .long, help: ArgumentHelp("Stop the run (or a REPL entry) after this many seconds, at the next step boundary (default: no limit).",
                                            valueName: "SECONDS"))
    var timeout: Double?

    @Option(name: .customLong("max-memory"),
            help: ArgumentHelp("The most memory all tensors may hold together, e.g. 512M, 8G (default 8G).", valueName: "SIZE"))
    var maxMemory: String?

    @Option(name: .customLong("max-tensor-bytes"),
            help: ArgumentHelp("The most memory one tensor may take (default 4G).", valueName: "SIZE"))
    var maxTensorBytes: String?

    @Option(name: .customLong("max-tensor-elements"),
            help: ArgumentHelp("The most elements one tensor may have (default 1073741824, 2^30).", valueName: "N"))
    var maxTensorElements: Int?

    @Option(name: .customLong("max-depth"),
            help: ArgumentHelp("How deeply functions may call each other (default 400).", valueName: "N"))
    var maxDepth: Int?

    mutating func validate() throws {
        for text in overrides where RunSettings.parseOverride(text) == nil {
            throw ValidationError("--set expects NAME=VALUE (a name, '=', then a value), got '\(text)'")
        }
        if let t = timeout, !(t > 0 && t.isFinite) { throw ValidationError("--timeout expects a positive number of seconds, got \(t)") }
        for (flag, text) in [("--max-memory", maxMemory), ("--max-tensor-bytes", maxTensorBytes)] {
            if let text, RunSettings.parseSize(text) == nil {
                throw ValidationError("\(flag) expects a size such as 512M or 8G, got '\(text)'")
            }
        }
        for (flag, n) in [("--max-tensor-elements", maxTensorElements), ("--max-depth", maxDepth)] {
            if let n, n < 1 { throw ValidationError("\(flag) expects a positive number, got \(n)") }
        }
    }

    /// The settings these options describe.
    var settings: RunSettings {
        var limits = Limits()
        limits.timeout = timeout
        if let s = maxMemory.flatMap(RunSettings.parseSize) { limits.maxMemoryBytes = s }
        if let s = maxTensorBytes.flatMap(RunSettings.parseSize) { limits.maxTensorBytes = s }
        if let n = maxTensorElements { limits.maxTensorElements = n }
        if let n = maxDepth { limits.maxCallDepth = n }
        return RunSettings(seed: seed, overrides: overrides.compactMap(RunSettings.parseOverride), allowPaths: allowPaths,
                           quiet: quiet, color: Console.wantsColor(noColorFlag: noColor), recordDirectory: record,
                           limits: limits)
    }
}
