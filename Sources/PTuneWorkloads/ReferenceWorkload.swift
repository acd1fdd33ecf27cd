import Foundation
import PTuneCore
import PTuneNN

/// The outcome of running a reference workload.
public struct WorkloadRun: Sendable {
    /// Steps run.
    public var steps: Int
    /// Wall-clock seconds of the training loop.
    public var seconds: Double
    /// The loss of the last step's forward pass (before its update), as the baselines report it.
    public var finalLoss: Double
    /// The loss at each traced step.
    public var trace: [Int: Double]
    /// Bytes of gradient tensors computed in one backward pass (frozen weights get none).
    public var gradientBytesPerStep: Int
    /// Input gradients computed in one backward pass.
    public var gradientKernelsPerStep: Int
    /// Steps per second.
    public var stepsPerSecond: Double { seconds > 0 ? Double(steps) / seconds : .infinity }
}

/// A p-tuning workload of the shared benchmarks (`bench/baselines`), rebuilt in ptune from the baseline's exact
/// initial state so that its loss trace can be compared step by step.
public protocol ReferenceWorkload: AnyObject {
    /// The workload's name (`w1_seed`, …).
    var name: String { get }
    /// The trainer, set up as the baseline's training loop.
    var tuner: PromptTuner { get }
    /// One step; returns its result.
    func step() throws -> PromptTuner.StepResult
}

extension ReferenceWorkload {
    /// Runs `steps` steps, recording the loss at `traceAt`.
    public func run(steps: Int, traceAt: Set<Int> = []) throws -> WorkloadRun {
        var trace: [Int: Double] = [:]
        var last: PromptTuner.StepResult? = nil
        let start = MonotonicClock.seconds()
        for s in 0..<steps {
            last = try step()
            if traceAt.contains(s) { trace[s] = last?.loss }
        }
        let seconds = MonotonicClock.seconds() - start
        return WorkloadRun(steps: steps, seconds: seconds, finalLoss: last?.loss ?? .nan, trace: trace,
                           gradientBytesPerStep: last?.backward.gradientBytes ?? 0,
                           gradientKernelsPerStep: last?.backward.gradientKernels ?? 0)
    }
}

/// Helpers to read baseline dumps.
enum Dump {
    static func tensor(_ d: [String: Tensor], _ name: String) throws -> Tensor {
        guard let t = d[name] else { throw NNError.missingWeight(name) }
        return t
    }

    /// The entries under `prefix.`, with the prefix removed.
    static func group(_ d: [String: Tensor], _ prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, v) in d where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v }
        return out
    }
}

/// W1 "seed": the seed notebook's toy. Frozen `W` `[4, 3]`, fixed `V₀` `[2, 4]`, trainable `P` `[2, 4]`, one real
/// token with embedding `x` `[1, 4]`, target `T` `[1, 3]`; `Z = [V₀ ⊙ P ; x]`, `Y = Z · W`, `L = mean((Y − T)²)`,
/// SGD lr 0.01. Tensors: `W`, `V0`, `P`, `x`, `T` (float64).
public final class SeedToyWorkload: ReferenceWorkload {
    /// `w1_seed`
    public let name = "w1_seed"
    /// The trainer set up as the baseline's loop.
    public let tuner: PromptTuner
    private let batch: PromptBatch
    private let target: Tensor

    /// The workload from the baseline's initial tensors.
    public init(_ d: [String: Tensor], learningRate: Double = 0.01) throws {
        let model = try ToyMatrixModel(weights: Dump.tensor(d, "W"), tokenTable: Dump.tensor(d, "x"))
        let encoder = try ScalePromptEncoder(base: Dump.tensor(d, "V0"), scale: Dump.tensor(d, "P"))
        tuner = PromptTuner(model: try PromptedModel(model: model, encoder: encoder), optimizer: try SGD(learningRate: learningRate))
        batch = try PromptBatch([PromptExample.prepending(encoder.numVirtualTokens, to: [0])])
        target = try Dump.tensor(d, "T")
    }

    /// One training step of the baseline's loop.
    public func step() throws -> PromptTuner.StepResult {
        try tuner.step(batch) { try Loss.mse($0.output, target) }
    }
}

/// W2 "mlp-classify": a PEFT MLP encoder (n 10, d 64, H 256) prepended to 16 real embeddings per example, a frozen
/// per-token residual MLP (64 → 256 → 64, GELU), mean pooling, a frozen 8-class head; batch 32, cross-entropy, Adam
/// 1e-3. Tensors: `llm.fc1.*`, `llm.fc2.*`, `head.*`, `enc.*`, `X` `[32, 16, 64]`, `labels` `[32]`.
public final class MLPClassifyWorkload: ReferenceWorkload {
    /// `w2_mlp_classify`
    public let name = "w2_mlp_classify"
    /// The trainer set up as the baseline's loop.
    public let tuner: PromptTuner
    private let batch: PromptBatch
    private let inputs: Tensor
    private let labels: Tensor

    /// The workload from the baseline's initial tensors; `sharedPrefix` false writes every sequence out in full
    /// (virtual tokens included) as the baseline does, instead of running the shared prompt once.
    public init(_ d: [String: Tensor], learningRate: Double = 1e-3, sharedPrefix: Bool = true) throws {
        var g = Generator(seed: 0)  // every drawn weight is overwritten by the dump
        let model = try ResidualMLPClassifier(dim: 64, hidden: 256, classes: 8, dtype: .float64, using: &g)
        var frozen = Dump.group(d, "llm")
        for (k, v) in Dump.group(d, "head") { frozen["head." + k] = v }
        try model.parameters.load(frozen)
        let encoder = try MLPPromptEncoder(numVirtualTokens: 10, tokenDim: 64, hiddenSize: 256, dtype: .float64, using: &g)
        try encoder.parameters.load(Dump.group(d, "enc"))
        tuner = PromptTuner(model: try PromptedModel(model: model, encoder: encoder), optimizer: try Adam(learningRate: learningRate))
        tuner.model.sharesPrefix = sharedPrefix
        inputs = try Dump.tensor(d, "X")
        labels = try Dump.tensor(d, "labels")
        let b = inputs.shape[0], s = inputs.shape[1]
        batch = try PromptBatch((0..<b).map { _ in try PromptExample.prepending(10, to: [Int](repeating: 0, count: s)) })
    }

    /// One training step of the baseline's loop.
    public func step() throws -> PromptTuner.StepResult {
        try tuner.step(batch, realEmbeddings: inputs) { try Loss.crossEntropy($0.output, labels) }
    }
}

/// W3 "tiny-transformer": a PEFT MLP encoder (n 10, d 64, H 128) prepended to 32 tokens per example in front of a
/// frozen 2-layer GPT (vocab 64, d 64, 4 heads, pre-LN, context 42); PEFT's causal-LM loss (labels −100 on the
/// virtual tokens), batch 16, Adam 1e-3. Tensors: `lm.*` (GPT names), `enc.*`, `tokens` `[16, 32]`.
public final class TinyGPTWorkload: ReferenceWorkload {
    /// `w3_tiny_transformer`
    public let name = "w3_tiny_transformer"
    /// The trainer set up as the baseline's loop.
    public let tuner: PromptTuner
    private let batch: PromptBatch

    /// The workload from the baseline's initial tensors; `sharedPrefix` false writes every sequence out in full
    /// (virtual tokens included) as the baseline does, instead of running the shared prompt once.
    public init(_ d: [String: Tensor], learningRate: Double = 1e-3, sharedPrefix: Bool = true) throws {
        var g = Generator(seed: 0)
        let model = try GPT(GPT.Config(vocabSize: 64, dim: 64, layers: 2, heads: 4, context: 42), dtype: .float64, using: &g)
        try model.parameters.load(Dump.group(d, "lm"))
        let encoder = try MLPPromptEncoder(numVirtualTokens: 10, tokenDim: 64, hiddenSize: 128, dtype: .float64, using: &g)
        try encoder.parameters.load(Dump.group(d, "enc"))
        tuner = PromptTuner(model: try PromptedModel(model: model, encoder: encoder), optimizer: try Adam(learningRate: learningRate))
        tuner.model.sharesPrefix = sharedPrefix
        let tokens = try Dump.tensor(d, "tokens")
        let b = tokens.shape[0], s = tokens.shape[1], ids = tokens.ints
        batch = try PromptBatch((0..<b).map { i in
            let row = Array(ids[(i * s)..<((i + 1) * s)])
            return try PromptExample.prepending(10, to: row, labels: row)
        })
    }

    /// One training step of the baseline's loop.
    public func step() throws -> PromptTuner.StepResult {
        try tuner.step(batch) { try $0.causalLMLoss() }
    }
}
