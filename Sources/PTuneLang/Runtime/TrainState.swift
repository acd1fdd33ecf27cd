import PTuneCore
import PTuneNN

/// One thing a `train` block trains: an encoder, a param or an unfrozen model, with its trainable parameters.
struct TrainTarget {
    /// What kind of value it is (checkpoints store encoders as tasks, the others as plain weights).
    enum Kind: String {
        case encoder, param, model
    }

    let name: String
    let kind: Kind
    /// The encoder, for an encoder target.
    let encoder: EncoderObject?
    /// Its trainable parameters, in order.
    let parameters: [Parameter]
    /// The task whose rows it trains, for an encoder of a record of encoders (one per task); nil: every row.
    var task: String? = nil

    /// The values of its parameters by name (snapshots: later updates do not change them).
    var weights: [String: Tensor] { parameters.stateDict() }

    /// Puts `weights` back (every parameter must have its value).
    func assign(_ weights: [String: Tensor]) throws {
        for p in parameters {
            guard let w = weights[p.name] else { throw NNError.missingWeight("\(name).\(p.name)") }
            try p.assign(w)
        }
    }
}

/// Where a `train` block is: the step, the histories its result reports, the early-stopping counters and the best
/// weights. Together with the weights, the optimizer's state and the generators, it is what a checkpoint holds so
/// that a resumed block continues exactly as if it had never stopped.
struct TrainState {
    /// Steps finished.
    var step = 0
    /// The loss and learning rate of every step.
    var losses: [Double] = []
    var rates: [Double] = []
    /// Every eval and the step it followed.
    var evals: [Double] = []
    var evalSteps: [Int] = []
    /// The best eval so far, its step, and how many evals since it improved.
    var best: Double?
    var bestStep: Int?
    var sinceBest = 0
    /// Whether patience ran out.
    var stoppedEarly = false
    /// The session's generator as it was when the running epoch's batches were drawn (a resumed block redraws them).
    var epochGenerator: Generator?
    /// The weights at the best eval, by target, when the block restores them.
    var bestWeights: [String: [String: Tensor]]?
    /// With `task:`, each task's evals (parallel to ``evals``), tasks in the record's order.
    var taskEvals: [(task: String, evals: [Double])] = []

    /// The bytes the histories hold, and will hold as the values of the block's result.
    var historyBytes: Int {
        (losses.count + rates.count + evals.count * (1 + taskEvals.count) + evalSteps.count) * (8 + MemoryLayout<Value>.stride)
    }

    /// The latest eval at step `step`, if any came before it.
    func eval(atStep step: Int) -> Double? {
        guard let i = evalSteps.lastIndex(where: { $0 <= step }) else { return nil }
        return evals[i]
    }

    /// Records each task's eval (a task missing from the eval data gets NaN), before ``record(eval:goal:patience:)``.
    mutating func record(taskEvals values: [(task: String, value: Double)]) {
        for i in taskEvals.indices {
            taskEvals[i].evals.append(values.first { $0.task == taskEvals[i].task }?.value ?? .nan)
        }
    }

    /// Records an eval after the current step; returns whether it is the best so far.
    mutating func record(eval x: Double, goal: TrainGoal, patience: Int?) -> Bool {
        evals.append(x)
        evalSteps.append(step)
        let improved = best.map { goal.improves(x, on: $0) } ?? !x.isNaN
        if improved {
            best = x
            bestStep = step
            sinceBest = 0
        } else {
            sinceBest += 1
        }
        if let p = patience, sinceBest >= p { stoppedEarly = true }
        return improved
    }

    /// The history `let run = train …` binds (see ``TrainRun/historyType``).
    func history(total: Int, interrupted: Bool) -> Value {
        .record(Record([
            ("steps", .number(Double(step))), ("loss", .list(losses.map { .number($0) })),
            ("eval", .list(evals.map { .number($0) })), ("eval_steps", .list(evalSteps.map { .number(Double($0)) })),
            ("final_loss", losses.last.map { .number($0) } ?? .none), ("best_eval", best.map { .number($0) } ?? .none),
            ("best_step", bestStep.map { .number(Double($0)) } ?? .none), ("lr", .list(rates.map { .number($0) })),
            ("total_steps", .number(Double(total))), ("stopped_early", .bool(stoppedEarly)), ("interrupted", .bool(interrupted)),
            ("task_eval", taskEvals.isEmpty ? .none : .record(Record(taskEvals.map { ($0.task, .list(ListValue($0.evals.map { .number($0) }))) }))),
        ]))
    }

    /// The CSV of `log_file`: `step,epoch,loss,eval,lr`, one row per step, numbers in their shortest exact form.
    /// With `task:`, a column `eval_TASK` per task follows.
    func csv(_ settings: TrainSettings) -> String {
        var out = "step,epoch,loss,eval,lr" + taskEvals.map { ",eval_" + $0.task }.joined() + "\n"
        for (i, loss) in losses.enumerated() {
            let s = i + 1
            out += "\(s),\(settings.epoch(ofStep: s)),\(Value.format(loss)),\(eval(atStep: s).map(Value.format) ?? ""),\(Value.format(rates[i]))"
            let k = evalSteps.lastIndex { $0 <= s }
            for t in taskEvals { out += "," + (k.map { Value.format(t.evals[$0]) } ?? "") }
            out += "\n"
        }
        return out
    }

    /// Each task's eval at the eval `k` (0-based), in the record's order.
    func taskEvals(at k: Int) -> [(task: String, value: Double)] {
        taskEvals.compactMap { k >= 0 && k < $0.evals.count ? ($0.task, $0.evals[k]) : nil }
    }
}
