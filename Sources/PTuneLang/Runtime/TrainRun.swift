import Foundation
import PTuneCore
import PTuneNN

/// A compiled `train` block.
typealias TrainSpec = TrainBlock<Code>

/// One run of a `train` block: batches over epochs (shuffled by the session's generator), one optimizer step per
/// batch, evaluation, early stopping, logging, checkpoints; at the end it verifies every frozen tensor and model
/// unchanged and says so in one line. Returns the history record.
struct TrainRun {
    let spec: TrainSpec
    let m: Machine

    /// The fields of the history a `let h = train …` binds.
    static let historyType = RecordType([
        ("steps", .number(nil)), ("loss", .list(.number(nil))), ("eval", .list(.number(nil))),
        ("eval_steps", .list(.number(nil))), ("final_loss", .number(nil)), ("best_eval", .unknown),
    ])

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

    func cadence(_ option: TrainOptionName, stepsPerEpoch: Int) throws -> Int? {
        guard let (code, unit) = spec.every(option) else { return nil }
        guard let n = try int(code, option.rawValue, default: nil) else { return nil }
        switch unit {
        case .steps: return n
        case .epochs: return n * stepsPerEpoch
        }
    }

    /// The trainable parameters of the targets, each once.
    func parameters() throws -> [Parameter] {
        var out: [Parameter] = []
        for target in spec.targets {
            let name = target.name, span = target.span
            let v: Value
            do { v = try target.value(m) } catch { throw RuntimeFailure.located(error, at: span) }
            var refs: [Parameter] = []
            switch v {
            case let .param(p): refs = [p]
            case let .encoder(e): refs = e.parameters.trainable
            case let .model(mo):
                guard !mo.isFrozen else {
                    throw RuntimeFailure(.cannotAssign(name, kind: "frozen model", hint: "unfreeze it first (\(name).frozen = false)"), at: span)
                }
                refs = mo.parameters.trainable
            case .none, .number, .bool, .string, .tensor, .list, .range, .record, .function, .builtin, .dataset,
                 .optimizer, .schedule:
                throw RuntimeFailure(.wrongKind(context: "'train'", expected: "an encoder, a param or a model", got: v.kindText), at: span)
            }
            for r in refs where !out.contains(where: { $0 === r }) { out.append(r) }
        }
        return out
    }

    func run() throws -> Value {
        guard case let .dataset(ds) = try value(spec.data, "on") ?? .none else {
            throw RuntimeFailure(.wrongKind(context: "'train … on'", expected: "a dataset", got: (try? spec.data(m))?.kindText ?? "none"), at: spec.dataSpan)
        }
        guard ds.count > 0 else { throw RuntimeFailure(.badArgument(function: "train", "the dataset is empty"), at: spec.dataSpan) }
        let params = try parameters()
        guard case let .optimizer(given) = try value(spec.value(.optimizer), "optimizer") ?? .none else {
            throw RuntimeFailure(.wrongKind(context: "'optimizer' of 'train'", expected: "an optimizer such as adam(lr: 1e-3)", got: "something else"), at: spec.span)
        }
        let opt = given.parameters.isEmpty ? try given.rebind(params) : given
        let batchSize = Swift.min(try int(spec.value(.batch), "batch", default: 32) ?? 32, ds.count)
        let stepsPerEpoch = (ds.count + batchSize - 1) / batchSize
        let epochs = try int(spec.value(.epochs), "epochs", default: nil)
        let maxSteps = try int(spec.value(.steps), "steps", default: nil)
        let total = maxSteps ?? (epochs ?? 1) * stepsPerEpoch
        let epochCount = maxSteps.map { ($0 + stepsPerEpoch - 1) / stepsPerEpoch } ?? (epochs ?? 1)
        var shuffle = true
        if let v = try value(spec.value(.shuffle), "shuffle") {
            guard case let .bool(b) = v else { throw RuntimeFailure(.wrongKind(context: "'shuffle' of 'train'", expected: "a bool", got: v.kindText), at: spec.span) }
            shuffle = b
        }
        if let v = try value(spec.value(.clip), "clip") {
            guard case let .number(c) = v, c > 0 else { throw RuntimeFailure(.wrongKind(context: "'clip' of 'train'", expected: "a positive number", got: v.kindText), at: spec.span) }
            opt.clipNorm = c
        }
        if let v = try value(spec.value(.schedule), "schedule") {
            guard case let .schedule(s) = v else { throw RuntimeFailure(.wrongKind(context: "'schedule' of 'train'", expected: "a schedule", got: v.kindText), at: spec.span) }
            opt.schedule = s.make(total)
        }
        let logEvery = try cadence(.log, stepsPerEpoch: stepsPerEpoch)
        let evalCode = spec.value(.eval), lossCode = spec.value(.loss)
        let evalEvery = try cadence(.eval, stepsPerEpoch: stepsPerEpoch) ?? (evalCode != nil ? stepsPerEpoch : nil)
        let patience = try int(spec.value(.patience), "patience", default: nil)
        var goal = TrainGoal.min
        if let v = try value(spec.value(.goal), "goal") {
            do { goal = try TrainGoal(v) } catch { throw RuntimeFailure(error, at: spec.span) }
        }
        var step = 0
        let checkpointPath: String? = try value(spec.value(.checkpoint), "checkpoint").map { v in
            guard case let .string(p) = v else { throw RuntimeFailure(.wrongKind(context: "'checkpoint'", expected: "a path", got: v.kindText), at: spec.span) }
            do { return try m.resolve(p, forWriting: true) } catch { throw RuntimeFailure.located(error, at: spec.span) }
        }
        let checkpointEvery = try cadence(.checkpoint, stepsPerEpoch: stepsPerEpoch)
        var trainedEncoders: [(String, EncoderObject)] = []
        for target in spec.targets { if case let .encoder(e) = try target.value(m) { trainedEncoders.append((target.name, e)) } }
        if checkpointPath != nil && trainedEncoders.isEmpty {
            throw RuntimeFailure(.badArgument(function: "train", "'checkpoint' saves encoders; this block trains none"), at: spec.span)
        }
        func writeCheckpoint() throws {
            guard let path = checkpointPath else { return }
            do { try Persistence.checkpoint(encoders: trainedEncoders, optimizer: opt, step: step, generator: m.rng, to: path, files: m.files) } catch {
                throw RuntimeFailure.located(error, at: spec.span)
            }
        }
        let logPath: String? = try value(spec.value(.log_file), "log_file").map { v in
            guard case let .string(p) = v else { throw RuntimeFailure(.wrongKind(context: "'log_file'", expected: "a path", got: v.kindText), at: spec.span) }
            do { return try m.resolve(p, forWriting: true) } catch { throw RuntimeFailure.located(error, at: spec.span) }
        }

        let before = try spec.frozen.map { try Checksum.of(m.globals[$0.slot]) }
        var losses: [Value] = [], evals: [Value] = [], evalSteps: [Value] = []
        var best: Double?, sinceBest = 0, stoppedEarly = false
        var csv = "step,epoch,loss,eval\n"
        let start = Machine.now()
        var lastEval: Double?
        // Without shuffling every epoch sees the same batches: cut them once.
        let fixedBatches = shuffle ? nil : try ds.batches(size: batchSize, shuffle: false, rng: &m.rng)
        training: for epoch in 1...Swift.max(epochCount, 1) {
            let batches = try fixedBatches ?? m.withRandom { try ds.batches(size: batchSize, shuffle: true, rng: &$0) }
            for b in batches {
                if step >= total { break training }
                do { try m.checkInterrupt() } catch {
                    let why = m.cancellation.isCancelled ? Message.interrupted("training of '\(spec.name)' stopped at step \(step) of \(total); the parameters keep their trained values")
                        : .limitReached("\(TrainRun.limitText(error)) in training '\(spec.name)' at step \(step) of \(total); the parameters keep their trained values")
                    throw RuntimeFailure(why, at: spec.span)
                }
                m.stack[m.base + spec.batchSlot] = .record(b)
                let lossValue = try value(lossCode, "loss") ?? .none
                guard let lossTensor = lossValue.tensorValue else {
                    throw RuntimeFailure(.wrongKind(context: "'loss' of 'train'", expected: "a scalar tensor", got: lossValue.kindText), at: spec.span)
                }
                let loss: Double
                do { loss = try opt.step(loss: lossTensor) } catch { throw RuntimeFailure.located(error, at: spec.span) }
                step += 1
                losses.append(.number(loss))
                if let k = evalEvery, step % k == 0 || step == total, let e = evalCode {
                    let v = try Tensor.withoutRecording { try e(m) }
                    guard case let .number(x) = v.tensorValue.map({ .number((try? $0.scalarValue()) ?? .nan) }) ?? v else {
                        throw RuntimeFailure(.wrongKind(context: "'eval' of 'train'", expected: "a number", got: v.kindText), at: spec.span)
                    }
                    lastEval = x
                    evals.append(.number(x))
                    evalSteps.append(.number(Double(step)))
                    if best.map({ goal.improves(x, on: $0) }) ?? true { best = x; sinceBest = 0 } else { sinceBest += 1 }
                    if let p = patience, sinceBest >= p { stoppedEarly = true }
                }
                let isLog = logEvery.map { step % $0 == 0 || step == total } ?? false
                if logPath != nil { csv += "\(step),\(epoch),\(Value.format(loss)),\(lastEval.map(Value.format) ?? "")\n" }
                if m.onTrainProgress != nil || isLog {
                    let progress = TrainProgress(name: spec.name, step: step, totalSteps: total, epoch: epoch,
                                                 loss: loss, evalMetric: lastEval, elapsed: Machine.now() - start,
                                                 isLogStep: isLog, isFinished: step == total || stoppedEarly)
                    if let hook = m.onTrainProgress { hook(progress) } else { m.output.write(TrainRun.logLine(progress)) }
                }
                if let k = checkpointEvery, step % k == 0 { try writeCheckpoint() }
                if stoppedEarly { break training }
            }
        }
        try writeCheckpoint()
        if let logPath {
            do { try m.files.write(Data(csv.utf8), to: logPath) } catch { throw RuntimeFailure.located(error, at: spec.span) }
        }
        let after = try spec.frozen.map { try Checksum.of(m.globals[$0.slot]) }
        var changed: [String] = []
        for (i, (name, _)) in spec.frozen.enumerated() where before[i] != after[i] { changed.append(name) }
        if !changed.isEmpty {
            throw RuntimeFailure(.internalError("frozen " + changed.map { "'\($0)'" }.joined(separator: ", ") + " changed during training"), at: spec.span)
        }
        var line = "trained \(spec.name): \(step) step\(step == 1 ? "" : "s")"
        if case let .number(first)? = losses.first, case let .number(last)? = losses.last {
            line += ", loss \(TrainRun.fixed(first)) -> \(TrainRun.fixed(last))"
        }
        if let best { line += ", best eval \(TrainRun.fixed(best))" }
        if stoppedEarly { line += " (stopped early: no eval improvement in \(patience ?? 0) evals)" }
        if !spec.frozen.isEmpty { line += "; frozen " + spec.frozen.map(\.name).joined(separator: ", ") + " unchanged" }
        m.output.write(line)
        return .record(Record([
            ("steps", .number(Double(step))), ("loss", .list(losses)), ("eval", .list(evals)),
            ("eval_steps", .list(evalSteps)), ("final_loss", losses.last ?? .none),
            ("best_eval", best.map { .number($0) } ?? .none),
        ]))
    }

    /// What limit a failed interrupt check reached (`the time limit of 1 s was reached`).
    static func limitText(_ error: any Error) -> String {
        if let f = error as? RuntimeFailure, case let .limitReached(what) = f.message { return what }
        return "a limit was reached"
    }

    /// `step 10/320  epoch 1/10  loss 2.0794  eval 0.4375`
    static func logLine(_ p: TrainProgress) -> String {
        var s = "step \(p.step)/\(p.totalSteps)  epoch \(p.epoch)  loss \(fixed(p.loss))"
        if let e = p.evalMetric { s += "  eval \(fixed(e))" }
        return s
    }

    /// Four decimals, as log lines print losses.
    static func fixed(_ v: Double) -> String { String(format: "%.4f", v) }
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
