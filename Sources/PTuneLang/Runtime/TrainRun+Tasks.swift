import PTuneCore
import PTuneNN

/// The tasks of a block that trains one encoder per task (`train tasks on data { task: batch.task … }`): the task
/// names in the record's order, and which parameters each step trains.
struct TrainTasks {
    /// The tasks, in the record's order.
    let names: [String]
    /// The trainable parameters of each task's encoder.
    let parameters: [String: [Parameter]]
    /// The parameters every step trains (the block's other targets: params, models, plain encoders).
    let shared: [Parameter]
    /// The record's name, for messages.
    let record: String

    /// `'sentiment', 'topic'`
    var listed: String { names.map { "'\($0)'" }.joined(separator: ", ") }
}

/// One step's loss over a batch of several tasks: the loss of each task's rows, and their row-weighted mean, the
/// loss the step minimises.
struct TaskLoss {
    /// Σₜ (nₜ / B) · lossₜ — for a loss that is a mean over rows, the mean over the whole batch.
    let total: Tensor
    /// The tasks in the batch, in order of their first row, with their rows and their loss.
    let parts: [(task: String, rows: Int, loss: Double)]
}

extension TrainRun {
    /// The targets of a record of encoders, one per task, each named by its task.
    func taskTargets(_ r: Record, name: String, span: SourceSpan) throws -> [TrainTarget] {
        guard !r.names.isEmpty else {
            throw RuntimeFailure(.badArgument(function: "train", "'\(name)' is an empty record: give one encoder per task, as in {a: pe_a, b: pe_b}"), at: span)
        }
        return try zip(r.names, r.values).map { task, v in
            guard case let .encoder(e) = v else {
                throw RuntimeFailure(.wrongKind(context: "'train \(name)' (one encoder per task)", expected: "a record of encoders",
                                                got: "a record whose field '\(task)' is \(v.kindText)"), at: span)
            }
            return TrainTarget(name: task, kind: .encoder, encoder: e, parameters: e.parameters.trainable, task: task)
        }
    }

    /// The block's tasks when it has `task:` (nil otherwise); a block with `task:` trains exactly one record of encoders.
    func tasks(_ targets: [TrainTarget]) throws -> TrainTasks? {
        guard spec.value(.task) != nil else { return nil }
        let perTask = targets.filter { $0.task != nil }
        guard !perTask.isEmpty else {
            throw RuntimeFailure(.badArgument(function: "train", "'task' picks each row's encoder from a record of encoders, one per task: train one, as in 'let tasks = {a: pe_a, b: pe_b}' then 'train tasks on …'"), at: spec.settings[.task]?.span ?? spec.span)
        }
        // Checkpoints and best weights keep each target under its name: a task may not share one with another target.
        var seen: Set<String> = []
        for t in targets where !seen.insert(t.name).inserted {
            throw RuntimeFailure(.badArgument(function: "train", "'\(t.name)' names a task and another target of the block; rename one"), at: spec.span)
        }
        let record = spec.targets.first { t in (try? t.value(m)).map { if case .record = $0 { return true } else { return false } } ?? false }
        var shared: [Parameter] = []
        for t in targets where t.task == nil {
            for p in t.parameters where !shared.contains(where: { $0 === p }) { shared.append(p) }
        }
        var parameters: [String: [Parameter]] = [:]
        for t in perTask { if let task = t.task { parameters[task] = t.parameters } }
        return TrainTasks(names: perTask.compactMap(\.task), parameters: parameters, shared: shared, record: record?.name ?? "the record")
    }

    /// Each row's task in `batch` (bound in `slot`), as the `task:` option gives it: a list of strings, one per row,
    /// each naming a task of the record. `what` names the data in messages.
    func rowTasks(_ batch: Record, rows: Int, slot: Int, _ tasks: TrainTasks, firstRow: Int = 0, what: String) throws -> [String] {
        let span = spec.settings[.task]?.span ?? spec.span
        m.stack[m.base + slot] = .record(batch)
        let v = try value(spec.value(.task), "task") ?? .none
        guard case let .list(items) = v, items.count == rows else {
            let got = { if case let .list(l) = v { return "a list of \(l.count) items for \(rows) rows" } else { return v.kindText } }()
            throw RuntimeFailure(.wrongKind(context: "'task' of 'train'", expected: "a column of strings naming each row's task (such as batch.task)", got: got), at: span)
        }
        return try items.enumerated().map { i, item in
            guard case let .string(s) = item else {
                throw RuntimeFailure(.wrongKind(context: "'task' of 'train'", expected: "a column of strings naming each row's task (such as batch.task)",
                                                got: "\(item.kindText) in row \(firstRow + i)"), at: span)
            }
            guard tasks.parameters[s] != nil else {
                throw RuntimeFailure(.badArgument(function: "train", "row \(firstRow + i) of \(what) has task '\(s)', but '\(tasks.record)' has no encoder for it (its tasks: \(tasks.listed))"), at: span)
            }
            return s
        }
    }

    /// Checks every row of `ds` before any step, so a task without an encoder stops the block before it trains.
    func checkRows(of ds: DatasetObject, slot: Int, _ tasks: TrainTasks, what: String) throws -> [String] {
        try rowTasks(ds.batch(start: 0, length: ds.count), rows: ds.count, slot: slot, tasks, what: what)
    }

    /// The tasks of `rowTasks` in order of their first row, with their rows.
    static func groups(_ rowTasks: [String]) -> [(task: String, rows: [Int])] {
        var order: [String] = [], rows: [String: [Int]] = [:]
        for (i, t) in rowTasks.enumerated() {
            if rows[t] == nil { order.append(t) }
            rows[t, default: []].append(i)
        }
        return order.map { ($0, rows[$0] ?? []) }
    }

    /// The rows `indices` of a batch record (a tensor field's rows, a list field's items; other fields as they are).
    static func rows(_ r: Record, _ indices: [Int]) throws -> Record {
        let idx = try Tensor(shape: [indices.count], scalars: indices.map { Int64($0) })
        return Record(try zip(r.names, r.values).map { name, v -> (String, Value) in
            switch v {
            case let .tensor(t): return (name, .tensor(try t.gatherRows(idx)))
            case let .list(l): return (name, .list(ListValue(indices.map { l.items[$0] })))
            case .none, .number, .bool, .string, .param, .range, .record, .function, .builtin, .model, .encoder, .dataset,
                 .optimizer, .schedule:
                return (name, v)
            }
        })
    }

    /// The loss of a batch of several tasks: `loss` evaluated on each task's rows (`batch` those rows, `task` its
    /// name), weighted by the task's share of the batch.
    func taskLoss(_ batch: Record, _ tasks: TrainTasks, loss code: Code?) throws -> TaskLoss {
        guard let taskSlot = spec.taskSlot else { throw RuntimeFailure(.internalError("a block with 'task' has no task slot"), at: spec.span) }
        let rowCount = try TrainRun.rowCount(batch)
        let groups = TrainRun.groups(try rowTasks(batch, rows: rowCount, slot: spec.batchSlot, tasks, what: "the data"))
        var total: Tensor?
        var parts: [(task: String, rows: Int, loss: Double)] = []
        for g in groups {
            m.stack[m.base + spec.batchSlot] = .record(groups.count == 1 ? batch : try TrainRun.rows(batch, g.rows))
            m.stack[m.base + taskSlot] = .string(g.task)
            let v = try value(code, "loss") ?? .none
            guard let l = v.tensorValue else {
                throw RuntimeFailure(.wrongKind(context: "'loss' of 'train' (task '\(g.task)')", expected: "a scalar tensor", got: v.kindText), at: spec.span)
            }
            let value = try l.scalarValue()
            let term = groups.count == 1 ? l : try l * (Double(g.rows.count) / Double(rowCount))
            total = try total.map { try $0 + term } ?? term
            parts.append((g.task, g.rows.count, value))
        }
        guard let total else { throw RuntimeFailure(.badArgument(function: "train", "a batch without rows"), at: spec.span) }
        return TaskLoss(total: total, parts: parts)
    }

    /// The number of rows of a batch record (its first tensor's or list's length).
    static func rowCount(_ r: Record) throws -> Int {
        for v in r.values {
            if case let .tensor(t) = v, t.rank >= 1 { return t.shape[0] }
            if case let .list(l) = v { return l.count }
        }
        throw RuntimeFailure(.badArgument(function: "train", "a batch without columns"))
    }

    /// The eval on `data` (with `eval_data:`): on each task's rows with `task:` — the overall value is their
    /// row-weighted mean, which for a mean over rows (an accuracy, a loss) is its value on all the rows — or on all
    /// the rows.
    func evalOnData(_ data: Record, rows: Int, rowTasks: [String]?, code: Code) throws -> (overall: Double, perTask: [(task: String, value: Double)]) {
        guard let slot = spec.evalBatchSlot else { throw RuntimeFailure(.internalError("'eval_data' has no batch slot"), at: spec.span) }
        guard let rowTasks, let taskSlot = spec.taskSlot else {
            m.stack[m.base + slot] = .record(data)
            return (try evalNumber(try Tensor.withoutRecording { try code(m) }), [])
        }
        var perTask: [(task: String, value: Double)] = []
        var sum = 0.0
        for g in TrainRun.groups(rowTasks) {
            m.stack[m.base + slot] = .record(try TrainRun.rows(data, g.rows))
            m.stack[m.base + taskSlot] = .string(g.task)
            let x = try evalNumber(try Tensor.withoutRecording { try code(m) }, task: g.task)
            perTask.append((g.task, x))
            sum += x * Double(g.rows.count)
        }
        return (sum / Double(rows), perTask)
    }

    /// An eval's value as a number (a one-element tensor counts as its number).
    func evalNumber(_ v: Value, task: String? = nil) throws -> Double {
        guard case let .number(x) = v.tensorValue.map({ .number((try? $0.scalarValue()) ?? .nan) }) ?? v else {
            let context = task.map { "'eval' of 'train' (task '\($0)')" } ?? "'eval' of 'train'"
            throw RuntimeFailure(.wrongKind(context: context, expected: "a number", got: v.kindText), at: spec.span)
        }
        return x
    }
}

/// The data of `eval_data:`: all its rows as one record, and with `task:` each row's task.
struct EvalData {
    let record: Record
    let rows: Int
    let rowTasks: [String]?
}

extension TrainRun {
    /// The `eval_data:` of the block, if given: a non-empty dataset whose every row's task has an encoder.
    func evalData(_ tasks: TrainTasks?) throws -> EvalData? {
        guard let code = spec.value(.eval_data) else { return nil }
        let span = spec.settings[.eval_data]?.span ?? spec.span
        let v = try value(code, "eval_data") ?? .none
        guard case let .dataset(d) = v else {
            throw RuntimeFailure(.wrongKind(context: "'eval_data' of 'train'", expected: "a dataset", got: v.kindText), at: span)
        }
        guard d.count > 0 else { throw RuntimeFailure(.badArgument(function: "train", "the eval data is empty"), at: span) }
        let rowTasks = try tasks.map { try checkRows(of: d, slot: spec.batchSlot, $0, what: "the eval data") }
        return EvalData(record: try d.batch(start: 0, length: d.count), rows: d.count, rowTasks: rowTasks)
    }
}
