/// The options a `train` block accepts.
enum TrainOptionName: String, CaseIterable {
    case loss, optimizer, batch, epochs, steps, shuffle, eval, patience, goal, restore_best, clip, log, log_file,
         checkpoint, resume, schedule, task, eval_data
}

/// Which way a `train` block's eval metric improves (`goal: "max"` for an accuracy; the default is `"min"`).
enum TrainGoal: String {
    case min, max

    /// The goal a value names, or the message for any other value.
    init(_ v: Value) throws(Message) {
        guard case let .string(s) = v, let goal = TrainGoal(rawValue: s) else {
            throw .wrongKind(context: "'goal' of 'train'", expected: "\"max\" or \"min\"", got: v.debugText)
        }
        self = goal
    }

    /// Whether `x` improves on `best`.
    func improves(_ x: Double, on best: Double) -> Bool {
        switch self {
        case .min: return x < best
        case .max: return x > best
        }
    }
}

/// A `train` block's parts: checked expressions after checking, compiled code after code generation.
struct TrainBlock<Part> {
    /// One option: its value (`log: every 10 steps` has none), its cadence (`every 2 steps`), if any, and whether
    /// it holds only when its file exists (`resume: "pe.ckpt" if exists`).
    struct Setting {
        var value: Part?
        var every: (count: Part, unit: CadenceUnit)?
        var ifExists = false
        /// Where the value is written (errors about it point there).
        var span: SourceSpan?
    }

    /// One thing trained: its name, what reads its value, and where it is written.
    struct Target {
        let name: String
        let value: Part
        let span: SourceSpan
    }

    /// What is trained, as the log line names it (`pe, head`).
    let name: String
    let targets: [Target]
    /// The dataset.
    let data: Part
    let dataSpan: SourceSpan
    /// The local slot `batch` lives in while `loss` and `eval` run.
    let batchSlot: Int
    /// With `eval_data:`, the slot `batch` lives in while `eval` runs (the eval data's rows).
    var evalBatchSlot: Int? = nil
    /// With `task:`, the slot of `task`, the task of the rows `batch` holds while `loss` and `eval` run.
    var taskSlot: Int? = nil
    let settings: [TrainOptionName: Setting]
    /// The frozen tensors and models of the session (by name and global slot), verified unchanged at the end.
    let frozen: [(name: String, slot: Int)]
    /// Every model of the session (by name and global slot): checkpoints keep the state of their random layers.
    let models: [(name: String, slot: Int)]
    let span: SourceSpan

    /// The value of option `name`, if given.
    func value(_ name: TrainOptionName) -> Part? { settings[name]?.value }

    /// The cadence of option `name`, if given.
    func every(_ name: TrainOptionName) -> (count: Part, unit: CadenceUnit)? { settings[name]?.every }

    /// The same block with every part transformed (checked expressions compiled to code).
    func map<T>(_ transform: (Part) -> T) -> TrainBlock<T> {
        var out: [TrainOptionName: TrainBlock<T>.Setting] = [:]
        for (name, s) in settings {
            out[name] = TrainBlock<T>.Setting(value: s.value.map(transform), every: s.every.map { (transform($0.count), $0.unit) },
                                              ifExists: s.ifExists, span: s.span)
        }
        return TrainBlock<T>(name: name, targets: targets.map { TrainBlock<T>.Target(name: $0.name, value: transform($0.value), span: $0.span) },
                             data: transform(data), dataSpan: dataSpan, batchSlot: batchSlot, evalBatchSlot: evalBatchSlot,
                             taskSlot: taskSlot, settings: out, frozen: frozen, models: models, span: span)
    }
}
