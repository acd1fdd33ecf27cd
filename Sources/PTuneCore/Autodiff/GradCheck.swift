/// Finite-difference gradient checking: compares autodiff gradients with central differences in float64.
public enum GradCheck {
    /// The outcome of a check: the largest absolute and relative differences seen, and where.
    public struct Result: Sendable, CustomStringConvertible {
        /// The largest |analytic − numeric| over all checked elements.
        public var maxAbsError: Double
        /// The largest |analytic − numeric| / max(1, |numeric|).
        public var maxRelError: Double
        /// Which input and flat element gave the largest relative error.
        public var worst: (input: Int, element: Int)
        /// Whether the largest relative error is within the tolerance.
        public var passed: Bool
        public var description: String {
            "max abs error \(maxAbsError), max rel error \(maxRelError) at input \(worst.input) element \(worst.element)"
        }
    }

    /// Checks `f` (a scalar-valued function of float64 inputs) at `inputs`: every element of every input is nudged by
    /// ±`step` and the central difference compared with the gradient from ``Tensor/gradients(of:wrt:)``.
    public static func check(_ inputs: [Tensor], step: Double = 1e-6, tolerance: Double = 1e-6,
                             _ f: ([Tensor]) throws -> Tensor) throws -> Result {
        for x in inputs where x.dtype != .float64 {
            throw TensorError.invalidArgument(op: .gradcheck, "inputs must be float64, got \(x.dtype)")
        }
        let leaves = try inputs.map { try $0.detached().requiringGradient() }
        let loss = try f(leaves)
        let analytic = try Tensor.gradients(of: loss, wrt: leaves)
        var result = Result(maxAbsError: 0, maxRelError: 0, worst: (0, 0), passed: true)
        for (i, x) in inputs.enumerated() {
            let g = analytic[i].doubles
            for e in 0..<x.count {
                func value(at delta: Double) throws -> Double {
                    var probe = inputs.map { $0.detached() }
                    try probe[i].withMutableScalars(Double.self) { $0[e] += delta }
                    return try Tensor.withoutRecording { try f(probe) }.scalarValue()
                }
                let numeric = (try value(at: step) - (try value(at: -step))) / (2 * step)
                let abs = Swift.abs(g[e] - numeric)
                let rel = abs / Swift.max(1, Swift.abs(numeric))
                result.maxAbsError = Swift.max(result.maxAbsError, abs)
                if rel > result.maxRelError { result.maxRelError = rel; result.worst = (i, e) }
            }
        }
        result.passed = result.maxRelError <= tolerance
        return result
    }
}
