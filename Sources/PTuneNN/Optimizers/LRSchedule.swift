import Foundation

/// A learning-rate schedule: the factor applied to the base rate at each update (0-based), as Hugging Face's
/// `get_*_schedule_with_warmup` (a `LambdaLR` stepped after every optimizer step, so update 0 uses `factor(0)`).
public enum LRSchedule: Sendable, Equatable {
    /// Always 1.
    case constant
    /// `s / w` during warm-up, then 1.
    case warmupConstant(warmupSteps: Int)
    /// `s / w` during warm-up, then linear decay to 0 at `totalSteps`: `max(0, (N − s) / (N − w))`.
    case linear(warmupSteps: Int, totalSteps: Int)
    /// `s / w` during warm-up, then `max(0, ½(1 + cos(π · 2c · progress)))` with progress `(s − w) / (N − w)` and
    /// `c` cycles (½: one half-cosine down to 0).
    case cosine(warmupSteps: Int, totalSteps: Int, cycles: Double = 0.5)

    /// The factor at update `step` (0-based).
    public func factor(atStep step: Int) -> Double {
        let s = Double(step)
        func warm(_ w: Int) -> Double? { step < w ? s / Double(Swift.max(1, w)) : nil }
        switch self {
        case .constant:
            return 1
        case let .warmupConstant(w):
            return warm(w) ?? 1
        case let .linear(w, n):
            return warm(w) ?? Swift.max(0, Double(n - step) / Double(Swift.max(1, n - w)))
        case let .cosine(w, n, cycles):
            if let f = warm(w) { return f }
            let progress = Double(step - w) / Double(Swift.max(1, n - w))
            return Swift.max(0, 0.5 * (1 + Foundation.cos(Double.pi * cycles * 2 * progress)))
        }
    }

    /// The learning rate at update `step` for a base rate.
    public func learningRate(base: Double, atStep step: Int) -> Double { base * factor(atStep: step) }
}
