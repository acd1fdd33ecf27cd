import Foundation
import PTuneCore

/// The full state of a p-tuning run: each task's encoder (architecture, weights, buffers, dropout generators,
/// optimizer moments), the step, the run's generator and the training settings.
///
/// Stored as one safetensors file, written atomically: tensors `encoders/<task>/<param>`, `buffers/<task>/<name>`,
/// `optimizer/<task>/<param>.<slot>` and the loop's `loop/…` in their own dtype (bit-exact), and the rest as JSON in
/// the `__metadata__` entry `ptune.checkpoint`. Loading it into identically built objects and continuing is bit-identical to never stopping.
public struct Checkpoint {
    /// One task's encoder state.
    public struct TaskState {
        /// The encoder's architecture.
        public var config: PromptEncoderConfig
        /// Parameter values by name.
        public var weights: [String: Tensor]
        /// Buffers by name.
        public var buffers: [String: Tensor]
        /// The encoder's dropout generators.
        public var generators: [Generator]
        /// The optimizer's state for this encoder's parameters (nil when saved without an optimizer).
        public var optimizer: OptimizerState?

        /// A task state.
        public init(config: PromptEncoderConfig, weights: [String: Tensor], buffers: [String: Tensor] = [:],
                    generators: [Generator] = [], optimizer: OptimizerState? = nil) {
            self.config = config; self.weights = weights; self.buffers = buffers
            self.generators = generators; self.optimizer = optimizer
        }
    }

    /// The metadata key holding the JSON record.
    public static let metadataKey = "ptune.checkpoint"

    /// The tasks, in order.
    public var tasks: [(name: String, state: TaskState)]
    /// Completed training steps.
    public var step: Int
    /// The run's generator (data order, sampling).
    public var generator: Generator?
    /// The base learning rate.
    public var learningRate: Double?
    /// The learning-rate schedule.
    public var schedule: LRSchedule
    /// The gradient-norm clip, if any.
    public var maxGradientNorm: Double?
    /// The record of the training loop that wrote the checkpoint (its settings and counters), opaque here: stored as
    /// the metadata entry `loop`.
    public var loop: JSONValue?
    /// The training loop's tensors (histories, best weights, other trained weights), opaque here: stored under
    /// `loop/`.
    public var loopTensors: [String: Tensor]

    /// A checkpoint record.
    public init(tasks: [(name: String, state: TaskState)], step: Int = 0, generator: Generator? = nil,
                learningRate: Double? = nil, schedule: LRSchedule = .constant, maxGradientNorm: Double? = nil,
                loop: JSONValue? = nil, loopTensors: [String: Tensor] = [:]) {
        self.tasks = tasks; self.step = step; self.generator = generator; self.learningRate = learningRate
        self.schedule = schedule; self.maxGradientNorm = maxGradientNorm
        self.loop = loop; self.loopTensors = loopTensors
    }

    /// A checkpoint of one encoder alone (no optimizer, step 0).
    public init(encoder: PromptEncoder, task: String = PromptExample.defaultTask) {
        self.init(tasks: [(task, TaskState(config: encoder.config, weights: encoder.parameters.stateDict(),
                                           buffers: encoder.buffers, generators: encoder.generators))])
    }

    /// The state of `task`.
    public func state(of task: String) throws -> TaskState {
        guard let s = tasks.first(where: { $0.name == task })?.state else { throw NNError.unknownTask(task) }
        return s
    }

    /// A new encoder for `task` built from its configuration and loaded with its weights, buffers and generators.
    public func makeEncoder(for task: String) throws -> PromptEncoder {
        let s = try state(of: task)
        var g = Generator(seed: 0)  // every drawn value is overwritten by the load below
        let e = try PromptEncoders.make(s.config, using: &g)
        try e.load(weights: s.weights, buffers: s.buffers)
        if !s.generators.isEmpty { e.generators = s.generators }
        return e
    }

    // MARK: - File format

    /// Writes the checkpoint to `url` atomically.
    public func write(to url: URL) throws {
        try write(toPath: url.path)
    }

    /// Writes the checkpoint to the file at `path` atomically, through `files`' access check.
    public func write(toPath path: String, files: CheckedFiles = CheckedFiles()) throws {
        var tensors: [String: Tensor] = [:]
        var taskRecords: [String: JSONValue] = [:]
        for (name, s) in tasks {
            for (k, v) in s.weights { tensors["encoders/\(name)/\(k)"] = v }
            for (k, v) in s.buffers { tensors["buffers/\(name)/\(k)"] = v }
            var record: [String: JSONValue] = [
                "encoder": CheckpointCoding.encode(s.config),
                "generators": .array(s.generators.map(CheckpointCoding.encode)),
            ]
            if let o = s.optimizer {
                for (k, v) in o.tensors { tensors["optimizer/\(name)/\(k)"] = v }
                record["optimizer"] = .object([
                    "kind": .string(o.kind.rawValue),
                    "hyperparameters": .object(o.hyperparameters.mapValues { .double($0) }),
                    "steps": .object(o.steps.mapValues { .int($0) }),
                ])
            }
            taskRecords[name] = .object(record)
        }
        for (k, v) in loopTensors { tensors["loop/\(k)"] = v }
        let meta: JSONValue = .object([
            "loop": loop ?? .null,
            "format": .string("ptune.checkpoint"),
            "version": .int(1),
            "step": .int(step),
            "generator": generator.map(CheckpointCoding.encode) ?? .null,
            "learning_rate": learningRate.map { .double($0) } ?? .null,
            "schedule": CheckpointCoding.encode(schedule),
            "max_grad_norm": maxGradientNorm.map { .double($0) } ?? .null,
            "task_order": .array(tasks.map { .string($0.name) }),
            "tasks": .object(taskRecords),
        ])
        try SafeTensors.write(tensors, toPath: path, metadata: [Checkpoint.metadataKey: meta.serialized()], files: files)
    }

    /// Reads a checkpoint written by ``write(to:)``.
    public static func read(from url: URL) throws -> Checkpoint {
        try read(path: url.path)
    }

    /// Reads the checkpoint at `path`, through `files`' access check.
    public static func read(path: String, files: CheckedFiles = CheckedFiles()) throws -> Checkpoint {
        let file = try SafeTensorsFile(path: path, mapped: false, files: files)
        guard let text = file.metadata[metadataKey] else {
            throw NNError.invalidCheckpoint("'\(path)' has no '\(metadataKey)' metadata: not a ptune checkpoint")
        }
        let meta = try JSONValue.parse(text)
        guard meta["format"]?.stringValue == "ptune.checkpoint", meta["version"]?.intValue == 1 else {
            throw NNError.invalidCheckpoint("unknown checkpoint format or version")
        }
        let all = try file.tensors()
        func group(_ prefix: String) -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for (k, v) in all where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v }
            return out
        }
        guard let order = meta["task_order"]?.arrayValue?.compactMap(\.stringValue), let records = meta["tasks"]?.objectValue else {
            throw NNError.invalidCheckpoint("missing task list")
        }
        var tasks: [(name: String, state: TaskState)] = []
        for name in order {
            guard let r = records[name], let enc = r["encoder"] else { throw NNError.invalidCheckpoint("no record for task '\(name)'") }
            var state = TaskState(config: try CheckpointCoding.decodeConfig(enc), weights: group("encoders/\(name)/"),
                                  buffers: group("buffers/\(name)/"),
                                  generators: try (r["generators"]?.arrayValue ?? []).map(CheckpointCoding.decodeGenerator))
            if let o = r["optimizer"] {
                guard let kindName = o["kind"]?.stringValue else { throw NNError.invalidCheckpoint("optimizer record without a kind") }
                guard let kind = OptimizerKind(rawValue: kindName) else {
                    throw NNError.invalidCheckpoint("unknown optimizer kind '\(kindName)' (expected sgd, adam or adamw)")
                }
                state.optimizer = OptimizerState(
                    kind: kind,
                    hyperparameters: (o["hyperparameters"]?.objectValue ?? [:]).compactMapValues(\.doubleValue),
                    steps: (o["steps"]?.objectValue ?? [:]).compactMapValues(\.intValue),
                    tensors: group("optimizer/\(name)/"))
            }
            tasks.append((name, state))
        }
        return Checkpoint(
            tasks: tasks, step: meta["step"]?.intValue ?? 0,
            generator: try meta["generator"].flatMap { $0.isNull ? nil : try CheckpointCoding.decodeGenerator($0) },
            learningRate: meta["learning_rate"]?.doubleValue,
            schedule: try CheckpointCoding.decodeSchedule(meta["schedule"] ?? .null),
            maxGradientNorm: meta["max_grad_norm"]?.doubleValue,
            loop: meta["loop"].flatMap { $0.isNull ? nil : $0 }, loopTensors: group("loop/"))
    }
}
