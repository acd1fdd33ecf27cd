import Foundation
import PTuneCore
import PTuneNN

/// A `train` block's checkpoint: PTuneNN's ``Checkpoint`` with the block's encoders as tasks (so `load pe from` and
/// the Swift API read it) and, under `loop`, everything else the block needs to continue exactly: the step and
/// histories (``TrainState``), the epoch's generator, the weights and optimizer state of params and models it trains,
/// the generators of the session's random layers, and the recipe it ran, which a resumed block must match.
struct TrainCheckpoint {
    /// The `loop` record's format name.
    static let format = "ptune.train"

    /// The block that writes or resumes.
    let targets: [TrainTarget]
    let optimizer: OptimizerObject
    let settings: TrainSettings
    /// What the block trains on and how: compared field by field when resuming.
    let recipe: [(name: String, value: String)]
    /// The session's models with random layers, by name.
    let randomModels: [(name: String, dropout: Dropout)]

    // MARK: - Writing

    /// Writes the block's state after `state.step` steps, with the session's generator `generator`, atomically and
    /// through `files`' access check.
    func write(_ state: TrainState, generator: Generator, to path: String, files: CheckedFiles) throws {
        var tasks: [(name: String, state: Checkpoint.TaskState)] = []
        var tensors: [String: Tensor] = [:]
        var others: [String: JSONValue] = [:]
        for t in targets {
            let o = try optimizer.optimizer.exportState(for: t.parameters)
            if let e = t.encoder {
                tasks.append((t.name, Checkpoint.TaskState(config: e.encoder.config, weights: e.parameters.stateDict(),
                                                           buffers: e.encoder.buffers, generators: e.encoder.generators, optimizer: o)))
                continue
            }
            for (k, v) in t.weights { tensors["weights/\(t.name)/\(k)"] = v }
            for (k, v) in o.tensors { tensors["optimizer/\(t.name)/\(k)"] = v }
            others[t.name] = .object(["kind": .string(o.kind.rawValue), "steps": .object(o.steps.mapValues { .int($0) })])
        }
        if let best = state.bestWeights {
            for (target, weights) in best { for (k, v) in weights { tensors["best/\(target)/\(k)"] = v } }
        }
        func history(_ name: String, _ xs: [Double]) throws {
            if !xs.isEmpty { tensors["history/\(name)"] = try Tensor(shape: [xs.count], scalars: xs) }
        }
        try history("loss", state.losses)
        try history("lr", state.rates)
        try history("eval", state.evals)
        try history("eval_steps", state.evalSteps.map(Double.init))
        for t in state.taskEvals { try history("task_eval/\(t.task)", t.evals) }
        func number(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? .double($0) : .string("\($0)") } ?? .null }
        let loop: JSONValue = .object([
            "format": .string(TrainCheckpoint.format),
            "recipe": .object(recipe.reduce(into: [:]) { $0[$1.name] = .string($1.value) }),
            "recipe_order": .array(recipe.map { .string($0.name) }),
            "targets": .array(targets.map { .object(["name": .string($0.name), "kind": .string($0.kind.rawValue)]) }),
            "step": .int(state.step),
            "optimizer_steps": .int(optimizer.steps),
            "last_loss": number(optimizer.lastLoss),
            "best": number(state.best),
            "best_step": state.bestStep.map { .int($0) } ?? .null,
            "since_best": .int(state.sinceBest),
            "stopped_early": .bool(state.stoppedEarly),
            "epoch_generator": state.epochGenerator.map(TrainCheckpoint.encode) ?? .null,
            "target_optimizers": .object(others),
            "random_layers": .object(randomModels.reduce(into: [:]) { $0[$1.name] = TrainCheckpoint.encode($1.dropout.generator) }),
        ])
        let checkpoint = Checkpoint(tasks: tasks, step: state.step, generator: generator, learningRate: optimizer.learningRate,
                                    schedule: settings.schedule ?? .constant, maxGradientNorm: settings.clip,
                                    loop: loop, loopTensors: tensors)
        try checkpoint.write(toPath: path, files: files)
    }

    // MARK: - Resuming

    /// Reads the checkpoint at `path` (as written `given`), checks that this block runs the recipe that wrote it, and
    /// restores the weights, optimizer state and generators (reading through `files`' access check). Returns the state
    /// to continue from and the session's generator to continue with.
    func restore(from path: String, given: String, files: CheckedFiles) throws -> (state: TrainState, generator: Generator) {
        func refuse(_ why: String) -> RuntimeFailure { RuntimeFailure(.cannotResume(path: given, why)) }
        let c: Checkpoint
        do { c = try Checkpoint.read(path: path, files: files) } catch {
            throw refuse("it is not a readable ptune checkpoint (\(error))")
        }
        guard let loop = c.loop, loop["format"]?.stringValue == TrainCheckpoint.format else {
            throw refuse("it holds weights but no training state (it was not written by a 'train' block's 'checkpoint:'); load its weights with 'load NAME from \(Value.quote(given))'")
        }
        // The same targets, then the same recipe.
        let saved = (loop["targets"]?.arrayValue ?? []).compactMap { t -> String? in
            guard let n = t["name"]?.stringValue, let k = t["kind"]?.stringValue else { return nil }
            return "\(k) '\(n)'"
        }
        let mine = targets.map { "\($0.kind.rawValue) '\($0.name)'" }
        guard saved == mine else {
            throw refuse("it trains \(saved.joined(separator: ", ")); this block trains \(mine.joined(separator: ", "))")
        }
        let theirs = loop["recipe"]?.objectValue ?? [:]
        var differences: [String] = []
        for t in targets {
            guard let e = t.encoder else { continue }
            let s = try c.state(of: t.name)
            if s.config != e.encoder.config {
                differences.append("'\(t.name)' is \(describe(e.encoder.config)) here, \(describe(s.config)) in the checkpoint")
            }
        }
        for (name, here) in recipe {
            let there = theirs[name]?.stringValue ?? "nothing"
            if here != there && !(name == "total steps" && TrainCheckpoint.extends(settings, there)) {
                differences.append("\(name) \(here) here, \(there) in the checkpoint")
            }
        }
        guard differences.isEmpty else {
            throw refuse("it was written by another recipe: " + differences.joined(separator: "; "))
        }
        // Weights and optimizer state, checked before anything changes.
        for t in targets where t.encoder == nil {
            for p in t.parameters {
                guard let w = c.loopTensors["weights/\(t.name)/\(p.name)"] else { throw refuse("it has no weight '\(t.name).\(p.name)'") }
                guard w.shape == p.shape else {
                    throw refuse("'\(t.name).\(p.name)' is \(Shape.describe(p.shape)) here, \(Shape.describe(w.shape)) in the checkpoint")
                }
            }
        }
        let others = loop["target_optimizers"]?.objectValue ?? [:]
        for t in targets {
            if let e = t.encoder {
                let s = try c.state(of: t.name)
                try e.encoder.load(weights: s.weights, buffers: s.buffers)
                if !s.generators.isEmpty { e.encoder.generators = s.generators }
                if let o = s.optimizer { try optimizer.optimizer.restoreState(o, for: t.parameters) }
            } else {
                var weights: [String: Tensor] = [:], moments: [String: Tensor] = [:]
                for (k, v) in c.loopTensors {
                    if k.hasPrefix("weights/\(t.name)/") { weights[String(k.dropFirst("weights/\(t.name)/".count))] = v }
                    if k.hasPrefix("optimizer/\(t.name)/") { moments[String(k.dropFirst("optimizer/\(t.name)/".count))] = v }
                }
                try t.assign(weights)
                if let o = others[t.name], let kind = o["kind"]?.stringValue.flatMap(OptimizerKind.init(rawValue:)) {
                    let steps = (o["steps"]?.objectValue ?? [:]).compactMapValues(\.intValue)
                    try optimizer.optimizer.restoreState(OptimizerState(kind: kind, hyperparameters: [:], steps: steps, tensors: moments),
                                                         for: t.parameters)
                }
            }
        }
        let layers = loop["random_layers"]?.objectValue ?? [:]
        for (name, dropout) in randomModels {
            if let g = layers[name].flatMap(TrainCheckpoint.decode) { dropout.generator = g }
        }
        optimizer.steps = loop["optimizer_steps"]?.intValue ?? c.step
        optimizer.lastLoss = loop["last_loss"].flatMap(TrainCheckpoint.number)
        var state = TrainState()
        state.step = c.step
        func history(_ name: String) -> [Double] { c.loopTensors["history/\(name)"]?.doubles ?? [] }
        state.losses = history("loss")
        state.rates = history("lr")
        state.evals = history("eval")
        state.evalSteps = history("eval_steps").map { Int($0) }
        if !state.evals.isEmpty {
            state.taskEvals = targets.compactMap(\.task).map { task in
                let h = history("task_eval/\(task)")
                return (task, h.count == state.evals.count ? h : [Double](repeating: .nan, count: state.evals.count))
            }
        }
        state.best = loop["best"].flatMap(TrainCheckpoint.number)
        state.bestStep = loop["best_step"]?.intValue
        state.sinceBest = loop["since_best"]?.intValue ?? 0
        state.stoppedEarly = loop["stopped_early"]?.boolValue ?? false
        state.epochGenerator = loop["epoch_generator"].flatMap(TrainCheckpoint.decode)
        if settings.restoreBest {
            var best: [String: [String: Tensor]] = [:]
            for t in targets {
                var w: [String: Tensor] = [:]
                for (k, v) in c.loopTensors where k.hasPrefix("best/\(t.name)/") { w[String(k.dropFirst("best/\(t.name)/".count))] = v }
                if !w.isEmpty { best[t.name] = w }
            }
            state.bestWeights = best.isEmpty ? nil : best
        }
        guard state.losses.count == state.step, state.rates.count == state.step, state.evals.count == state.evalSteps.count,
              let generator = c.generator else {
            throw refuse("its training state is incomplete")
        }
        return (state, generator)
    }

    /// Whether a block with `settings` may continue a checkpoint whose total steps were `there`: only a schedule that
    /// does not depend on the total lets a run go on for longer (or stop sooner) and stay exact.
    static func extends(_ settings: TrainSettings, _ there: String) -> Bool {
        guard Int(there) != nil else { return false }
        switch settings.schedule {
        case nil, .constant?, .warmupConstant?: return true
        case .linear?, .cosine?: return false
        }
    }

    /// `mlp(2 × 6, hidden 8, float64)`
    func describe(_ c: PromptEncoderConfig) -> String {
        "\(c.kind.rawValue)(\(c.numVirtualTokens) × \(c.tokenDim)" + (c.hiddenSize.map { ", hidden \($0)" } ?? "")
            + (c.dtype == .float32 ? "" : ", \(c.dtype)") + ")"
    }

    // MARK: - Encoding

    /// The four state words as decimal strings (they exceed JSON's exact integer range).
    static func encode(_ g: Generator) -> JSONValue { .array(g.state.map { .string(String($0)) }) }

    static func decode(_ v: JSONValue) -> Generator? {
        guard let words = v.arrayValue?.compactMap({ $0.stringValue.flatMap { UInt64($0) } }), words.count == 4 else { return nil }
        return Generator(state: words)
    }

    /// A number written by ``write(_:generator:to:)``: finite ones as numbers, others as their names.
    static func number(_ v: JSONValue) -> Double? {
        if v.isNull { return nil }
        return v.doubleValue ?? v.stringValue.flatMap(Double.init)
    }
}
