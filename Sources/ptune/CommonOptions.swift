import ArgumentParser
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

    mutating func validate() throws {
        for text in overrides where RunSettings.parseOverride(text) == nil {
            throw ValidationError("--set expects NAME=VALUE (a name, '=', then a value), got '\(text)'")
        }
    }

    /// The settings these options describe.
    var settings: RunSettings {
        RunSettings(seed: seed, overrides: overrides.compactMap(RunSettings.parseOverride), allowPaths: allowPaths,
                    quiet: quiet, color: Console.wantsColor(noColorFlag: noColor), recordDirectory: record)
    }
}
