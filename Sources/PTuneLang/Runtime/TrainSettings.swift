import PTuneCore
import PTuneNN

/// A `train` block's options, evaluated when the block starts: how many steps, in what batches, what to evaluate,
/// log and save, and where to resume from.
struct TrainSettings {
    /// Rows per batch (at most the dataset's rows).
    var batchSize: Int
    /// Batches per epoch (the last one may be short).
    var stepsPerEpoch: Int
    /// Steps in all.
    var total: Int
    /// Epochs the steps span.
    var epochCount: Int
    /// Whether each epoch shuffles the rows.
    var shuffle: Bool
    /// The global gradient-norm clip.
    var clip: Double?
    /// The learning-rate schedule over `total` steps.
    var schedule: LRSchedule?
    /// Log, eval and checkpoint cadences in steps.
    var logEvery: Int?
    var evalEvery: Int?
    var checkpointEvery: Int?
    /// Early stopping.
    var patience: Int?
    var goal: TrainGoal
    /// Whether the weights of the best eval are put back when the block ends.
    var restoreBest: Bool
    /// The checkpoint to write and the CSV log.
    var checkpoint: TrainFile?
    var log: TrainFile?
    /// The checkpoint to resume from, and whether a missing file means "start fresh".
    var resume: TrainFile?
    var resumeIfExists: Bool

    /// The epoch (1-based) of step `step` (1-based).
    func epoch(ofStep step: Int) -> Int { (step - 1) / stepsPerEpoch + 1 }
}

/// A file a `train` option names: as written (for messages) and resolved.
struct TrainFile {
    let given: String
    let path: String
}

extension TrainRun {
    /// Evaluates the block's options for a dataset of `rows` rows.
    func settings(rows: Int) throws -> TrainSettings {
        let batchSize = Swift.min(try int(spec.value(.batch), "batch", default: 32) ?? 32, rows)
        let stepsPerEpoch = (rows + batchSize - 1) / batchSize
        let epochs = try int(spec.value(.epochs), "epochs", default: nil)
        let maxSteps = try int(spec.value(.steps), "steps", default: nil)
        let total = try maxSteps ?? steps(epochs ?? 1, stepsPerEpoch)
        let epochCount = maxSteps.map { ($0 + stepsPerEpoch - 1) / stepsPerEpoch } ?? (epochs ?? 1)
        let shuffle = try bool(.shuffle, default: true)
        var clip: Double?
        if let v = try value(spec.value(.clip), "clip") {
            guard case let .number(c) = v, c > 0 else { throw RuntimeFailure(.wrongKind(context: "'clip' of 'train'", expected: "a positive number", got: v.kindText), at: spec.span) }
            clip = c
        }
        var schedule: LRSchedule?
        if let v = try value(spec.value(.schedule), "schedule") {
            guard case let .schedule(s) = v else { throw RuntimeFailure(.wrongKind(context: "'schedule' of 'train'", expected: "a schedule", got: v.kindText), at: spec.span) }
            schedule = s.make(total)
        }
        let evalEvery = try cadence(.eval, stepsPerEpoch: stepsPerEpoch) ?? (spec.value(.eval) != nil ? stepsPerEpoch : nil)
        var goal = TrainGoal.min
        if let v = try value(spec.value(.goal), "goal") {
            do { goal = try TrainGoal(v) } catch { throw RuntimeFailure(error, at: spec.span) }
        }
        return TrainSettings(
            batchSize: batchSize, stepsPerEpoch: stepsPerEpoch, total: total, epochCount: epochCount, shuffle: shuffle,
            clip: clip, schedule: schedule, logEvery: try cadence(.log, stepsPerEpoch: stepsPerEpoch), evalEvery: evalEvery,
            checkpointEvery: try cadence(.checkpoint, stepsPerEpoch: stepsPerEpoch),
            patience: try int(spec.value(.patience), "patience", default: nil), goal: goal,
            restoreBest: try bool(.restore_best, default: false),
            checkpoint: try file(.checkpoint, forWriting: true), log: try file(.log_file, forWriting: true),
            resume: try file(.resume, forWriting: true), resumeIfExists: spec.settings[.resume]?.ifExists ?? false)
    }

    func value(_ c: Code?, _ what: String) throws -> Value? {
        guard let c else { return nil }
        do { return try c(m) } catch { throw RuntimeFailure.located(error, at: spec.span) }
    }

    func int(_ c: Code?, _ what: String, default d: Int?) throws -> Int? {
        guard let v = try value(c, what) else { return d }
        guard case let .number(x) = v, let n = Value.exactInt(x), n > 0 else {
            throw RuntimeFailure(.notInteger(context: "'\(what)' of 'train' (a positive count)", value: v.debugText), at: spec.span)
        }
        return n
    }

    func bool(_ option: TrainOptionName, default d: Bool) throws -> Bool {
        guard let v = try value(spec.value(option), option.rawValue) else { return d }
        guard case let .bool(b) = v else {
            throw RuntimeFailure(.wrongKind(context: "'\(option.rawValue)' of 'train'", expected: "a bool", got: v.kindText), at: spec.span)
        }
        return b
    }

    /// The file option `option` names, if given (its path must be one the script may use; `forWriting`: it need not
    /// exist yet).
    func file(_ option: TrainOptionName, forWriting: Bool) throws -> TrainFile? {
        guard let v = try value(spec.value(option), option.rawValue) else { return nil }
        guard case let .string(given) = v else {
            throw RuntimeFailure(.wrongKind(context: "'\(option.rawValue)' of 'train'", expected: "a path", got: v.kindText), at: spec.span)
        }
        do { return TrainFile(given: given, path: try m.resolve(given, forWriting: forWriting)) } catch {
            throw RuntimeFailure.located(error, at: spec.span)
        }
    }

    func cadence(_ option: TrainOptionName, stepsPerEpoch: Int) throws -> Int? {
        guard let (code, unit) = spec.every(option) else { return nil }
        guard let n = try int(code, option.rawValue, default: nil) else { return nil }
        switch unit {
        case .steps: return n
        case .epochs: return try steps(n, stepsPerEpoch)
        }
    }

    /// `epochs × stepsPerEpoch`, or a located error when that many steps cannot be counted.
    func steps(_ epochs: Int, _ stepsPerEpoch: Int) throws -> Int {
        let (n, overflow) = epochs.multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow else {
            throw RuntimeFailure(.badArgument(function: "train", "\(epochs) epochs of \(stepsPerEpoch) steps are too many steps"), at: spec.span)
        }
        return n
    }
}
