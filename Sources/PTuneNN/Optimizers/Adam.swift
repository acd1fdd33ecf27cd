import Foundation
import PTuneCore

/// Adam and AdamW with PyTorch's update (`torch.optim.Adam` / `AdamW`, single-tensor path), for each parameter p
/// with gradient g at step t:
/// ```
/// p = p · (1 − lr·λ)                 (AdamW: decoupled weight decay)      g = g + λ·p   (Adam: L2 penalty)
/// m = m + (1 − β₁)(g − m)            v = β₂·v + (1 − β₂)·g·g
/// p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// Defaults as PyTorch: lr 1e-3, β = (0.9, 0.999), ε = 1e-8, weight decay 0 (Adam) or 1e-2 (AdamW).
public final class Adam: Optimizer {
    /// The step size.
    public var learningRate: Double
    /// β₁
    public let beta1: Double
    /// β₂
    public let beta2: Double
    /// ε
    public let eps: Double
    /// λ
    public let weightDecay: Double
    /// Whether weight decay is decoupled (AdamW) rather than added to the gradient (Adam).
    public let decoupledWeightDecay: Bool
    private var slots: [ObjectIdentifier: OptimizerSlot] = [:]

    /// Adam (L2 weight decay added to the gradient).
    public convenience init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0) throws {
        try self.init(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupled: false)
    }

    /// AdamW (decoupled weight decay, default 1e-2 as PyTorch).
    public static func adamW(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                             weightDecay: Double = 1e-2) throws -> Adam {
        try Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupled: true)
    }

    private init(learningRate: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool) throws {
        guard learningRate >= 0, eps >= 0, weightDecay >= 0 else {
            throw NNError.invalidArgument(decoupled ? "AdamW" : "Adam", "learning rate, ε and weight decay must be non-negative")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw NNError.invalidArgument(decoupled ? "AdamW" : "Adam", "betas must be in [0, 1), got (\(beta1), \(beta2))")
        }
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.weightDecay = weightDecay; decoupledWeightDecay = decoupled
    }

    /// The state kind: ``OptimizerKind/adam`` or ``OptimizerKind/adamw``.
    public var kind: OptimizerKind { decoupledWeightDecay ? .adamw : .adam }

    /// One Adam(W) step for every parameter.
    public func update(_ parameters: [Parameter], along gradients: [Tensor]) throws {
        try OptimizerChecks.validate(parameters, gradients)
        for (p, g) in zip(parameters, gradients) {
            let slot = slots.slot(for: p)
            if slot.first == nil {
                slot.first = try Tensor.zeros(p.shape, dtype: p.dtype)
                slot.second = try Tensor.zeros(p.shape, dtype: p.dtype)
            }
            slot.step += 1
            if p.dtype == .float32 { try step(Float.self, p, g, slot) } else { try step(Double.self, p, g, slot) }
        }
    }

    private func step<T: TensorFloat>(_: T.Type, _ p: Parameter, _ g: Tensor, _ slot: OptimizerSlot) throws {
        guard var m = slot.first, var v = slot.second else { return }
        slot.first = nil; slot.second = nil  // keep the moments uniquely referenced: updated in place
        defer { slot.first = m; slot.second = v }
        let t = Double(slot.step)
        let bc1 = 1 - Foundation.pow(beta1, t), bc2 = 1 - Foundation.pow(beta2, t)
        let stepSize = T(learningRate / bc1), negStep = -stepSize
        let bc2Sqrt = T(Foundation.pow(bc2, 0.5))
        let w1 = T(1 - beta1), b2 = T(beta2), w2 = T(1 - beta2), e = T(eps)
        let decay = T(weightDecay), shrink = T(1 - learningRate * weightDecay)
        let decoupled = decoupledWeightDecay, hasDecay = weightDecay != 0
        try g.withScalars(T.self) { gs in
            try m.withMutableScalars(T.self) { ms in
                try v.withMutableScalars(T.self) { vs in
                    try p.value.withMutableScalars(T.self) { ps in
                        guard let pg = gs.baseAddress, let pm = ms.baseAddress, let pv = vs.baseAddress,
                              let pp = ps.baseAddress else { return }
                        Parallel.forChunks(ps.count) { range in
                            for i in range {
                                var gi = pg[i]
                                if hasDecay {
                                    if decoupled { pp[i] = pp[i] * shrink } else { gi = gi + pp[i] * decay }
                                }
                                pm[i] = pm[i] + w1 * (gi - pm[i])
                                pv[i] = pv[i] * b2 + w2 * gi * gi
                                let denom = pv[i].squareRoot() / bc2Sqrt + e
                                pp[i] = pp[i] + negStep * pm[i] / denom
                            }
                        }
                    }
                }
            }
        }
    }

    /// First and second moments as `"<param>.exp_avg"` and `"<param>.exp_avg_sq"`, steps by name.
    public func exportState(for parameters: [Parameter]) throws -> OptimizerState {
        var tensors: [String: Tensor] = [:], steps: [String: Int] = [:]
        for p in parameters {
            guard let s = slots[ObjectIdentifier(p)], let m = s.first, let v = s.second else { continue }
            steps[p.name] = s.step
            tensors[p.name + ".exp_avg"] = m
            tensors[p.name + ".exp_avg_sq"] = v
        }
        return OptimizerState(kind: kind, hyperparameters: [
            "lr": learningRate, "beta1": beta1, "beta2": beta2, "eps": eps, "weight_decay": weightDecay,
        ], steps: steps, tensors: tensors)
    }

    /// Restores moments and steps by parameter name (parameters without saved state start fresh).
    public func restoreState(_ state: OptimizerState, for parameters: [Parameter]) throws {
        try OptimizerChecks.checkKind(state, kind)
        if let lr = state.hyperparameters["lr"] { learningRate = lr }
        for p in parameters {
            guard let step = state.steps[p.name] else { slots[ObjectIdentifier(p)] = nil; continue }
            let slot = slots.slot(for: p)
            slot.step = step
            slot.first = try OptimizerChecks.tensor(state, p, "exp_avg")
            slot.second = try OptimizerChecks.tensor(state, p, "exp_avg_sq")
        }
    }
}
