import Foundation
import PTuneCore

/// The p-tuning training loop's state and step: schedule → forward → loss → gradients of the encoders only →
/// optional clipping → optimizer update. Saves and restores everything a run needs to continue bit-identically.
public final class PromptTuner {
    /// What one step did.
    public struct StepResult: Sendable {
        /// The loss before the update.
        public var loss: Double
        /// The learning rate used.
        public var learningRate: Double
        /// The global gradient norm before clipping (when clipping is on).
        public var gradientNorm: Double?
        /// The backward pass's report (gradient kernels and bytes; frozen weights cost nothing).
        public var backward: BackwardReport
    }

    /// The model and its encoders.
    public let model: PromptedModel
    /// The optimizer of the encoders' parameters.
    public let optimizer: Optimizer
    /// The schedule applied to ``baseLearningRate``.
    public var schedule: LRSchedule
    /// The learning rate the schedule scales.
    public var baseLearningRate: Double
    /// Clip the global gradient norm to this, if set.
    public var maxGradientNorm: Double?
    /// The run's generator (shuffling, sampling): saved and restored with checkpoints.
    public var generator: Generator
    /// Steps completed.
    public private(set) var completedSteps = 0
    /// The last batch's tasks, the model version and their encoders' parameters (all, frozen ones included).
    private var cached: (tasks: [String], version: Int, parameters: [Parameter])?

    /// A trainer; the base learning rate is the optimizer's current one.
    public init(model: PromptedModel, optimizer: Optimizer, schedule: LRSchedule = .constant,
                maxGradientNorm: Double? = nil, generator: Generator = Generator(seed: 0)) {
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        baseLearningRate = optimizer.learningRate
        self.maxGradientNorm = maxGradientNorm
        self.generator = generator
    }

    /// One training step on `batch`: `loss` maps the model's output to a scalar. Only the encoders of the batch's
    /// tasks are updated (as PyTorch skips parameters without a gradient).
    @discardableResult
    public func step(_ batch: PromptBatch, realEmbeddings: Tensor? = nil,
                     loss: (PromptedOutput) throws -> Tensor) throws -> StepResult {
        let lr = schedule.learningRate(base: baseLearningRate, atStep: completedSteps)
        optimizer.learningRate = lr
        for task in batch.tasks { try model.encoder(for: task).isTraining = true }
        let params = try trainableParameters(for: batch.tasks)
        var report = BackwardReport()
        // The graph lives only in this closure, so the update below writes parameters in place without copying.
        let (value, initialGrads) = try { () throws -> (Double, [Tensor]) in
            let l = try loss(model(batch, realEmbeddings: realEmbeddings))
            let g = params.isEmpty ? [] : try Tensor.gradients(of: l, wrt: params.map(\.value), report: &report)
            return (try l.scalarValue(), g)
        }()
        var grads = initialGrads
        var norm: Double? = nil
        if let maxGradientNorm { norm = try GradientClipping.clip(&grads, maxNorm: maxGradientNorm) }
        if !params.isEmpty { try optimizer.update(params, along: grads) }
        completedSteps += 1
        return StepResult(loss: value, learningRate: lr, gradientNorm: norm, backward: report)
    }

    /// The trainable parameters of `tasks`' encoders (the list is cached while the tasks and encoders stay the same).
    private func trainableParameters(for tasks: [String]) throws -> [Parameter] {
        if let c = cached, c.tasks == tasks, c.version == model.version {
            return c.parameters.allSatisfy { !$0.isFrozen } ? c.parameters : c.parameters.trainable
        }
        let all = try tasks.flatMap { try model.encoder(for: $0).parameters }
        cached = (tasks, model.version, all)
        return all.trainable
    }

    /// The loss on `batch` without recording or updating anything (dropout off).
    public func evaluate(_ batch: PromptBatch, realEmbeddings: Tensor? = nil,
                         loss: (PromptedOutput) throws -> Tensor) throws -> Double {
        for task in batch.tasks { try model.encoder(for: task).isTraining = false }
        defer { for task in batch.tasks { (try? model.encoder(for: task))?.isTraining = true } }
        return try Tensor.withoutRecording { try loss(model(batch, realEmbeddings: realEmbeddings)).scalarValue() }
    }

    // MARK: - Save and resume

    /// The full state as a checkpoint record.
    public func checkpoint() throws -> Checkpoint {
        let tasks = try model.taskNames.map { name -> (name: String, state: Checkpoint.TaskState) in
            let e = try model.encoder(for: name)
            return (name, Checkpoint.TaskState(config: e.config, weights: e.parameters.stateDict(), buffers: e.buffers,
                                               generators: e.generators,
                                               optimizer: try optimizer.exportState(for: e.parameters.trainable)))
        }
        return Checkpoint(tasks: tasks, step: completedSteps, generator: generator, learningRate: baseLearningRate,
                          schedule: schedule, maxGradientNorm: maxGradientNorm)
    }

    /// Saves the full state to `url` atomically (see ``Checkpoint``).
    public func save(to url: URL) throws { try checkpoint().write(to: url) }

    /// Restores a state saved by ``save(to:)`` into this trainer, whose encoders must have the same architectures
    /// and whose optimizer the same kind and hyperparameters (the learning rate comes from the checkpoint).
    public func restore(from url: URL) throws { try restore(try Checkpoint.read(from: url)) }

    /// Restores a checkpoint record (see ``restore(from:)``).
    public func restore(_ c: Checkpoint) throws {
        guard Set(c.tasks.map(\.name)) == Set(model.taskNames) else {
            throw NNError.invalidCheckpoint("checkpoint tasks \(c.tasks.map(\.name)) differ from the model's \(model.taskNames)")
        }
        for (name, s) in c.tasks {
            let e = try model.encoder(for: name)
            guard s.config == e.config else {
                throw NNError.invalidCheckpoint("task '\(name)': checkpoint encoder \(s.config) differs from \(e.config)")
            }
            if let o = s.optimizer {
                let mine = try optimizer.exportState(for: []).hyperparameters
                for (k, v) in o.hyperparameters where k != "lr" && mine[k] != v {
                    let here = mine[k].map { "\($0)" } ?? "unset"
                    throw NNError.invalidCheckpoint("optimizer \(k) is \(v) in the checkpoint but \(here) here")
                }
            }
        }
        for (name, s) in c.tasks {
            let e = try model.encoder(for: name)
            try e.load(weights: s.weights, buffers: s.buffers)
            if !s.generators.isEmpty { e.generators = s.generators }
            if let o = s.optimizer { try optimizer.restoreState(o, for: e.parameters.trainable) }
        }
        completedSteps = c.step
        if let g = c.generator { generator = g }
        if let lr = c.learningRate { baseLearningRate = lr }
        schedule = c.schedule
        maxGradientNorm = c.maxGradientNorm
    }
}
