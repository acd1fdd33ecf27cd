import Foundation
import PTuneCore

/// PyTorch's default initialisations, drawn from a ptune ``PTuneCore/Generator`` (same distributions as PyTorch,
/// ptune's own stream: a seed means the same weights on every run, not the same numbers as `torch.manual_seed`).
public enum Initializer {
    /// Uniform draws in `[−bound, bound)`.
    public static func uniform(_ shape: [Int], bound: Double, dtype: DType, using g: inout Generator) throws -> Tensor {
        try Tensor.rand(shape, low: -bound, high: bound, dtype: dtype, using: &g)
    }

    /// Normal draws with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, dtype: DType,
                              using g: inout Generator) throws -> Tensor {
        var t = try Tensor.randn(shape, dtype: .float64, using: &g)
        if std != 1 || mean != 0 {
            try t.withMutableScalars(Double.self) { p in for i in p.indices { p[i] = mean + std * p[i] } }
        }
        return try t.to(dtype)
    }

    /// `nn.Linear`'s weight init, `kaiming_uniform_(a=√5)`: gain √(2 / (1 + a²)) = √(1/3), bound = gain · √(3 / fan_in)
    /// = 1 / √fan_in. (Also the bias bound.)
    public static func linearBound(fanIn: Int) -> Double { fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0 }
}
