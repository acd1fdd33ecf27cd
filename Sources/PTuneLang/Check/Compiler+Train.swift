import PTuneCore

/// The options a `train` block accepts.
enum TrainOptionName: String, CaseIterable {
    case loss, optimizer, batch, epochs, steps, shuffle, eval, patience, goal, clip, log, log_file, checkpoint, schedule
}

extension Compiler {
    /// `train targets on data { options }`.
    mutating func train(_ t: TrainDecl, topLevel: Bool) -> Exec {
        if !topLevel && t.result != nil { error(.topLevelOnly("'let … = train'"), at: t.span) }
        // What is trained.
        var targetCodes: [(String, Code, SourceSpan)] = []
        for (name, span) in t.targets {
            guard let b = resolve(name) else {
                error(.unknownName(name, suggestion: Suggestions.closest(to: name, in: visibleNames())), at: span)
                continue
            }
            switch b.kind {
            case .frozen, .frozenModel:
                error(.cannotAssign(name, kind: b.kind.rawValue, hint: "frozen weights are never trained; train an encoder, a param or an unfrozen model"), at: span)
            case .dim, .function, .data:
                error(.wrongKind(context: "'train'", expected: "an encoder, a param or a model", got: "the \(b.kind.rawValue) '\(name)'"), at: span)
            case .let, .param, .model, .encoder, .loopVariable, .parameter, .history:
                break
            }
            targetCodes.append((name, nameLoad(b, span), span))
        }
        let data = expression(t.data)
        var columns: [String: LangType] = [:]
        switch data.type {
        case let .dataset(c): columns = c
        case .unknown: break
        case .none, .number, .dim, .bool, .string, .tensor, .list, .range, .record, .function, .builtin, .model,
             .encoder, .optimizer, .schedule:
            error(.wrongKind(context: "'train … on'", expected: "a dataset", got: data.type.kindText), at: t.data.span)
        }
        // Options: `loss` and `eval` see `batch`; the others are plain values.
        var opts: [TrainOptionName: (code: Code?, type: LangType, cadence: (Code, Bool)?, span: SourceSpan)] = [:]
        // Columns unknown before running (a file read at run time): `batch.text` is checked when it runs.
        let batchType: LangType = columns.isEmpty
            ? .unknown : .record(RecordType(columns.keys.sorted().map { ($0, columns[$0] ?? .unknown) }))
        var batchSlot = 0
        var frozenSlots: [(String, Int)] = []
        for b in globals.bindings where (b.kind == .frozen || b.kind == .frozenModel) && globals.slots[b.name] == b.slot {
            frozenSlots.append((b.name, b.slot))
        }
        inScope { c in
            batchSlot = c.declareLocal("batch", kind: .let, type: batchType, span: t.span)
            for o in t.options {
                guard let name = TrainOptionName(rawValue: o.name) else {
                    let names = TrainOptionName.allCases.map(\.rawValue)
                    c.error(.unknownArgument(function: "train", label: o.name, accepted: names, suggestion: Suggestions.closest(to: o.name, in: names)), at: o.nameSpan)
                    continue
                }
                if opts[name] != nil { c.error(.duplicateArgument(function: "train", name: o.name), at: o.nameSpan) }
                let value = o.value.map { c.expression($0) }
                let cadence = o.cadence.map { cad -> (Code, Bool) in
                    let cc = c.expression(cad.count)
                    c.expectNumber(cc.type, "'every'", at: cad.count.span)
                    return (cc.code, cad.epochs)
                }
                if value == nil && name != .log && name != .eval {
                    c.error(.expectedExpression(found: "'every'"), at: o.nameSpan)
                }
                opts[name] = (value?.code, value?.type ?? .none, cadence, o.nameSpan)
            }
        }
        if opts[.loss] == nil { error(.missingArgument(function: "train", name: "loss"), at: t.span) }
        if opts[.optimizer] == nil { error(.missingArgument(function: "train", name: "optimizer"), at: t.span) }
        if let l = opts[.loss], let tt = l.type.tensorType, let s = tt.shape, s.contains(where: { ($0.value ?? 1) != 1 }) {
            error(.wrongKind(context: "'loss'", expected: "a scalar tensor", got: l.type.kindText), at: l.span)
        }
        let spec = TrainSpec(
            name: t.targets.map(\.name).joined(separator: ", "), targets: targetCodes, data: data.code, dataSpan: t.data.span,
            batchSlot: batchSlot, loss: opts[.loss]?.code, optimizer: opts[.optimizer]?.code, batch: opts[.batch]?.code,
            epochs: opts[.epochs]?.code, steps: opts[.steps]?.code, shuffle: opts[.shuffle]?.code,
            eval: opts[.eval]?.code, evalEvery: opts[.eval]?.cadence, patience: opts[.patience]?.code, goal: opts[.goal]?.code,
            clip: opts[.clip]?.code, logEvery: opts[.log]?.cadence, logFile: opts[.log_file]?.code,
            checkpoint: opts[.checkpoint]?.code, checkpointEvery: opts[.checkpoint]?.cadence,
            schedule: opts[.schedule]?.code, frozen: frozenSlots, span: t.span)
        let store: ((Machine, Value) throws -> Void)?
        if let r = t.result {
            store = storeCode(r.name, r.span, kind: .history, type: .record(TrainRun.historyType), topLevel: topLevel)
        } else {
            store = nil
        }
        return { m in
            let history = try TrainRun(spec: spec, m: m).run()
            try store?(m, history)
            return .next
        }
    }
}
