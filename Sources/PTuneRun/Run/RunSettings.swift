import Foundation
import PTuneLang
import PTuneNN

/// What the command line asked for, shared by every way of running ptune (script, `-e`, stdin, check, REPL).
public struct RunSettings: Sendable {
    /// `--seed N`.
    public var seed: UInt64?
    /// `--set NAME=VALUE`, in order.
    public var overrides: [Override]
    /// `--allow-path DIR`, as given.
    public var allowPaths: [String]
    /// `--quiet`: no progress bars or log lines, no notes.
    public var quiet: Bool
    /// Colour in messages (terminal, and not `--no-color`).
    public var color: Bool
    /// `--record DIR`.
    public var recordDirectory: String?
    /// `--output-dir DIR`: where relative paths the script writes land.
    public var outputDirectory: String?
    /// How training progress is shown.
    public var progress: TrainingReporter.Style
    /// `--timeout`, `--max-memory`, `--max-tensor-bytes`, `--max-tensor-elements`, `--max-depth`.
    public var limits: Limits
    /// `--dequantize`: models load with every weight decoded to float32 (as `load(…, dtype: "float32")`).
    public var dequantize: Bool
    /// `--kv-cache float16`: `generate(…)` keeps its KV cache in float16 unless the call says otherwise.
    public var kvCache: KVCacheElement

    /// Settings; `progress` defaults to a bar on a terminal and log lines elsewhere (nothing with `quiet`).
    public init(seed: UInt64? = nil, overrides: [Override] = [], allowPaths: [String] = [], quiet: Bool = false,
                color: Bool = false, recordDirectory: String? = nil, progress: TrainingReporter.Style? = nil,
                limits: Limits = Limits(), dequantize: Bool = false, outputDirectory: String? = nil,
                kvCache: KVCacheElement = .float32) {
        self.limits = limits
        self.kvCache = kvCache
        self.dequantize = dequantize
        self.outputDirectory = outputDirectory
        self.seed = seed
        self.overrides = overrides
        self.allowPaths = allowPaths
        self.quiet = quiet
        self.color = color
        self.recordDirectory = recordDirectory
        self.progress = progress ?? (quiet ? .quiet : (isatty(STDERR_FILENO) == 1 ? .bar : .log))
    }

    /// The options of a language session run with these settings.
    public var sessionOptions: SessionOptions {
        SessionOptions(seedOverride: seed, overrides: overrides, fileAccess: FileAccess(extra: allowPaths, output: outputDirectory),
                       limits: limits, modelStorage: dequantize ? .float32 : .stored, kvCache: kvCache)
    }

    /// The command-line words that reproduce these settings for `script` (for a record's `rerun`).
    public func rerunCommand(script: String) -> [String] {
        var words = ["ptune"]
        if let seed { words += ["--seed", String(seed)] }
        for o in overrides { words += ["--set", "\(o.name)=\(o.text)"] }
        for p in allowPaths { words += ["--allow-path", p] }
        if dequantize { words.append("--dequantize") }
        if kvCache != .float32 { words += ["--kv-cache", kvCache.rawValue] }
        if let outputDirectory { words += ["--output-dir", outputDirectory] }
        return words + [script]
    }
}
