import PTuneCore

/// An optimizer: updates parameters in place along given gradients (keeping each parameter's autodiff identity).
///
/// Optimizers refuse frozen parameters with ``NNError/frozenParameter(_:)`` and check every gradient's shape and
/// dtype. Their state (moments, step counts) is keyed by parameter and can be exported and restored by parameter
/// name, which is what makes a resumed run bit-identical to one that never stopped.
public protocol Optimizer: AnyObject {
    /// The step size of the next update (a schedule sets it before each update).
    var learningRate: Double { get set }
    /// Updates each parameter along its gradient (same order, same shapes).
    func update(_ parameters: [Parameter], along gradients: [Tensor]) throws
    /// The state kept for `parameters`, keyed by their names.
    func exportState(for parameters: [Parameter]) throws -> OptimizerState
    /// Restores state exported by ``exportState(for:)`` onto `parameters` (matched by name).
    func restoreState(_ state: OptimizerState, for parameters: [Parameter]) throws
}

/// Which optimizer a saved state belongs to; the raw value is how checkpoints name it.
public enum OptimizerKind: String, Sendable, CaseIterable {
    /// Stochastic gradient descent (``SGD``).
    case sgd
    /// Adam with L2 weight decay (``Adam``).
    case adam
    /// Adam with decoupled weight decay (``Adam`` with `decoupled`).
    case adamw
}

/// An optimizer's saved state: hyperparameters, per-parameter step counts and tensors (`"<param>.<slot>"`).
public struct OptimizerState: Sendable {
    /// The optimizer the state belongs to.
    public var kind: OptimizerKind
    /// Learning rate, betas, ε, weight decay, momentum, … by name.
    public var hyperparameters: [String: Double]
    /// Updates applied to each parameter, by parameter name.
    public var steps: [String: Int]
    /// Per-parameter tensors by `"<param>.<slot>"` (e.g. `mlp_head.0.weight.exp_avg`).
    public var tensors: [String: Tensor]

    /// A state record.
    public init(kind: OptimizerKind, hyperparameters: [String: Double], steps: [String: Int], tensors: [String: Tensor]) {
        self.kind = kind; self.hyperparameters = hyperparameters; self.steps = steps; self.tensors = tensors
    }
}

/// Checks shared by every optimizer.
enum OptimizerChecks {
    static func validate(_ parameters: [Parameter], _ gradients: [Tensor]) throws {
        guard parameters.count == gradients.count else {
            throw NNError.gradientCountMismatch(parameters: parameters.count, gradients: gradients.count)
        }
        for (p, g) in zip(parameters, gradients) {
            guard !p.isFrozen else { throw NNError.frozenParameter(p.name) }
            guard g.shape == p.shape, g.dtype == p.dtype else {
                throw NNError.gradientMismatch(p.name, "got \(Shape.describe(g.shape)) \(g.dtype), expected \(Shape.describe(p.shape)) \(p.dtype)")
            }
        }
    }

    static func checkKind(_ state: OptimizerState, _ kind: OptimizerKind) throws {
        guard state.kind == kind else {
            throw NNError.invalidCheckpoint("optimizer state is for '\(state.kind.rawValue)', not '\(kind.rawValue)'")
        }
    }

    /// The saved tensor `"<param>.<slot>"`, checked against the parameter's shape and dtype.
    static func tensor(_ state: OptimizerState, _ p: Parameter, _ slot: String) throws -> Tensor {
        guard let t = state.tensors[p.name + "." + slot] else {
            throw NNError.invalidCheckpoint("optimizer state has no '\(p.name).\(slot)'")
        }
        guard t.shape == p.shape else { throw NNError.weightShapeMismatch(p.name + "." + slot, expected: p.shape, got: t.shape) }
        return try t.detached().to(p.dtype)
    }
}

/// Per-parameter optimizer slots, keyed by the parameter's identity (the parameter is retained, so the key stays
/// valid).
final class OptimizerSlot {
    let parameter: Parameter
    var step = 0
    var first: Tensor?
    var second: Tensor?
    init(_ parameter: Parameter) { self.parameter = parameter }
}

extension Dictionary where Key == ObjectIdentifier, Value == OptimizerSlot {
    /// The slot of `p`, created on first use.
    mutating func slot(for p: Parameter) -> OptimizerSlot {
        if let s = self[ObjectIdentifier(p)] { return s }
        let s = OptimizerSlot(p)
        self[ObjectIdentifier(p)] = s
        return s
    }
}
