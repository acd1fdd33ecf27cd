import ArgumentParser
import PTuneLang
import PTuneNN
import PTuneRun

/// The options every way of running ptune shares: seed and overrides, file access, output and the limits. Given
/// before or after a subcommand's name, they mean the same.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Replace the script's seed (every random draw follows it).", valueName: "N"))
    var seed: UInt64?

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override a top-level 'dim' or a 'let' of a literal value (repeatable), e.g. --set virtual=20.",
                               valueName: "NAME=VALUE"))
    var overrides: [Override] = []

    @Option(name: .customLong("allow-path"),
            help: ArgumentHelp("Let the script read and write files under DIR too (repeatable). By default it may only use its own folder and the working directory.",
                               valueName: "DIR"))
    var allowPaths: [String] = []

    @Option(name: .customLong("output-dir"),
            help: ArgumentHelp("Write the files the script saves under relative paths (checkpoints, logs, adapters) into DIR, created if missing; relative reads look in DIR first, then beside the script.",
                               valueName: "DIR"))
    var outputDirectory: String?

    @Flag(name: .long, help: "Load models with every weight decoded to float32 (as load(…, dtype: \"float32\")) instead of keeping a GGUF file's quantized blocks.")
    var dequantize = false

    @Option(name: .customLong("kv-cache"),
            help: ArgumentHelp("How generate(…) stores keys and values when the call does not say: float32 (exact) or float16 (half the memory, rounded).",
                               valueName: "TYPE"))
    var kvCache: KVCacheElement = .float32

    @Flag(name: .long, help: "No progress bars, log lines or notes; only what the script prints, and errors.")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "Plain messages without ANSI colours (also: NO_COLOR=1).")
    var noColor = false

    @Option(name: .long, help: ArgumentHelp("Stop the run (or a REPL entry) after this many seconds, at the next step boundary (default: no limit).",
                                            valueName: "SECONDS"))
    var timeout: Seconds?

    @Option(name: .customLong("max-memory"),
            help: ArgumentHelp("The most memory a script may hold (tensors, lists, strings, training history, the autodiff graph), e.g. 512M, 8G (default 8G).", valueName: "SIZE"))
    var maxMemory: ByteSize?

    @Option(name: .customLong("max-tensor-bytes"),
            help: ArgumentHelp("The most memory one tensor may take, e.g. 512M (default 4G).", valueName: "SIZE"))
    var maxTensorBytes: ByteSize?

    @Option(name: .customLong("max-tensor-elements"),
            help: ArgumentHelp("The most elements one tensor may have (default 1073741824, 2^30).", valueName: "N"))
    var maxTensorElements: PositiveCount?

    @Option(name: .customLong("max-depth"),
            help: ArgumentHelp("How deeply functions may call each other (default 400).", valueName: "N"))
    var maxDepth: PositiveCount?

    /// These options as command-line words for a child `ptune` (a sweep point): file access, output and limits —
    /// not the seed or the overrides, which the sweep sets per point.
    var passthrough: [String] {
        var words: [String] = []
        for p in allowPaths { words += ["--allow-path", ScriptRunnerPaths.absolute(p)] }
        if quiet { words.append("--quiet") }
        if noColor { words.append("--no-color") }
        if dequantize { words.append("--dequantize") }
        if kvCache != .float32 { words += ["--kv-cache", kvCache.rawValue] }
        if let t = timeout { words += ["--timeout", String(t.value)] }
        if let s = maxMemory { words += ["--max-memory", String(s.bytes)] }
        if let s = maxTensorBytes { words += ["--max-tensor-bytes", String(s.bytes)] }
        if let n = maxTensorElements { words += ["--max-tensor-elements", String(n.value)] }
        if let n = maxDepth { words += ["--max-depth", String(n.value)] }
        return words
    }

    /// The settings these options describe, recording the run in `record` (a folder) if given.
    func settings(record: String? = nil) -> RunSettings {
        var limits = Limits()
        limits.timeout = timeout?.value
        if let s = maxMemory { limits.maxMemoryBytes = s.bytes }
        if let s = maxTensorBytes { limits.maxTensorBytes = s.bytes }
        if let n = maxTensorElements { limits.maxTensorElements = n.value }
        if let n = maxDepth { limits.maxCallDepth = n.value }
        return RunSettings(seed: seed, overrides: overrides, allowPaths: allowPaths, quiet: quiet,
                           color: Console.wantsColor(noColorFlag: noColor), recordDirectory: record, limits: limits,
                           dequantize: dequantize, outputDirectory: outputDirectory, kvCache: kvCache)
    }
}

/// `-e CODE`: source given on the command line instead of a file.
struct CodeOption: ParsableArguments {
    @Option(name: .customShort("e"), help: ArgumentHelp("Run (or with check, check) CODE — one or more statements — and exit.",
                                                        valueName: "CODE"))
    var code: String?
}

/// `--record DIR`: the run record of a script run.
struct RecordOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Write a run record to DIR: record.json (hashes, overrides, seed, version, times, final metrics), a copy of the script and metrics.csv.",
                                            valueName: "DIR"))
    var record: String?
}
