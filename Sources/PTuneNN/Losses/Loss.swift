import Foundation
import PTuneCore

/// How a loss combines per-element terms.
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over the terms that count (for cross-entropy: the targets not ignored).
    case mean
    /// The sum.
    case sum
    /// One loss per element (per row for cross-entropy), zero where ignored.
    case none
}

/// Loss functions with PyTorch's semantics (`torch.nn.functional`).
public enum Loss {
    /// Mean squared error `mean((prediction − target)²)`, PyTorch's `mse_loss`; `target` broadcasts against
    /// `prediction` and the mean runs over the broadcast shape. Fused (one op) when the target is a constant that
    /// broadcasts into the prediction's shape; gradient `2 (prediction − target) / N`.
    public static func mse(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
        guard target.node == nil, prediction.dtype.isFloatingPoint, prediction.dtype == target.dtype,
              Shape.broadcasts(target.shape, to: prediction.shape) else {
            let sq = try (prediction - target).square()
            switch reduction {
            case .mean: return try sq.mean()
            case .sum: return try sq.sum()
            case .none: return sq
            }
        }
        let n = prediction.count
        var diff = [Double](repeating: 0, count: n)
        // A target repeated along the prediction's leading axes (one row for a batch) is read in place.
        let repeats = Shape.repeatsAlongLeadingAxes(target.shape, to: prediction.shape)
        let p = prediction.doubles, t = repeats ? target.doubles : try target.broadcasted(to: prediction.shape).doubles
        let period = t.count
        var total = 0.0
        if period == n {
            for i in 0..<n { let d = p[i] - t[i]; diff[i] = d; total += d * d }
        } else if period > 0 {
            for i in 0..<n { let d = p[i] - t[i % period]; diff[i] = d; total += d * d }
        }
        let value: Tensor
        switch reduction {
        case .mean: value = try Tensor(scalar: total / Double(n), dtype: prediction.dtype)
        case .sum: value = try Tensor(scalar: total, dtype: prediction.dtype)
        case .none: value = try Tensor(shape: prediction.shape, values: diff.map { $0 * $0 }, dtype: prediction.dtype)
        }
        let shape = prediction.shape, dtype = prediction.dtype
        return Tensor.differentiable("mse", output: value, inputs: [prediction]) { g, needs in
            guard needs[0] else { return [nil] }
            let gv = g.doubles
            let scale = reduction == .mean ? 2 / Double(n) : 2
            var out = [Double](repeating: 0, count: n)
            for i in 0..<n { out[i] = scale * diff[i] * (reduction == .none ? gv[i] : gv[0]) }
            return [try Tensor(shape: shape, values: out, dtype: dtype)]
        }
    }

    /// Binary cross-entropy on logits, PyTorch's `binary_cross_entropy_with_logits`:
    /// `ℓ = max(x, 0) − x·y + log(1 + e^(−|x|))` per element (stable for any x), gradient `σ(x) − y` for x and
    /// `−x` for y. `targets` (probabilities in [0, 1]) must have the logits' shape and dtype.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor,
                                                    reduction: Reduction = .mean) throws -> Tensor {
        guard logits.dtype.isFloatingPoint, logits.dtype == targets.dtype else {
            throw TensorError.dtypeMismatch(op: .binaryCrossEntropyWithLogits, logits.dtype, targets.dtype)
        }
        guard logits.shape == targets.shape else {
            throw TensorError.shapeMismatch(op: .binaryCrossEntropyWithLogits, "targets \(Shape.describe(targets.shape)) must match logits \(Shape.describe(logits.shape))")
        }
        let x = logits.doubles, y = targets.doubles, n = x.count
        var terms = [Double](repeating: 0, count: n)
        for i in 0..<n { terms[i] = Swift.max(x[i], 0) - x[i] * y[i] + Foundation.log1p(Foundation.exp(-Swift.abs(x[i]))) }
        let value: Tensor
        switch reduction {
        case .mean: value = try Tensor(scalar: n > 0 ? terms.reduce(0, +) / Double(n) : .nan, dtype: logits.dtype)
        case .sum: value = try Tensor(scalar: terms.reduce(0, +), dtype: logits.dtype)
        case .none: value = try Tensor(shape: logits.shape, values: terms, dtype: logits.dtype)
        }
        let shape = logits.shape, dtype = logits.dtype
        return Tensor.differentiable("bce_with_logits", output: value, inputs: [logits, targets]) { g, needs in
            let gv = g.doubles
            func coefficient(_ i: Int) -> Double {
                switch reduction {
                case .mean: return gv[0] / Double(n)
                case .sum: return gv[0]
                case .none: return gv[i]
                }
            }
            var gx: Tensor? = nil, gy: Tensor? = nil
            if needs[0] {
                gx = try Tensor(shape: shape, values: (0..<n).map { i in
                    let s = x[i] >= 0 ? 1 / (1 + Foundation.exp(-x[i])) : Foundation.exp(x[i]) / (1 + Foundation.exp(x[i]))
                    return (s - y[i]) * coefficient(i)
                }, dtype: dtype)
            }
            if needs[1] { gy = try Tensor(shape: shape, values: (0..<n).map { -x[$0] * coefficient($0) }, dtype: dtype) }
            return [gx, gy]
        }
    }

    /// The causal language-model loss as Hugging Face computes it (and PEFT relies on): position t's logits predict
    /// `labels[t + 1]`; labels of −100 (virtual tokens, prompt, padding) are ignored; mean over the rest.
    /// `logits` `[B, T, V]`, `labels` `[B, T]`. No copy of the logits is made.
    public static func causalLM(logits: Tensor, labels: Tensor, ignoreIndex: Int = -100, labelSmoothing: Double = 0,
                                reduction: Reduction = .mean) throws -> Tensor {
        guard logits.rank == 3, labels.shape == Array(logits.shape.prefix(2)) else {
            throw TensorError.shapeMismatch(op: .causalLMLoss, "expected logits [B, T, V] and labels [B, T], got \(Shape.describe(logits.shape)) and \(Shape.describe(labels.shape))")
        }
        let b = logits.shape[0], t = logits.shape[1], v = logits.shape[2]
        let l = labels.ints
        var shifted = [Int64](repeating: Int64(ignoreIndex), count: b * t)
        for i in 0..<b { for j in 0..<Swift.max(t - 1, 0) { shifted[i * t + j] = Int64(l[i * t + j + 1]) } }
        return try crossEntropy(logits.reshaped([b * t, v]), Tensor(shape: [b * t], scalars: shifted),
                                ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing, reduction: reduction)
    }
}
