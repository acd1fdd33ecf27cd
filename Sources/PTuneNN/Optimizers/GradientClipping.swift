import PTuneCore

/// Clipping by global gradient norm, PyTorch's `clip_grad_norm_(max_norm, norm_type=2)`.
public enum GradientClipping {
    /// The L2 norm of all gradients together: `√(Σ_i ‖g_i‖²)`.
    public static func globalNorm(_ gradients: [Tensor]) throws -> Double {
        var total = 0.0
        for g in gradients {
            var sq = 0.0
            switch g.dtype {
            case .float32: try g.withScalars(Float.self) { for x in $0 { sq += Double(x) * Double(x) } }
            case .float64: try g.withScalars(Double.self) { for x in $0 { sq += x * x } }
            case .int64: throw TensorError.unsupportedDType(op: .clipGradNorm, g.dtype)
            }
            total += sq
        }
        return total.squareRoot()
    }

    /// Scales every gradient by `min(1, maxNorm / (norm + 1e-6))` and returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: inout [Tensor], maxNorm: Double) throws -> Double {
        guard maxNorm > 0 else { throw NNError.invalidArgument("clip_grad_norm", "max norm must be positive, got \(maxNorm)") }
        let norm = try globalNorm(gradients)
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            for i in gradients.indices { try gradients[i].scaleInPlace(by: coefficient) }
        }
        return norm
    }
}
