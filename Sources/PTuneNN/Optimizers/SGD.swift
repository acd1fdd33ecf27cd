import PTuneCore

/// Stochastic gradient descent with PyTorch's update (`torch.optim.SGD`), for each parameter p with gradient g:
/// ```
/// d = g + λ·p                                  (weight decay λ, if non-zero)
/// b = d (first step)  or  b = μ·b + (1 − τ)·d  (momentum μ, dampening τ, if μ ≠ 0)
/// d = d + μ·b (Nesterov)  or  d = b
/// p = p − lr·d
/// ```
/// Defaults as PyTorch: lr 1e-3, momentum 0, dampening 0, weight decay 0, no Nesterov.
public final class SGD: Optimizer {
    /// The step size.
    public var learningRate: Double
    /// μ
    public let momentum: Double
    /// τ
    public let dampening: Double
    /// λ (L2 penalty added to the gradient)
    public let weightDecay: Double
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    private var slots: [ObjectIdentifier: OptimizerSlot] = [:]

    /// An SGD optimizer; Nesterov needs a positive momentum and zero dampening (as PyTorch).
    public init(learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
                nesterov: Bool = false) throws {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0 else {
            throw NNError.invalidArgument("SGD", "learning rate, momentum and weight decay must be non-negative")
        }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw NNError.invalidArgument("SGD", "Nesterov momentum requires a momentum and zero dampening")
        }
        self.learningRate = learningRate; self.momentum = momentum; self.dampening = dampening
        self.weightDecay = weightDecay; self.nesterov = nesterov
    }

    /// One SGD step for every parameter.
    public func update(_ parameters: [Parameter], along gradients: [Tensor]) throws {
        try OptimizerChecks.validate(parameters, gradients)
        for (p, g) in zip(parameters, gradients) {
            if momentum == 0 && weightDecay == 0 {
                try p.value.addInPlace(g, scaledBy: -learningRate)
                continue
            }
            var d = g.detached()
            if weightDecay != 0 { d = try d + p.value.detached() * weightDecay }
            if momentum != 0 {
                let slot = slots.slot(for: p)
                if var b = slot.first {
                    slot.first = nil
                    try b.scaleInPlace(by: momentum)
                    try b.addInPlace(d, scaledBy: 1 - dampening)
                    slot.first = b
                } else {
                    slot.first = try d.detached() + 0  // a copy
                }
                slot.step += 1
                if let b = slot.first { d = nesterov ? try d + b * momentum : b }
            }
            try p.value.addInPlace(d, scaledBy: -learningRate)
        }
    }

    /// Momentum buffers as `"<param>.momentum_buffer"`.
    public func exportState(for parameters: [Parameter]) throws -> OptimizerState {
        var tensors: [String: Tensor] = [:], steps: [String: Int] = [:]
        for p in parameters {
            guard let s = slots[ObjectIdentifier(p)] else { continue }
            steps[p.name] = s.step
            if let b = s.first { tensors[p.name + ".momentum_buffer"] = b }
        }
        return OptimizerState(kind: .sgd, hyperparameters: [
            "lr": learningRate, "momentum": momentum, "dampening": dampening, "weight_decay": weightDecay,
            "nesterov": nesterov ? 1 : 0,
        ], steps: steps, tensors: tensors)
    }

    /// Restores momentum buffers by parameter name.
    public func restoreState(_ state: OptimizerState, for parameters: [Parameter]) throws {
        try OptimizerChecks.checkKind(state, .sgd)
        if let lr = state.hyperparameters["lr"] { learningRate = lr }
        for p in parameters {
            guard let step = state.steps[p.name] else { slots[ObjectIdentifier(p)] = nil; continue }
            let slot = slots.slot(for: p)
            slot.step = step
            slot.first = state.tensors[p.name + ".momentum_buffer"] == nil ? nil : try OptimizerChecks.tensor(state, p, "momentum_buffer")
        }
    }
}
