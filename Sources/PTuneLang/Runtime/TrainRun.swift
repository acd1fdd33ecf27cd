import Foundation
import PTuneCore
import PTuneNN

/// A compiled `train` block.
typealias TrainSpec = TrainBlock<Code>

/// One run of a `train` block: batches over epochs (shuffled by the session's generator), one optimizer step per
/// batch, evaluation, early stopping and keeping the best weights, logging, checkpoints and resuming from one; at the
/// end it verifies every frozen tensor and model unchanged and says so in one line. Returns the history record.
///
/// A block that stops early — Ctrl-C, a time limit, an error — keeps everything up to its last finished step: the
/// history (bound by `let run = train …`), the `log_file`, and, when interrupted, the checkpoint.
struct TrainRun {
    let spec: TrainSpec
    let m: Machine

    /// The fields of the history a `let h = train …` binds.
    static let historyType = RecordType([
        ("steps", .number(nil)), ("loss", .list(.number(nil))), ("eval", .list(.number(nil))),
        ("eval_steps", .list(.number(nil))), ("final_loss", .number(nil)), ("best_eval", .unknown),
        ("best_step", .unknown), ("lr", .list(.number(nil))), ("total_steps", .number(nil)),
        ("stopped_early", .bool), ("interrupted", .bool), ("task_eval", .unknown),
    ])

    /// A block that stopped before its end, with the history of the steps it finished (the statement binds it, then
    /// reports the failure).
    struct Stopped: Error {
        let failure: RuntimeFailure
        let history: Value
    }

    /// What the generators were when the last step finished: a block that stops puts them back, undoing whatever an
    /// unfinished step or the next epoch's draw took from them, so its checkpoint continues exactly.
    struct Boundary {
        var session: Generator
        var encoders: [[Generator]]
        var layers: [Generator]
    }

    func run() throws -> Value {
        guard case let .dataset(ds) = try value(spec.data, "on") ?? .none else {
            throw RuntimeFailure(.wrongKind(context: "'train … on'", expected: "a dataset", got: (try? spec.data(m))?.kindText ?? "none"), at: spec.dataSpan)
        }
        guard ds.count > 0 else { throw RuntimeFailure(.badArgument(function: "train", "the dataset is empty"), at: spec.dataSpan) }
        let targets = try self.targets()
        var params: [Parameter] = []
        for p in targets.flatMap(\.parameters) where !params.contains(where: { $0 === p }) { params.append(p) }
        guard case let .optimizer(given) = try value(spec.value(.optimizer), "optimizer") ?? .none else {
            throw RuntimeFailure(.wrongKind(context: "'optimizer' of 'train'", expected: "an optimizer such as adam(lr: 1e-3)", got: "something else"), at: spec.span)
        }
        let opt = given.parameters.isEmpty ? try given.rebind(params) : given
        let settings = try self.settings(rows: ds.count)
        if let c = settings.clip { opt.clipNorm = c }
        if let s = settings.schedule { opt.schedule = s }
        let tasks = try self.tasks(targets)
        if tasks == nil, let t = targets.first(where: { $0.task != nil }) {
            throw RuntimeFailure(.badArgument(function: "train", "a record of encoders, one per task, needs 'task:' naming each row's task (the record's task '\(t.name)')"), at: spec.span)
        }
        // Every row's task has an encoder, in the data and the eval data, before any step.
        if let tasks { _ = try checkRows(of: ds, slot: spec.batchSlot, tasks, what: "the data") }
        let evalData = try self.evalData(tasks)
        let checkpoint = TrainCheckpoint(targets: targets, optimizer: opt, settings: settings,
                                         recipe: recipe(settings, opt, ds) + (tasks.map { [("tasks", $0.names.joined(separator: ", "))] } ?? []),
                                         randomModels: randomModels())
        var state = TrainState()
        if let r = settings.resume { state = try resume(r, ifExists: settings.resumeIfExists, checkpoint, settings) }
        if let tasks, spec.value(.eval) != nil, state.taskEvals.isEmpty {
            state.taskEvals = tasks.names.map { ($0, [Double](repeating: .nan, count: state.evals.count)) }
        }

        let before = try spec.frozen.map { try Checksum.of(m.globals[$0.slot]) }
        let start = Machine.now()
        var boundary = capture(targets)
        do {
            try loop(&state, &boundary, ds: ds, opt: opt, targets: targets, settings: settings, checkpoint: checkpoint, start: start,
                     trainable: params.reduce(0) { $0 + $1.count }, tasks: tasks, evalData: evalData)
        } catch {
            throw stopped(by: error, state: state, boundary: boundary, targets: targets, settings: settings, checkpoint: checkpoint)
        }
        try write(checkpoint, state, settings)
        try writeLog(state, settings)
        if settings.restoreBest, let best = state.bestWeights { try restore(best, targets) }
        let after = try spec.frozen.map { try Checksum.of(m.globals[$0.slot]) }
        var changed: [String] = []
        for (i, (name, _)) in spec.frozen.enumerated() where before[i] != after[i] { changed.append(name) }
        if !changed.isEmpty {
            throw RuntimeFailure(.internalError("frozen " + changed.map { "'\($0)'" }.joined(separator: ", ") + " changed during training"), at: spec.span)
        }
        m.output.log(summary(state, settings))
        return state.history(total: settings.total, interrupted: false)
    }

    /// The steps from `state` on: each epoch's batches (redrawn as they were when resuming mid-epoch), one optimizer
    /// step per batch, evals, log lines, progress reports and checkpoints.
    func loop(_ state: inout TrainState, _ boundary: inout Boundary, ds: DatasetObject, opt: OptimizerObject,
              targets: [TrainTarget], settings: TrainSettings, checkpoint: TrainCheckpoint, start: Double,
              trainable: Int, tasks: TrainTasks?, evalData: EvalData?) throws {
        let spe = settings.stepsPerEpoch, total = settings.total
        let evalCode = spec.value(.eval), lossCode = spec.value(.loss)
        // Without shuffling every epoch sees the same batches: cut them once.
        let fixedBatches = settings.shuffle ? nil : try ds.batches(size: settings.batchSize, shuffle: false, rng: &m.rng)
        let firstEpoch = state.step / spe
        // The histories grow with every step: charged to the memory budget as they grow (the record they become
        // charges itself), so `steps: 1e12` ends in a memory-limit error naming them, not in an out-of-memory kill.
        var charged = 0
        defer { m.budget.release(charged: charged) }
        // The steps' own time (evaluations and checkpoints excluded) and how many this run took.
        var stepSeconds = 0.0, stepsRun = 0

        training: for epochIndex in firstEpoch..<Swift.max(settings.epochCount, 1) {
            if state.step >= total || state.stoppedEarly { break }
            let skip = state.step - epochIndex * spe
            let batches: [Record]
            if let fixedBatches {
                batches = fixedBatches
            } else if skip > 0, let g = state.epochGenerator {
                let current = m.rng
                m.rng = g
                batches = try m.withRandom { try ds.batches(size: settings.batchSize, shuffle: true, rng: &$0) }
                m.rng = current
            } else {
                state.epochGenerator = m.rng
                batches = try m.withRandom { try ds.batches(size: settings.batchSize, shuffle: true, rng: &$0) }
            }
            for b in batches.dropFirst(skip) {
                if state.step >= total { break training }
                try m.checkInterrupt()
                m.stack[m.base + spec.batchSlot] = .record(b)
                let stepStart = Machine.now()
                let lossTensor: Tensor
                var active: [Parameter]?
                if let tasks {
                    // Each task's rows through its own encoder; only the encoders of the batch's tasks train.
                    let mixed = try taskLoss(b, tasks, loss: lossCode)
                    lossTensor = mixed.total
                    active = tasks.shared + mixed.parts.flatMap { tasks.parameters[$0.task] ?? [] }
                } else {
                    let lossValue = try value(lossCode, "loss") ?? .none
                    guard let t = lossValue.tensorValue else {
                        throw RuntimeFailure(.wrongKind(context: "'loss' of 'train'", expected: "a scalar tensor", got: lossValue.kindText), at: spec.span)
                    }
                    lossTensor = t
                }
                let rate = opt.currentRate
                let loss: Double
                do { loss = try opt.step(loss: lossTensor, only: active) } catch { throw RuntimeFailure.located(error, at: spec.span) }
                stepSeconds += Machine.now() - stepStart
                stepsRun += 1
                state.step += 1
                state.losses.append(loss)
                state.rates.append(rate)
                let step = state.step
                if let k = settings.evalEvery, step % k == 0 || step == total, let e = evalCode {
                    let x: Double
                    if let d = evalData {
                        let result = try evalOnData(d.record, rows: d.rows, rowTasks: d.rowTasks, code: e)
                        x = result.overall
                        state.record(taskEvals: result.perTask)
                    } else {
                        x = try evalNumber(try Tensor.withoutRecording { try e(m) })
                    }
                    if state.record(eval: x, goal: settings.goal, patience: settings.patience), settings.restoreBest {
                        state.bestWeights = targets.reduce(into: [:]) { $0[$1.name] = $1.weights }
                    }
                }
                boundary = capture(targets)
                let held = state.historyBytes
                if held > charged {
                    do { try m.budget.charge(held - charged, for: "the history of training '\(spec.name)' (\(step) steps)") } catch {
                        throw RuntimeFailure.located(error, at: spec.span)
                    }
                    charged = held
                }
                let isLog = settings.logEvery.map { step % $0 == 0 || step == total } ?? false
                if m.onTrainProgress != nil || isLog {
                    let progress = TrainProgress(name: spec.name, step: step, totalSteps: total, epoch: epochIndex + 1,
                                                 loss: loss, evalMetric: state.evals.last, elapsed: Machine.now() - start,
                                                 isLogStep: isLog, isFinished: step == total || state.stoppedEarly, learningRate: rate,
                                                 trainableParameters: trainable, secondsPerStep: stepSeconds / Double(stepsRun),
                                                 taskEvals: state.taskEvals(at: state.evals.count - 1).filter { !$0.value.isNaN })
                    if let hook = m.onTrainProgress { hook(progress) } else { m.output.log(progress.logLine) }
                }
                if let k = settings.checkpointEvery, step % k == 0 { try write(checkpoint, state, settings) }
                if state.stoppedEarly { break training }
            }
        }
    }

    /// The failure a block that stopped early reports, with the history of its finished steps. The generators go back
    /// to where the last finished step left them; an interrupted block also writes its checkpoint (which resumes
    /// exactly) and, with `restore_best`, puts back its best weights.
    func stopped(by error: any Error, state: TrainState, boundary: Boundary, targets: [TrainTarget], settings: TrainSettings,
                 checkpoint: TrainCheckpoint) -> any Error {
        var failure = RuntimeFailure.located(error, at: spec.span)
        restore(boundary, targets)
        let interrupted: Bool
        switch failure.message {
        case .interrupted, .limitReached: interrupted = true
        default: interrupted = false
        }
        var kept: [String] = []
        var best: Int?
        do {
            if interrupted, let file = settings.checkpoint {
                try write(checkpoint, state, settings)
                kept.append("'\(file.given)' holds step \(state.step)")
            }
            if let file = settings.log {
                try writeLog(state, settings)
                kept.append("'\(file.given)' every finished step")
            }
            if interrupted, settings.restoreBest, let weights = state.bestWeights, let step = state.bestStep {
                try restore(weights, targets)
                best = step
            }
        } catch {
            return RuntimeFailure.located(error, at: spec.span)
        }
        if interrupted {
            let parameters = best.map { "the parameters have the weights of the best eval (step \($0))" } ?? "the parameters keep their trained values"
            let why = ([parameters] + kept).joined(separator: "; ")
            if case .interrupted = failure.message {
                failure.message = .interrupted("training of '\(spec.name)' stopped at step \(state.step) of \(settings.total); \(why)")
            } else {
                failure.message = .limitReached("\(TrainRun.limitText(error)) in training '\(spec.name)' at step \(state.step) of \(settings.total); \(why)")
            }
        }
        return Stopped(failure: failure, history: state.history(total: settings.total, interrupted: true))
    }

    // MARK: - Parts

    /// The trained targets with their parameters.
    /// A record of encoders (one per task) gives one target per task, named by the task.
    func targets() throws -> [TrainTarget] {
        try spec.targets.flatMap { target -> [TrainTarget] in
            let name = target.name, span = target.span
            let v: Value
            do { v = try target.value(m) } catch { throw RuntimeFailure.located(error, at: span) }
            switch v {
            case let .param(p): return [TrainTarget(name: name, kind: .param, encoder: nil, parameters: [p])]
            case let .encoder(e): return [TrainTarget(name: name, kind: .encoder, encoder: e, parameters: e.parameters.trainable)]
            case let .model(mo):
                guard !mo.isFrozen else {
                    throw RuntimeFailure(.cannotAssign(name, kind: "frozen model", hint: "unfreeze it first (\(name).frozen = false)"), at: span)
                }
                return [TrainTarget(name: name, kind: .model, encoder: nil, parameters: mo.parameters.trainable)]
            case let .record(r):
                return try taskTargets(r, name: name, span: span)
            case .none, .number, .bool, .string, .tensor, .list, .range, .function, .builtin, .dataset,
                 .optimizer, .schedule:
                throw RuntimeFailure(.wrongKind(context: "'train'", expected: "an encoder, a param or a model", got: v.kindText), at: span)
            }
        }
    }

    /// The session's models that are random layers (their generators go into checkpoints).
    func randomModels() -> [(name: String, dropout: Dropout)] {
        spec.models.compactMap { name, slot in
            guard m.initialized[slot], case let .model(mo) = m.globals[slot], let d = mo.layer as? Dropout else { return nil }
            return (name, d)
        }
    }

    /// What a resumed block must share with the one that wrote its checkpoint, as `(name, value)` in order.
    func recipe(_ s: TrainSettings, _ opt: OptimizerObject, _ ds: DatasetObject) -> [(name: String, value: String)] {
        let hyper = ((try? opt.optimizer.exportState(for: []))?.hyperparameters ?? [:]).filter { $0.key != "lr" }
        let optimizer = opt.kind.rawValue + "(" + hyper.keys.sorted().map { "\($0): \(Value.format(hyper[$0] ?? 0))" }.joined(separator: ", ") + ")"
        return [
            ("optimizer", optimizer), ("lr", Value.format(opt.learningRate)), ("batch", "\(s.batchSize)"),
            ("rows", "\(ds.count)"), ("data", String(ds.checksum, radix: 16)), ("shuffle", "\(s.shuffle)"),
            ("total steps", "\(s.total)"), ("schedule", opt.schedule.map(TrainRun.describe) ?? "none"),
            ("clip", opt.clipNorm.map(Value.format) ?? "none"), ("eval", s.evalEvery.map { "every \($0) steps" } ?? "none"),
            ("patience", s.patience.map { "\($0)" } ?? "none"), ("goal", s.goal.rawValue), ("restore_best", "\(s.restoreBest)"),
        ]
    }

    /// Continues from the `resume:` checkpoint when it exists; a missing one is an error unless `if exists` allows
    /// starting fresh.
    func resume(_ r: TrainFile, ifExists: Bool, _ checkpoint: TrainCheckpoint, _ settings: TrainSettings) throws -> TrainState {
        guard FileManager.default.fileExists(atPath: r.path) else {
            guard ifExists else {
                throw RuntimeFailure(.cannotResume(path: r.given, "there is no such file; write 'resume: \(Value.quote(r.given)) if exists' to start fresh when it is missing"), at: spec.span)
            }
            m.output.note("note: no checkpoint '\(r.given)' yet: training '\(spec.name)' from the start")
            return TrainState()
        }
        let restored: (state: TrainState, generator: Generator)
        do { restored = try checkpoint.restore(from: r.path, given: r.given, files: m.files) } catch { throw RuntimeFailure.located(error, at: spec.span) }
        let state = restored.state
        if settings.shuffle, state.step % settings.stepsPerEpoch != 0, state.epochGenerator == nil {
            throw RuntimeFailure(.cannotResume(path: r.given, "its training state is incomplete (no generator for the epoch)"), at: spec.span)
        }
        m.rng = restored.generator
        m.output.note("note: resuming '\(spec.name)' from '\(r.given)' at step \(state.step) of \(settings.total)")
        if let hook = m.onTrainProgress {
            for (i, loss) in state.losses.enumerated() {
                hook(TrainProgress(name: spec.name, step: i + 1, totalSteps: settings.total, epoch: settings.epoch(ofStep: i + 1),
                                   loss: loss, evalMetric: state.eval(atStep: i + 1), elapsed: 0, isLogStep: false,
                                   isFinished: false, learningRate: state.rates[i], isRestored: true))
            }
        }
        return state
    }

    /// The generators as they are now.
    func capture(_ targets: [TrainTarget]) -> Boundary {
        Boundary(session: m.rng, encoders: targets.map { $0.encoder?.encoder.generators ?? [] },
                 layers: randomModels().map(\.dropout.generator))
    }

    /// Puts the generators back as `b` found them.
    func restore(_ b: Boundary, _ targets: [TrainTarget]) {
        m.rng = b.session
        for (t, g) in zip(targets, b.encoders) where !g.isEmpty { t.encoder?.encoder.generators = g }
        for (layer, g) in zip(randomModels(), b.layers) { layer.dropout.generator = g }
    }

    func restore(_ best: [String: [String: Tensor]], _ targets: [TrainTarget]) throws {
        for t in targets { if let w = best[t.name] { try t.assign(w) } }
    }

    func write(_ checkpoint: TrainCheckpoint, _ state: TrainState, _ settings: TrainSettings) throws {
        guard let file = settings.checkpoint else { return }
        do { try checkpoint.write(state, generator: m.rng, to: file.path, files: m.files) } catch { throw RuntimeFailure.located(error, at: spec.span) }
    }

    func writeLog(_ state: TrainState, _ settings: TrainSettings) throws {
        guard let file = settings.log else { return }
        do { try m.files.write(Data(state.csv(settings).utf8), to: file.path) } catch { throw RuntimeFailure.located(error, at: spec.span) }
    }

    /// `trained pe: 320 steps, loss 2.0794 -> 0.1234, best eval 0.4375 at step 40 (restored); frozen llm unchanged`
    func summary(_ state: TrainState, _ settings: TrainSettings) -> String {
        var line = "trained \(spec.name): \(state.step) step\(state.step == 1 ? "" : "s")"
        if let first = state.losses.first, let last = state.losses.last {
            line += ", loss \(TrainProgress.fixed(first)) -> \(TrainProgress.fixed(last))"
        }
        if let best = state.best {
            line += ", best eval \(TrainProgress.fixed(best))"
            if let step = state.bestStep { line += " at step \(step)" }
            if let step = state.bestStep, let k = state.evalSteps.lastIndex(of: step) {
                let tasks = state.taskEvals(at: k).filter { !$0.value.isNaN }
                if !tasks.isEmpty { line += " (" + tasks.map { "\($0.task) \(TrainProgress.fixed($0.value))" }.joined(separator: ", ") + ")" }
            }
            if settings.restoreBest { line += " (restored)" }
        }
        if state.stoppedEarly { line += " (stopped early: no eval improvement in \(settings.patience ?? 0) evals)" }
        if !spec.frozen.isEmpty { line += "; frozen " + spec.frozen.map(\.name).joined(separator: ", ") + " unchanged" }
        return line
    }

    /// `cosine(warmup: 10, over 320 steps)`
    static func describe(_ s: LRSchedule) -> String {
        switch s {
        case .constant: return "constant"
        case let .warmupConstant(w): return "constant(warmup: \(w))"
        case let .linear(w, n): return "linear_decay(warmup: \(w), over \(n) steps)"
        case let .cosine(w, n, c): return "cosine(warmup: \(w), over \(n) steps" + (c == 0.5 ? ")" : ", \(Value.format(c)) cycles)")
        }
    }

    /// What limit a failed interrupt check reached (`the time limit of 1 s was reached`).
    static func limitText(_ error: any Error) -> String {
        if let f = error as? RuntimeFailure, case let .limitReached(what) = f.message { return what }
        return "a limit was reached"
    }
}

/// Checksums that prove frozen weights unchanged: FNV-1a over the bytes of every tensor a value holds.
enum Checksum {
    static func of(_ v: Value) throws -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ t: Tensor) throws {
            for d in t.doubles {
                var x = d.bitPattern
                for _ in 0..<8 { h = (h ^ (x & 0xff)) &* 0x100_0000_01b3; x >>= 8 }
            }
        }
        switch v {
        case let .tensor(t): try mix(t)
        case let .param(p): try mix(p.value)
        case let .model(mo): for p in mo.parameters { try mix(p.value) }
        case let .encoder(e): for p in e.parameters { try mix(p.value) }
        case .none, .number, .bool, .string, .list, .range, .record, .function, .builtin, .dataset, .optimizer, .schedule:
            break
        }
        return h
    }
}
