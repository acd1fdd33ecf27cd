import PTuneCore

extension Checker {
    /// `train targets on data { options }`.
    mutating func train(_ t: TrainDecl, topLevel: Bool) -> CheckedStmt {
        // What is trained; a record of encoders trains one encoder per task.
        var targets: [TrainBlock<CheckedExpr>.Target] = []
        var taskRecords: [(name: String, type: RecordType, span: SourceSpan)] = []
        var knownKinds = true
        for target in t.targets {
            let span = target.span
            guard case let .name(name, _) = target.expr else {
                // A record of encoders written in place: one encoder per task.
                let value = expression(target.expr)
                switch value.type {
                case let .record(r): taskRecords.append((target.name, r, span))
                case .unknown: knownKinds = false
                case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .function, .builtin,
                     .model, .encoder, .dataset, .optimizer, .schedule:
                    error(.wrongKind(context: "'train'", expected: "an encoder, a param, a model or a record of encoders",
                                     got: value.type.kindText), at: span)
                }
                targets.append(TrainBlock.Target(name: target.name, value: value.expr, span: span))
                continue
            }
            guard let b = resolve(name) else {
                error(.unknownName(name, suggestion: Suggestions.closest(to: name, in: visibleNames())), at: span)
                continue
            }
            recordReference(span, to: b)
            switch b.kind {
            case .frozen, .frozenModel:
                error(.cannotAssign(name, kind: b.kind.rawValue, hint: "frozen weights are never trained; train an encoder, a param or an unfrozen model"), at: span)
            case .dim, .function, .data:
                error(.wrongKind(context: "'train'", expected: "an encoder, a param or a model", got: "the \(b.kind.rawValue) '\(name)'"), at: span)
            case .let, .param, .model, .encoder, .loopVariable, .parameter, .history:
                break
            }
            if case let .record(r) = b.type { taskRecords.append((name, r, span)) }
            if b.type == .unknown { knownKinds = false }
            targets.append(TrainBlock.Target(name: name, value: .load(b.location, span), span: span))
        }
        let data = expression(t.data)
        var columns: [String: LangType] = [:]
        switch data.type {
        case let .dataset(c): columns = c
        case .unknown: break
        case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin,
             .model, .encoder, .optimizer, .schedule:
            error(.wrongKind(context: "'train … on'", expected: "a dataset", got: data.type.kindText), at: t.data.span)
        }
        // Options: `loss` and `eval` see `batch` (and `task`, with `task:`); `eval` with `eval_data:` sees the eval
        // data's rows as `batch`. The others are plain values.
        var settings: [TrainOptionName: TrainBlock<CheckedExpr>.Setting] = [:]
        var types: [TrainOptionName: (type: LangType, span: SourceSpan)] = [:]
        // Columns unknown before running (a file read at run time): `batch.text` is checked when it runs.
        let batchType: LangType = columns.isEmpty
            ? .unknown : .record(RecordType(columns.keys.sorted().map { ($0, columns[$0] ?? .unknown) }))
        let evalData = t.options.first { $0.name == TrainOptionName.eval_data.rawValue }?.value.map { expression($0) }
        var evalBatchType: LangType = .unknown
        if let e = evalData, let span = t.options.first(where: { $0.name == TrainOptionName.eval_data.rawValue })?.value?.span {
            switch e.type {
            case let .dataset(c): evalBatchType = .record(RecordType(c.keys.sorted().map { ($0, c[$0] ?? .unknown) }))
            case .unknown: break
            case .none, .number, .dim, .bool, .string, .tensor, .list, .numberList, .range, .record, .function, .builtin,
                 .model, .encoder, .optimizer, .schedule:
                error(.wrongKind(context: "'eval_data' of 'train'", expected: "a dataset", got: e.type.kindText), at: span)
            }
        }
        let hasTask = t.options.contains { $0.name == TrainOptionName.task.rawValue }
        var batchSlot = 0, evalBatchSlot: Int?, taskSlot: Int?
        var frozen: [(name: String, slot: Int)] = [], models: [(name: String, slot: Int)] = []
        for b in globals.bindings where globals.slots[b.name] == b.slot {
            if b.kind == .frozen || b.kind == .frozenModel { frozen.append((b.name, b.slot)) }
            if b.kind == .model || b.kind == .frozenModel { models.append((b.name, b.slot)) }
        }
        inScope { c in
            batchSlot = c.declareLocal("batch", kind: .let, type: batchType, span: t.span)
            c.recordDeclaration("batch", nil, kind: .let, type: batchType, isGlobal: false, visibility: .within(t.span))
            if hasTask {
                taskSlot = c.declareLocal("task", kind: .let, type: .string, span: t.span)
                c.recordDeclaration("task", nil, kind: .let, type: .string, isGlobal: false, visibility: .within(t.span))
            }
            for o in t.options {
                guard let name = TrainOptionName(rawValue: o.name) else {
                    let names = TrainOptionName.allCases.map(\.rawValue)
                    c.error(.unknownArgument(function: "train", label: o.name, accepted: names, suggestion: Suggestions.closest(to: o.name, in: names)), at: o.nameSpan)
                    continue
                }
                if settings[name] != nil { c.error(.duplicateArgument(function: "train", name: o.name), at: o.nameSpan) }
                var value: Checked?
                if name == .eval_data {
                    value = evalData
                } else if name == .eval, evalData != nil, let v = o.value {
                    // The eval data's rows are `batch` here.
                    value = c.inScope { c in
                        evalBatchSlot = c.declareLocal("batch", kind: .let, type: evalBatchType, span: t.span)
                        return c.expression(v)
                    }
                } else {
                    value = o.value.map { c.expression($0) }
                }
                let every = o.cadence.map { cad -> (count: CheckedExpr, unit: CadenceUnit) in
                    let cc = c.expression(cad.count)
                    c.expectNumber(cc.type, "'every'", at: cad.count.span)
                    return (cc.expr, cad.unit)
                }
                if value == nil && name != .log && name != .eval {
                    c.error(.expectedExpression(found: "'every'"), at: o.nameSpan)
                }
                if name == .goal, let v = o.value, let literal = Checker.literal(v), literal.kind != .list {
                    do throws(Message) { _ = try TrainGoal(literal) } catch { c.error(error, at: v.span) }
                }
                if let span = o.ifExists, name != .resume {
                    c.error(.badArgument(function: "train", "only 'resume' takes 'if exists'"), at: span)
                }
                if name == .resume || name == .checkpoint || name == .log_file, let v = value, v.type != .string && v.type != .unknown {
                    c.error(.wrongKind(context: "'\(o.name)' of 'train'", expected: "a path string", got: v.type.kindText), at: o.value?.span ?? o.nameSpan)
                }
                settings[name] = TrainBlock.Setting(value: value?.expr, every: every, ifExists: o.ifExists != nil, span: o.value?.span ?? o.nameSpan)
                types[name] = (value?.type ?? .none, o.nameSpan)
            }
        }
        checkTasks(t, taskRecords: taskRecords, knownKinds: knownKinds, types: types)
        if settings[.loss] == nil { error(.missingArgument(function: "train", name: "loss"), at: t.span) }
        if settings[.optimizer] == nil { error(.missingArgument(function: "train", name: "optimizer"), at: t.span) }
        if let r = types[.restore_best], settings[.eval] == nil {
            error(.badArgument(function: "train", "'restore_best' keeps the weights of the best eval; give 'eval' too"), at: r.span)
        }
        if let l = types[.loss], let tt = l.type.tensorType, let s = tt.shape, s.contains(where: { ($0.value ?? 1) != 1 }) {
            error(.wrongKind(context: "'loss'", expected: "a scalar tensor", got: l.type.kindText), at: l.span)
        }
        let block = TrainBlock(name: t.targets.map(\.name).joined(separator: ", "), targets: targets, data: data.expr,
                               dataSpan: t.data.span, batchSlot: batchSlot, evalBatchSlot: evalBatchSlot, taskSlot: taskSlot,
                               settings: settings, frozen: frozen, models: models, span: t.span)
        if let r = t.result {
            recordDeclaration(r.name, r.span, kind: .history, type: .record(TrainRun.historyType), isGlobal: topLevel,
                              visibility: topLevel ? .global : .restOfBlock)
        }
        let result = t.result.map { r in declare(r.name, r.span, kind: .history, type: .record(TrainRun.historyType), topLevel: topLevel) }
        return .train(block, result: result)
    }
}
