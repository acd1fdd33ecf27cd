import Foundation

/// `record.json`: what a shared run was — the script and every file it imports (copied beside it, hashed), the
/// overrides and seed, the ptune version, when it ran, what it printed, the final metrics, and the hash of every
/// file it read and saved — so someone else can rerun it bit for bit and compare.
public struct RunRecord: Codable, Equatable, Sendable {
    /// One `--set NAME=VALUE`.
    public struct Override: Codable, Equatable, Sendable {
        /// The dim or `let` name.
        public var name: String
        /// The value as given.
        public var value: String
        /// An override.
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    /// The last numbers of one `train` block.
    public struct FinalMetrics: Codable, Equatable, Sendable {
        /// What was trained.
        public var block: String
        /// Steps taken (fewer than `total_steps` when it stopped early).
        public var step: Int
        /// Steps planned.
        public var totalSteps: Int
        /// The loss of the last step.
        public var loss: Double
        /// The last eval metric's name, if the block evaluated.
        public var evalName: String?
        /// The last eval metric's value.
        public var eval: Double?
        /// How many numbers the block trained (its targets' trainable parameters); nil in older records.
        public var trainableParameters: Int? = nil
        /// The mean seconds of a step (loss, backward, update; evaluations and checkpoints excluded) over the steps
        /// this run took; nil in older records and when every step was restored from a checkpoint.
        public var secondsPerStep: Double? = nil
        /// A block with `task:`: each task's last eval, by task (finite values only); nil otherwise.
        public var taskEvals: [String: Double]? = nil

        enum CodingKeys: String, CodingKey {
            case block, step, loss, eval
            case totalSteps = "total_steps"
            case evalName = "eval_name"
            case trainableParameters = "trainable_parameters"
            case secondsPerStep = "seconds_per_step"
            case taskEvals = "task_evals"
        }
    }

    /// A file the run wrote, with its SHA-256.
    public struct SavedFile: Codable, Equatable, Sendable {
        /// The path, relative to the working directory when inside it.
        public var path: String
        /// The file's SHA-256 (hex), or nil if it could not be read afterwards.
        public var sha256: String?
        /// Its size in bytes.
        public var bytes: Int?
    }

    /// A file the script imports, copied into the record.
    public struct ImportedFile: Codable, Equatable, Sendable {
        /// The path, relative to the script's folder when inside it.
        public var path: String
        /// The file's SHA-256 (hex) when it was copied.
        public var sha256: String
        /// Its size in bytes.
        public var bytes: Int
        /// Where its copy is in the record folder: at the same place relative to the script's copy when the file
        /// is inside the script's folder (so the copy runs as it is), else under `imports/`.
        public var copy: String
    }

    /// The ptune version that ran it.
    public var ptuneVersion: String
    /// The script's path as given on the command line.
    public var script: String
    /// The SHA-256 of the script's bytes.
    public var scriptSHA256: String
    /// The name of the script's copy in the record folder.
    public var scriptCopy: String
    /// The seed the run's random draws followed.
    public var seed: UInt64
    /// Where the seed came from.
    public var seedSource: SeedSource
    /// The `seed` statement that set it (file, line, column), when one did.
    public var seedStatement: String?
    /// Every file the script imports (nested imports too), copied; nil in older records.
    public var imports: [ImportedFile]? = nil
    /// The `--set` overrides, in order.
    public var overrides: [Override]
    /// The command that reruns it (the recorded script with the recorded overrides).
    public var rerun: [String]
    /// When it started and ended (ISO 8601, UTC).
    public var started: String
    /// When it ended.
    public var finished: String
    /// Wall-clock seconds.
    public var seconds: Double
    /// The exit status.
    public var exitStatus: Int32
    /// The final metrics of every `train` block, in order.
    public var finalMetrics: [FinalMetrics]
    /// The per-step metrics file in the record folder.
    public var metricsCSV: String
    /// The SHA-256 of the metrics file.
    public var metricsSHA256: String
    /// Every file the run saved (new or changed, after the run, under the folders the script may write to).
    public var savedFiles: [SavedFile]
    /// Every other file the run read (data, models, vocabularies, adapters, checkpoints), hashed when first read;
    /// nil in older records.
    public var readFiles: [SavedFile]? = nil
    /// The file in the record folder holding everything the script printed on standard output; nil in older records.
    public var output: String? = nil
    /// The SHA-256 of that file; nil in older records.
    public var outputSHA256: String? = nil
    /// The most memory the process held at once (its peak resident set), in bytes; nil in older records.
    public var peakMemoryBytes: Int? = nil
    /// The machine it ran on; nil in older records.
    public var environment: RunEnvironment? = nil
    /// The TensorBoard event file in the record folder (scalars per step); nil in older records.
    public var eventsFile: String? = nil
    /// The named results the script kept with `log_metric` (the last value of each; finite numbers only); nil when
    /// it kept none, and in older records.
    public var results: [String: Double]? = nil

    enum CodingKeys: String, CodingKey {
        case script, seed, overrides, rerun, started, finished, seconds
        case ptuneVersion = "ptune_version"
        case seedSource = "seed_source"
        case scriptSHA256 = "script_sha256"
        case scriptCopy = "script_copy"
        case exitStatus = "exit_status"
        case finalMetrics = "final_metrics"
        case metricsCSV = "metrics_csv"
        case metricsSHA256 = "metrics_sha256"
        case savedFiles = "saved_files"
        case seedStatement = "seed_statement"
        case imports
        case readFiles = "read_files"
        case output
        case outputSHA256 = "output_sha256"
        case peakMemoryBytes = "peak_memory_bytes"
        case environment
        case eventsFile = "events_file"
        case results
    }

    /// The record as pretty, key-sorted JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads a `record.json`.
    public static func read(from path: String) throws -> RunRecord {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(RunRecord.self, from: data)
    }
}
