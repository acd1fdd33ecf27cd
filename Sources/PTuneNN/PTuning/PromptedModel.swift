import PTuneCore

/// A frozen model with prompt encoders in front of it, one per task: what p-tuning trains.
///
/// For a batch, each task present runs its encoder once (its `[n, d]` output is shared by all the task's examples),
/// the real tokens are embedded by the frozen model (or given as embeddings), and both are placed by one row gather
/// into the input embeddings `[B, T, d]` wherever the examples' layouts say — prepended, or anywhere a template puts
/// them. Gradients reach only the encoders: the model's weights are frozen when it is wrapped.
public final class PromptedModel {
    /// The frozen model.
    public let model: FrozenModel
    /// The encoders by task.
    public private(set) var encoders: [String: PromptEncoder] = [:]
    /// The tasks in the order they were registered.
    public private(set) var taskNames: [String] = []
    /// Whether a virtual-token prefix shared by the whole batch runs once when the model can
    /// (``FrozenModel/forward(sharedPrefix:rest:)``); off, every sequence is written out in full (the same outputs,
    /// for comparisons with code that does so).
    public var sharesPrefix = true
    /// Bumped whenever an encoder is registered (lets callers cache parameter lists).
    private(set) var version = 0

    /// A model with one encoder for `task`. Freezes the model.
    public convenience init(model: FrozenModel, encoder: PromptEncoder, task: String = PromptExample.defaultTask) throws {
        try self.init(model: model, encoders: [(task, encoder)])
    }

    /// A model with an encoder per task (NeMo-style multi-task p-tuning). Freezes the model.
    public init(model: FrozenModel, encoders list: [(String, PromptEncoder)]) throws {
        self.model = model
        model.freezeAll()
        for (task, e) in list { try register(e, for: task) }
    }

    /// Adds (or replaces) the encoder of `task`; its width and dtype must match the model's embeddings.
    public func register(_ encoder: PromptEncoder, for task: String) throws {
        guard !task.isEmpty, !task.contains("/") else {
            throw NNError.invalidArgument("task", "a task name must be non-empty and contain no '/', got '\(task)'")
        }
        guard !encoder.config.kind.isDeep else {
            throw NNError.unsupported("the encoder for task '\(task)' is a prefix encoder: its keys and values enter the model's attention, not its input embeddings")
        }
        guard encoder.tokenDim == model.tokenDim else {
            throw NNError.shapeMismatch("prompt encoder", "encoder for task '\(task)' makes tokens of width \(encoder.tokenDim), the model embeds \(model.tokenDim)")
        }
        guard encoder.config.dtype == model.dtype else {
            throw NNError.invalidArgument("prompt encoder", "encoder for task '\(task)' is \(encoder.config.dtype), the model is \(model.dtype)")
        }
        if encoders[task] == nil { taskNames.append(task) }
        encoders[task] = encoder
        version += 1
    }

    /// The encoder of `task`.
    public func encoder(for task: String) throws -> PromptEncoder {
        guard let e = encoders[task] else { throw NNError.unknownTask(task) }
        return e
    }

    /// The trainable parameters of the given tasks' encoders (all tasks when nil), in task order.
    public func trainableParameters(for tasks: [String]? = nil) throws -> [Parameter] {
        try (tasks ?? taskNames).flatMap { try encoder(for: $0).parameters.trainable }
    }

    /// The model's outputs for `batch`; `realEmbeddings` `[B, R, d]` replaces the frozen model's embedding of the
    /// real tokens (for models without a vocabulary, or precomputed inputs).
    ///
    /// When every example starts with the same virtual tokens (one task, prepended, no padding) and the model can run
    /// a shared prefix (``FrozenModel/forward(sharedPrefix:rest:)``), the prefix positions are computed once for the
    /// batch rather than once per example; the outputs are the same.
    public func callAsFunction(_ batch: PromptBatch, realEmbeddings: Tensor? = nil) throws -> PromptedOutput {
        let prompts = try encodePrompts(batch)
        let real = try realTokenEmbeddings(batch, realEmbeddings)
        if sharesPrefix, let n = batch.prefixLength, n > 0, batch.batchSize > 1, real.shape[1] == batch.length - n,
           let out = try model.forward(sharedPrefix: prompts.pieces[0], rest: real) {
            return PromptedOutput(output: out, batch: batch, kind: model.outputKind)
        }
        let inputs = try assemble(batch, prompts: prompts, real: real)
        let out = try model.forward(embeddings: inputs, attentionMask: batch.hasPadding ? batch.attentionMask : nil)
        return PromptedOutput(output: out, batch: batch, kind: model.outputKind)
    }

    /// The input embeddings `[B, T, d]`: virtual tokens from each example's task encoder, real tokens' embeddings,
    /// and for padding the pad token's embedding.
    public func inputEmbeddings(_ batch: PromptBatch, realEmbeddings: Tensor? = nil) throws -> Tensor {
        try assemble(batch, prompts: encodePrompts(batch), real: realTokenEmbeddings(batch, realEmbeddings))
    }

    /// Each task's encoder output `[n, d]` (run once per batch), and the row where each starts when stacked; checks
    /// that every example places as many virtual tokens as its task's encoder makes.
    private func encodePrompts(_ batch: PromptBatch) throws -> (pieces: [Tensor], offsets: [Int], rows: Int) {
        let d = model.tokenDim
        var pieces: [Tensor] = []
        var offsets: [Int] = []
        var rows = 0
        for (k, task) in batch.tasks.enumerated() {
            let enc = try encoder(for: task)
            let n = enc.numVirtualTokens
            guard batch.maxVirtualIndex[k] < n else {
                throw NNError.invalidBatch("an example of task '\(task)' uses virtual token \(batch.maxVirtualIndex[k]), but its encoder makes \(n)")
            }
            let p = try enc.encode()
            guard p.shape == [n, d] else {
                throw NNError.shapeMismatch("prompt encoder", "encoder for task '\(task)' returned \(Shape.describe(p.shape)), expected [\(n), \(d)]")
            }
            pieces.append(p)
            offsets.append(rows)
            rows += n
        }
        for row in 0..<batch.batchSize {
            let n = pieces[batch.taskOfExample[row]].shape[0]
            guard batch.virtualCounts[row] == n else {
                throw NNError.invalidBatch("example \(row) places \(batch.virtualCounts[row]) virtual tokens, but the encoder of task '\(batch.tasks[batch.taskOfExample[row]])' makes \(n)")
            }
        }
        return (pieces, offsets, rows)
    }

    /// The real tokens' embeddings `[B, R, d]`: `given`, or the frozen model's embedding of the batch's tokens.
    private func realTokenEmbeddings(_ batch: PromptBatch, _ given: Tensor?) throws -> Tensor {
        let d = model.tokenDim, b = batch.batchSize, r = batch.realTokens.shape[1]
        let real = try given ?? model.embed(batch.realTokens)
        guard real.shape == [b, r, d] else {
            throw NNError.shapeMismatch("p-tuning", "real-token embeddings must be [\(b), \(r), \(d)], got \(Shape.describe(real.shape))")
        }
        return real
    }

    /// The input embeddings from the encoders' outputs and the real tokens' embeddings, placed as the batch says.
    private func assemble(_ batch: PromptBatch, prompts: (pieces: [Tensor], offsets: [Int], rows: Int),
                          real: Tensor) throws -> Tensor {
        let d = model.tokenDim, b = batch.batchSize, t = batch.length, r = batch.realTokens.shape[1]
        var pieces = prompts.pieces
        let offsets = prompts.offsets, rows = prompts.rows
        if let n = batch.prefixLength, r == t - n {
            // PEFT's layout: the prompt broadcast over the batch, then the real tokens.
            let prompt = b == 1 ? try pieces[0].unsqueezed(axis: 0) : try pieces[0].unsqueezed(axis: 0).broadcasted(to: [b, n, d])
            return try Tensor.concat([prompt, real], axis: 1)
        }
        pieces.append(try real.reshaped([b * r, d]))
        var index = [Int64](repeating: 0, count: b * t)
        for row in 0..<b {
            let padRow = rows + row * r + Swift.min(batch.realCounts[row], r - 1)
            for p in 0..<t {
                switch batch.sources[row * t + p] {
                case let .virtual(task, i): index[row * t + p] = Int64(offsets[task] + i)
                case let .real(j): index[row * t + p] = Int64(rows + row * r + j)
                case .pad: index[row * t + p] = Int64(padRow)
                }
            }
        }
        let table = try Tensor.concat(pieces, axis: 0)
        return try table.gatherRows(Tensor(shape: [b, t], scalars: index))
    }
}
