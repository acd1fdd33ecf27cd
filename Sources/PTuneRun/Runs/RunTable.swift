import Foundation

/// A table of recorded runs: one row per run — its overrides and seed, exit status, steps, final and best loss and
/// eval, time and peak memory — or, grouped, one row per group with the mean ± standard deviation of every number
/// over the group's runs (typically the seeds).
public struct RunTable: Sendable {
    /// How the table is built.
    public struct Options: Sendable {
        /// Keep only the setting columns (overrides, seed, recipe) whose values differ between runs.
        public var onlyChanged = false
        /// Group rows by these settings; numbers become mean ± std over each group.
        public var groupBy: [String] = []
        /// Sort rows by this column (numbers by value, a group's by their mean).
        public var sort: String?
        /// Sort from the largest.
        public var descending = false
        /// Whether a higher or lower eval is the best one (lower, as a `train` block's `goal` by default).
        public var goal: MetricGoal = .min
        /// Show only these columns, in this order (nil: every column).
        public var columns: [String]?

        /// Default options: every column, no groups, in folder order.
        public init(onlyChanged: Bool = false, groupBy: [String] = [], sort: String? = nil, descending: Bool = false,
                    goal: MetricGoal = .min, columns: [String]? = nil) {
            self.onlyChanged = onlyChanged
            self.groupBy = groupBy
            self.sort = sort
            self.descending = descending
            self.goal = goal
            self.columns = columns
        }
    }

    /// How a number is shown.
    public enum Unit: Sendable {
        /// A count or a status.
        case integer
        /// A loss or a metric (four decimals).
        case metric
        /// Seconds (one decimal).
        case seconds
        /// Seconds of one step (three decimals).
        case stepSeconds
        /// Bytes (shown in MiB).
        case bytes
    }

    /// One cell.
    public enum Cell: Hashable, Sendable {
        /// A setting as written.
        case text(String)
        /// A number.
        case number(Double, Unit)
        /// The mean and sample standard deviation of `n` numbers.
        case stat(mean: Double, std: Double, n: Int, Unit)
        /// Nothing (the run has no such value).
        case empty

        /// The number it sorts by.
        var sortKey: Double? {
            switch self {
            case let .number(v, _), let .stat(v, _, _, _): return v
            case let .text(s): return Double(s)
            case .empty: return nil
            }
        }
    }

    /// A column: its name, and whether it is a setting (text) or a number.
    public struct Column: Equatable, Sendable {
        /// The name (the header).
        public var name: String
        /// Whether the column holds settings rather than results.
        public var isSetting: Bool
    }

    /// The columns, in order.
    public private(set) var columns: [Column]
    /// The rows, each with one cell per column.
    public private(set) var rows: [[Cell]]

    /// The table of `runs`.
    public init(runs: [RunFolder], options: Options = Options()) throws(RunsError) {
        var settingNames: [String] = []
        for run in runs { for o in run.record.overrides where !settingNames.contains(o.name) { settingNames.append(o.name) } }
        settingNames += ["seed"]
        let recipes = Set(runs.map(\.record.scriptSHA256))
        if recipes.count > 1 || !options.onlyChanged { settingNames.insert("recipe", at: 0) }
        let hasEval = runs.contains { $0.final?.eval != nil || $0.metrics.steps.contains { $0.eval != nil } }
        let hasStepFigures = runs.contains { $0.final?.trainableParameters != nil || $0.final?.secondsPerStep != nil }
        // The results scripts kept with `log_metric`, by name; one named like a column of the table is `NAME_result`.
        // With `task:`, each task's last eval as `eval_TASK`.
        var taskNames: [String] = []
        for run in runs { for name in (run.final?.taskEvals ?? [:]).keys.sorted() where !taskNames.contains(name) { taskNames.append(name) } }
        let taskKeys = taskNames.map { RunTable.taskEvalPrefix + $0 }
        let builtIn = ["status", "steps", "loss", "best_loss", "eval", "best_eval", "trainable_parameters",
                       "seconds_per_step", "seconds", "peak_memory"] + taskKeys
        var resultNames: [String] = []
        for run in runs { for name in (run.record.results ?? [:]).keys.sorted() where !resultNames.contains(name) { resultNames.append(name) } }
        let resultKeys = resultNames.map { builtIn.contains($0) ? $0 + "_result" : $0 }
        let metricKeys = ["status", "steps", "loss", "best_loss"] + (hasEval ? ["eval", "best_eval"] : []) + taskKeys + resultKeys
            + (hasStepFigures ? ["trainable_parameters", "seconds_per_step"] : []) + ["seconds", "peak_memory"]

        var settings = runs.map { run in settingNames.map { RunTable.setting($0, of: run) } }
        if options.onlyChanged {
            let keep = settingNames.indices.filter { i in Set(settings.map { $0[i] }).count > 1 || options.groupBy.contains(settingNames[i]) }
            settingNames = keep.map { settingNames[$0] }
            settings = settings.map { row in keep.map { row[$0] } }
        }
        let results = Dictionary(uniqueKeysWithValues: zip(resultKeys, resultNames))
        let numbers = runs.map { run in
            metricKeys.map { key in
                results[key].map { run.record.results?[$0].map { Cell.number($0, .metric) } ?? .empty }
                    ?? RunTable.metric(key, of: run, goal: options.goal)
            }
        }
        // A result named like a setting (a recipe's `let steps`) is shown as `steps_run`.
        let allSettings = Set(runs.flatMap { $0.record.overrides.map(\.name) })
        let metricNames = metricKeys.map { allSettings.contains($0) ? $0 + "_run" : $0 }
        let known = settingNames + metricNames
        for name in options.groupBy where !settingNames.contains(name) {
            throw .unknownColumn(name, settingNames, .groupBy)
        }
        if options.groupBy.isEmpty {
            columns = [Column(name: "run", isSetting: true)] + settingNames.map { Column(name: $0, isSetting: true) }
                + metricNames.map { Column(name: $0, isSetting: false) }
            rows = runs.indices.map { i in [.text(runs[i].name)] + settings[i] + numbers[i] }
        } else {
            let keyIndices = options.groupBy.compactMap { settingNames.firstIndex(of: $0) }
            var order: [[Cell]] = [], members: [[Cell]: [Int]] = [:]
            for i in runs.indices {
                let key = keyIndices.map { settings[i][$0] }
                if members[key] == nil { order.append(key) }
                members[key, default: []].append(i)
            }
            columns = options.groupBy.map { Column(name: $0, isSetting: true) } + [Column(name: "runs", isSetting: false)]
                + metricNames.map { Column(name: $0, isSetting: false) }
            rows = order.map { key in
                let group = members[key] ?? []
                let stats = metricNames.indices.map { m in RunTable.stat(group.map { numbers[$0][m] }) }
                return key + [.number(Double(group.count), .integer)] + stats
            }
        }
        if let sort = options.sort {
            guard let c = columns.firstIndex(where: { $0.name == sort }) else {
                throw .unknownColumn(sort, columns.map(\.name).filter { known.contains($0) || $0 == "run" || $0 == "runs" }, .sort)
            }
            rows = RunTable.sorted(rows, by: c, descending: options.descending)
        }
        if let chosen = options.columns {
            let indices = try chosen.map { (name) throws(RunsError) -> Int in
                guard let c = columns.firstIndex(where: { $0.name == name }) else { throw .unknownColumn(name, columns.map(\.name), .shown) }
                return c
            }
            columns = indices.map { columns[$0] }
            rows = rows.map { row in indices.map { row[$0] } }
        }
    }

    /// The prefix of a task's eval column (`eval_sentiment`).
    static let taskEvalPrefix = "eval_"

    /// The setting `name` of `run`: `recipe` is the script's name and the start of its hash.
    static func setting(_ name: String, of run: RunFolder) -> Cell {
        if name == "recipe" { return .text(run.record.scriptCopy + "@" + run.record.scriptSHA256.prefix(8)) }
        return run.setting(name).map(Cell.text) ?? .empty
    }

    /// The number `name` of `run`.
    static func metric(_ name: String, of run: RunFolder, goal: MetricGoal) -> Cell {
        func cell(_ v: Double?, _ unit: Unit) -> Cell { v.map { .number($0, unit) } ?? .empty }
        switch name {
        case "status": return .number(Double(run.record.exitStatus), .integer)
        case "steps": return cell(run.final.map { Double($0.step) }, .integer)
        case "loss": return cell(run.final?.loss, .metric)
        case "best_loss": return cell(run.bestLoss, .metric)
        case "eval": return cell(run.final?.eval ?? run.metrics.lastBlock.last(where: { $0.eval != nil })?.eval, .metric)
        case "best_eval": return cell(run.bestEval(goal: goal), .metric)
        case "seconds": return cell(run.record.seconds, .seconds)
        case "peak_memory": return cell(run.record.peakMemoryBytes.map(Double.init), .bytes)
        case "trainable_parameters": return cell(run.final?.trainableParameters.map(Double.init), .integer)
        case "seconds_per_step": return cell(run.final?.secondsPerStep, .stepSeconds)
        default:
            guard name.hasPrefix(taskEvalPrefix) else { return .empty }
            return cell(run.final?.taskEvals?[String(name.dropFirst(taskEvalPrefix.count))], .metric)
        }
    }

    /// The mean and sample standard deviation of the numbers among `cells`.
    static func stat(_ cells: [Cell]) -> Cell {
        var unit = Unit.metric
        let values = cells.compactMap { cell -> Double? in
            guard case let .number(v, u) = cell else { return nil }
            unit = u
            return v
        }
        guard !values.isEmpty else { return .empty }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.count > 1 ? values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1) : 0
        return .stat(mean: mean, std: variance.squareRoot(), n: values.count, unit)
    }

    /// `rows` sorted by column `c` (stable; rows without a value last).
    static func sorted(_ rows: [[Cell]], by c: Int, descending: Bool) -> [[Cell]] {
        let indexed = Array(rows.enumerated())
        return indexed.sorted { a, b in
            let (x, y) = (a.element[c], b.element[c])
            switch (x.sortKey, y.sortKey) {
            case let (p?, q?) where p != q: return descending ? p > q : p < q
            case (_?, nil): return true
            case (nil, _?): return false
            default:
                if case let .text(s) = x, case let .text(t) = y, s != t { return descending ? s > t : s < t }
                return a.offset < b.offset
            }
        }.map(\.element)
    }
}
