import PTuneCore

extension Checker {
    /// The rules of a block that trains one encoder per task (`train tasks on data { task: batch.task … }` with
    /// `tasks` a record of encoders keyed by task name): the record holds encoders, and input encoders make tokens of
    /// one width (they feed one model); `task:` goes with exactly one such record and is a column of strings; a
    /// record goes with `task:`; `eval` runs on each task's rows of `eval_data:`.
    mutating func checkTasks(_ t: TrainDecl, taskRecords: [(name: String, type: RecordType, span: SourceSpan)],
                             knownKinds: Bool, types: [TrainOptionName: (type: LangType, span: SourceSpan)]) {
        for r in taskRecords {
            guard !r.type.names.isEmpty else {
                error(.badArgument(function: "train", "'\(r.name)' is an empty record: give one encoder per task, as in {a: pe_a, b: pe_b}"), at: r.span)
                continue
            }
            var widths: [(task: String, width: Dim)] = []
            for (field, type) in zip(r.type.names, r.type.types) {
                switch type {
                case let .encoder(e):
                    if !e.isPrefix, e.width.value != nil { widths.append((field, e.width)) }
                case .unknown:
                    break
                case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin,
                     .model, .dataset, .optimizer, .schedule:
                    error(.wrongKind(context: "'train \(r.name)' (one encoder per task)", expected: "a record of encoders",
                                     got: "a record whose field '\(field)' is \(type.kindText)"), at: r.span)
                }
            }
            if let first = widths.first, let other = widths.first(where: { $0.width.conflicts(with: first.width) }) {
                error(.badArgument(function: "train", "the encoders of '\(r.name)' feed one model, so their tokens must be equally wide: '\(first.task)' makes tokens of width \(first.width.detailed), '\(other.task)' of width \(other.width.detailed)"), at: r.span)
            }
        }
        if taskRecords.count > 1 {
            error(.badArgument(function: "train", "a block trains one record of encoders (one per task); '\(taskRecords[0].name)' and '\(taskRecords[1].name)' are both records"), at: taskRecords[1].span)
        }
        guard let task = types[.task] else {
            if let r = taskRecords.first {
                error(.badArgument(function: "train", "'\(r.name)' is a record of encoders, one per task: give 'task:' naming each row's task (a column of strings, such as batch.task)"), at: r.span)
            }
            return
        }
        if taskRecords.isEmpty && knownKinds && !t.targets.isEmpty {
            error(.badArgument(function: "train", "'task' picks each row's encoder from a record of encoders, one per task: train one, as in 'train {a: pe_a, b: pe_b} on …'"), at: task.span)
        }
        let valueSpan = t.options.first { $0.name == TrainOptionName.task.rawValue }?.value?.span ?? task.span
        switch task.type {
        case .list(.string), .list(.unknown), .unknown:
            break
        case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin,
             .model, .encoder, .dataset, .optimizer, .schedule:
            error(.wrongKind(context: "'task' of 'train'", expected: "a column of strings naming each row's task (such as batch.task)",
                             got: task.type.kindText), at: valueSpan)
        }
        if let r = taskRecords.first {
            checkLiteralTasks(t.data, what: "the data", option: t.options.first { $0.name == TrainOptionName.task.rawValue }?.value, record: r)
            checkLiteralTasks(t.options.first { $0.name == TrainOptionName.eval_data.rawValue }?.value, what: "the eval data",
                              option: t.options.first { $0.name == TrainOptionName.task.rawValue }?.value, record: r)
        }
        if let e = types[.eval], types[.eval_data] == nil {
            error(.badArgument(function: "train", "'eval' of a block with 'task' runs on each task's rows of 'eval_data': give 'eval_data' (a dataset with the same task column)"), at: e.span)
        }
    }
}

extension Checker {
    /// When `data` names a `data` declaration whose task column (`task: batch.COLUMN`) is a literal list of strings,
    /// reports its first row whose task has no encoder in the record, before anything runs.
    mutating func checkLiteralTasks(_ data: Expr?, what: String, option: Expr?,
                                    record: (name: String, type: RecordType, span: SourceSpan)) {
        guard case let .name(dataName, _)? = data, case let .member(.name("batch", _), column, span)? = option,
              let b = peek(dataName), b.kind == .data, let declared = b.span,
              let rows = globals.literalColumns["\(declared)"]?[column] else { return }
        guard let (row, task) = rows.enumerated().first(where: { !record.type.names.contains($0.element) }) else { return }
        let tasks = record.type.names.map { "'\($0)'" }.joined(separator: ", ")
        error(.badArgument(function: "train", "row \(row) of \(what) has task '\(task)', but '\(record.name)' has no encoder for it (its tasks: \(tasks))"), at: span)
    }

    /// The columns of `dataset(…)` written as literal lists of strings, by name; nil when the value is no such call.
    static func literalTextColumns(_ value: Expr) -> [String: [String]]? {
        guard case let .call(.name("dataset", _), args, _) = value else { return nil }
        var out: [String: [String]] = [:]
        for a in args {
            guard let label = a.label, case let .list(items, _) = a.value else { continue }
            let strings = items.compactMap { item -> String? in if case let .string(s, _) = item { return s } else { return nil } }
            if strings.count == items.count { out[label] = strings }
        }
        return out.isEmpty ? nil : out
    }
}
