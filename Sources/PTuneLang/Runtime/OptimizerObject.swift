import PTuneCore

/// An optimizer over a set of parameters: `opt.step(loss)` computes the gradients of `loss` with respect to them
/// and applies one update. Frozen parameters are refused when the optimizer is made.
public final class OptimizerObject: @unchecked Sendable, CustomStringConvertible {
    /// `sgd`, `adam`, `adamw`.
    public let kind: String
    /// The parameters it updates.
    public let parameters: [ParamRef]
    /// The base learning rate (`opt.lr`, settable).
    public var learningRate: Double
    /// A schedule scaling the rate over `scheduleTotal` steps, if any.
    var schedule: ScheduleObject?
    var scheduleTotal = 0
    /// Clip gradients to this global norm before each update, if set.
    var clipNorm: Double?
    /// Updates taken so far.
    public internal(set) var steps = 0
    /// The loss of the last step.
    public internal(set) var lastLoss: Double?
    /// Applies one update: parameters, their gradients, the learning rate of this step.
    let update: ([ParamRef], [Tensor], Double) throws -> Void
    /// Printed settings (`lr: 0.01, momentum: 0.9`).
    let settings: String
    /// Whether `update` only writes in place (no tensor operations that could be recorded), so it need not run
    /// with recording switched off.
    let updatesInPlace: Bool
    /// Makes the same optimizer over other parameters (`train` binds `adam(lr: 1e-3)` to what it trains).
    let rebind: ([ParamRef]) throws -> OptimizerObject

    init(kind: String, parameters: [ParamRef], learningRate: Double, settings: String, updatesInPlace: Bool = false,
         rebind: @escaping ([ParamRef]) throws -> OptimizerObject,
         update: @escaping ([ParamRef], [Tensor], Double) throws -> Void) {
        self.kind = kind
        self.rebind = rebind
        self.updatesInPlace = updatesInPlace
        self.parameters = parameters
        self.learningRate = learningRate
        self.settings = settings
        self.update = update
    }

    /// The learning rate of the next step (the schedule applied).
    public var currentRate: Double {
        guard let schedule else { return learningRate }
        return learningRate * schedule.factor(steps + 1, Swift.max(scheduleTotal, 1))
    }

    /// One step: gradients of `loss` with respect to every parameter, optional clipping, one update. Returns the
    /// loss value. A NaN or infinite loss stops with an error naming the step and the last finite loss.
    @discardableResult
    func step(loss: Tensor) throws -> Double {
        let value = try loss.scalarValue()
        guard value.isFinite else {
            throw RuntimeFailure(.nonFiniteLoss(value: Value.format(value), step: steps + 1, lastFinite: lastLoss.map(Value.format)))
        }
        guard !parameters.isEmpty else {
            throw RuntimeFailure(.badArgument(function: "step", "this optimizer has no parameters; pass them: \(kind)([p], …), or use it in a 'train' block"))
        }
        guard loss.node != nil else {
            throw RuntimeFailure(.badArgument(function: "step", "the loss does not depend on the optimizer's parameters (are they frozen?)"))
        }
        var grads = try Tensor.gradients(of: loss, wrt: parameters.map(\.tensor))
        if let c = clipNorm { try OptimizerObject.clip(&grads, maxNorm: c) }
        if updatesInPlace {
            try update(parameters, grads, currentRate)
        } else {
            try Tensor.withoutRecording { try update(parameters, grads, currentRate) }
        }
        steps += 1
        lastLoss = value
        return value
    }

    /// Scales `grads` so that their global L2 norm is at most `maxNorm` (PyTorch's `clip_grad_norm_`).
    static func clip(_ grads: inout [Tensor], maxNorm: Double) throws {
        var total = 0.0
        for g in grads { for v in g.doubles { total += v * v } }
        let norm = total.squareRoot()
        let scale = maxNorm / (norm + 1e-6)
        guard scale < 1 else { return }
        for i in grads.indices { try grads[i].scaleInPlace(by: scale) }
    }

    /// `optimizer sgd(lr: 0.01) over 1 param (8 values)`
    public var description: String {
        let n = parameters.reduce(0) { $0 + $1.tensor.count }
        return "optimizer \(kind)(\(settings)) over \(parameters.count) tensor\(parameters.count == 1 ? "" : "s") (\(Count.grouped(n)) values), \(steps) steps taken"
    }
}
