import Foundation

/// A "nice" axis (Heckbert's labelling): ticks at 1, 2 or 5 × 10ⁿ that cover the data, and their labels.
public struct AxisScale: Sendable, Equatable {
    /// The first tick, at or below the data's minimum.
    public private(set) var lower: Double
    /// The last tick, at or above the data's maximum.
    public private(set) var upper: Double
    /// The distance between ticks.
    public private(set) var step: Double

    /// An axis over `range` with about `ticks` ticks (at least 2, at most `ticks + 1`), wasting as little of the
    /// axis as those allow.
    public init(covering range: ClosedRange<Double>, ticks: Int) {
        let raw = (range.upperBound - range.lowerBound) / Double(max(1, ticks - 1))
        var best: (lower: Double, upper: Double, step: Double)?
        for step in [AxisScale.nice(raw, round: true), AxisScale.nice(raw, round: false)] {
            let lower = (range.lowerBound / step).rounded(.down) * step
            let upper = (range.upperBound / step).rounded(.up) * step
            let count = Int(((upper - lower) / step).rounded()) + 1
            if count <= ticks + 1, best.map({ upper - lower < $0.upper - $0.lower }) ?? true { best = (lower, upper, step) }
        }
        let chosen = best ?? {
            let step = AxisScale.nice(raw * 2, round: false)
            return ((range.lowerBound / step).rounded(.down) * step, (range.upperBound / step).rounded(.up) * step, step)
        }()
        (lower, upper, step) = (chosen.lower, chosen.upper, chosen.step)
        if upper <= lower { upper = lower + step }
    }

    /// The tick positions from `lower` to `upper`.
    public var ticks: [Double] {
        let n = Int(((upper - lower) / step).rounded()) + 1
        return (0..<max(n, 1)).map { lower + Double($0) * step }
    }

    /// `value` as a tick label: as many decimals as the step needs, scientific for very large or small steps.
    public func label(_ value: Double) -> String {
        let v = abs(value) < step * 1e-9 ? 0 : value
        let magnitude = max(abs(lower), abs(upper))
        if magnitude >= 1e6 || step < 1e-4 { return String(format: "%.2g", v) }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", v)
    }

    /// The fraction of the way from `lower` to `upper` at which `value` sits.
    public func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }

    /// The nice number (1, 2, 5 or 10 × 10ⁿ) nearest `x` (`round`) or at or above it.
    static func nice(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = floor(log10(x))
        let f = x / pow(10, exponent)
        let nf: Double
        if round { nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10 } else { nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10 }
        return nf * pow(10, exponent)
    }
}
