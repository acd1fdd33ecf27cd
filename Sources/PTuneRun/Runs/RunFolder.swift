import Foundation

/// One recorded run, read back from its folder: the record and its per-step metrics, and the numbers a run table
/// shows (final and best loss and eval of the last `train` block).
public struct RunFolder: Sendable {
    /// The folder's path.
    public var path: String
    /// Its name relative to the folder the runs were gathered from.
    public var name: String
    /// `record.json`.
    public var record: RunRecord
    /// `metrics.csv` (empty when missing).
    public var metrics: MetricsFile

    /// Reads the record folder at `path`, named `name`.
    public init(path: String, name: String) throws(RunsError) {
        self.path = path
        self.name = name
        let recordPath = path + "/record.json"
        guard FileManager.default.fileExists(atPath: recordPath) else { throw .unreadable(path, "no run record (record.json) there") }
        do { record = try RunRecord.read(from: recordPath) } catch {
            throw .unreadable(recordPath, "\(error)")
        }
        metrics = MetricsFile.read(from: path + "/" + record.metricsCSV) ?? MetricsFile(csv: "")
    }

    /// Every record folder under `root` (a folder holding `record.json`; the root itself may be one), sorted by
    /// name. Hidden folders (a sweep's working files) are skipped.
    public static func gather(_ root: String) throws(RunsError) -> [RunFolder] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw .notAFolder(root)
        }
        let base = (root as NSString).standardizingPath
        if FileManager.default.fileExists(atPath: base + "/record.json") {
            return [try RunFolder(path: base, name: (base as NSString).lastPathComponent)]
        }
        var found: [String] = []
        if let walker = FileManager.default.enumerator(atPath: base) {
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") { walker.skipDescendants(); continue }
                if name == "record.json" { found.append((relative as NSString).deletingLastPathComponent) }
            }
        }
        return try found.sorted().map { (relative) throws(RunsError) in try RunFolder(path: base + "/" + relative, name: relative) }
    }

    /// The final metrics of the last `train` block, if any ran.
    public var final: RunRecord.FinalMetrics? { record.finalMetrics.last }

    /// The lowest loss of the last block's steps.
    public var bestLoss: Double? { metrics.lastBlock.map(\.loss).min() }

    /// The best eval of the last block's steps: the lowest, or with `goal` `.max` the highest.
    public func bestEval(goal: MetricGoal) -> Double? {
        let evals = metrics.lastBlock.compactMap(\.eval)
        return goal == .max ? evals.max() : evals.min()
    }

    /// The value of `name` as the run was given it: its override's text, or `seed`.
    public func setting(_ name: String) -> String? {
        if name == "seed" { return String(record.seed) }
        return record.overrides.last { $0.name == name }?.value
    }
}

/// Whether a higher or a lower eval metric is better.
public enum MetricGoal: String, CaseIterable, Sendable {
    /// Higher is better (accuracy).
    case max
    /// Lower is better (an eval loss).
    case min
}

/// Why runs could not be read or shown.
public enum RunsError: Error, CustomStringConvertible, Equatable {
    /// The path is not a folder.
    case notAFolder(String)
    /// A record could not be read or decoded.
    case unreadable(String, String)
    /// No runs were found.
    case noRuns(String)
    /// A column name that is not in the table, named where it was asked for, with the names that would serve there.
    case unknownColumn(String, [String], ColumnUse)

    /// Where a command line names a column of a run table or plot.
    public enum ColumnUse: Sendable {
        /// `--group-by`: a setting (an override, or the seed).
        case groupBy
        /// `--sort`.
        case sort
        /// `--columns`.
        case shown

        /// The option, and what the names it takes are.
        var option: (flag: String, noun: String) {
            switch self {
            case .groupBy: return ("--group-by", "setting")
            case .sort: return ("--sort", "column")
            case .shown: return ("--columns", "column")
            }
        }
    }

    /// The message.
    public var description: String {
        switch self {
        case let .notAFolder(p): return "'\(p)' is not a folder"
        case let .unreadable(p, why): return "cannot read '\(p)': \(why)"
        case let .noRuns(p): return "no run records (record.json) under '\(p)'"
        case let .unknownColumn(c, known, use):
            let (flag, noun) = use.option
            let list = known.isEmpty ? "the runs have none" : "the \(noun)s are: " + known.joined(separator: ", ")
            return "\(flag): no \(noun) '\(c)'" + (use == .groupBy ? " to group by" : "") + "; \(list)"
        }
    }
}
