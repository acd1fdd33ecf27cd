import PTuneCore
import PTuneNN

/// An optimizer (PTuneNN's) over a set of parameters: `opt.step(loss)` computes the gradients of `loss` with respect
/// to them and applies one update. Frozen parameters are refused when the optimizer is made.
public final class OptimizerObject: @unchecked Sendable, CustomStringConvertible {
    /// Which optimizer it is.
    public let kind: OptimizerKind
    /// The optimizer doing the updates.
    public let optimizer: any Optimizer
    /// The parameters it updates.
    public let parameters: [Parameter]
    /// The base learning rate (`opt.lr`, settable); a schedule scales it at each step.
    public var learningRate: Double
    /// The schedule and the steps it spans, if any.
    var schedule: LRSchedule?
    /// Clip gradients to this global norm before each update, if set.
    var clipNorm: Double?
    /// Updates taken so far.
    public internal(set) var steps = 0
    /// The loss of the last step.
    public internal(set) var lastLoss: Double?
    /// Printed settings (`lr: 0.01, momentum: 0.9`).
    let settings: String
    /// Makes the same optimizer over other parameters (`train` binds `adam(lr: 1e-3)` to what it trains).
    let rebind: ([Parameter]) throws -> OptimizerObject

    init(kind: OptimizerKind, optimizer: any Optimizer, parameters: [Parameter], settings: String,
         rebind: @escaping ([Parameter]) throws -> OptimizerObject) throws {
        for p in parameters where p.isFrozen {
            throw RuntimeFailure(.badArgument(function: kind.rawValue, "'\(p.name)' is frozen; frozen weights are never optimized"))
        }
        self.kind = kind
        self.optimizer = optimizer
        self.parameters = parameters
        self.learningRate = optimizer.learningRate
        self.settings = settings
        self.rebind = rebind
    }

    /// The learning rate of the next step (the schedule applied).
    public var currentRate: Double { schedule?.learningRate(base: learningRate, atStep: steps) ?? learningRate }

    /// One step: gradients of `loss` with respect to every parameter (or, with `only`, to those of its parameters
    /// that are among `only`: the others keep their values and their optimizer state, as PyTorch skips a parameter
    /// without a gradient), optional clipping, one update. Returns the loss value. A NaN or infinite loss stops with
    /// an error naming the step and the last finite loss.
    @discardableResult
    func step(loss: Tensor, only: [Parameter]? = nil) throws -> Double {
        let parameters = only.map { chosen in self.parameters.filter { p in chosen.contains { $0 === p } } } ?? self.parameters
        let value = try loss.scalarValue()
        guard value.isFinite else {
            throw RuntimeFailure(.nonFiniteLoss(value: Value.format(value), step: steps + 1, lastFinite: lastLoss.map(Value.format)))
        }
        guard !parameters.isEmpty else {
            throw RuntimeFailure(.badArgument(function: "step", "this optimizer has no parameters; pass them: \(kind.rawValue)([p], …), or use it in a 'train' block"))
        }
        guard loss.node != nil else {
            throw RuntimeFailure(.badArgument(function: "step", "the loss does not depend on the optimizer's parameters (are they frozen?)"))
        }
        var grads = try Tensor.gradients(of: loss, wrt: parameters.map(\.value))
        if let c = clipNorm { _ = try GradientClipping.clip(&grads, maxNorm: c) }
        optimizer.learningRate = currentRate
        try optimizer.update(parameters, along: grads)
        steps += 1
        lastLoss = value
        return value
    }

    /// `optimizer sgd(lr: 0.01) over 1 tensor (8 values), 0 steps taken`
    public var description: String {
        let n = parameters.parameterCount
        return "optimizer \(kind.rawValue)(\(settings)) over \(parameters.count) tensor\(parameters.count == 1 ? "" : "s") (\(Count.grouped(n)) values), \(steps) steps taken"
    }
}
