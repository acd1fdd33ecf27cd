import PTuneCore

/// A multi-layer perceptron laid out as PyTorch's `nn.Sequential(Linear, act, Linear, act, …, Linear)`: linear layers
/// sit at the even indices, so their parameters are named `0.weight`, `0.bias`, `2.weight`, … as in a PyTorch
/// state dict. `sizes = [in, h₁, …, out]`; the activation follows every linear layer but the last (unless
/// `activateLast`). Init: each ``Linear`` in order, PyTorch's default.
public final class MLP: Layer {
    /// The linear layers, first to last.
    public let layers: [Linear]
    /// The nonlinearity between layers.
    public let activation: Activation
    /// Whether the activation also follows the last layer.
    public let activateLast: Bool

    /// An MLP through `sizes` (at least two entries).
    public init(sizes: [Int], activation: Activation = .relu, activateLast: Bool = false, bias: Bool = true,
                dtype: DType = .float32, using g: inout Generator) throws {
        guard sizes.count >= 2 else { throw NNError.invalidArgument("MLP", "needs at least an input and an output size, got \(sizes)") }
        var built: [Linear] = []
        for i in 0..<(sizes.count - 1) {
            let l = try Linear(sizes[i], sizes[i + 1], bias: bias, dtype: dtype, using: &g)
            Naming.adopt(l.parameters, as: String(2 * i))
            built.append(l)
        }
        layers = built
        self.activation = activation
        self.activateLast = activateLast
    }

    /// Every layer's `weight` and `bias`, in order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// Applies the layers with the activation between them.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var h = x
        for (i, l) in layers.enumerated() {
            h = try l(h)
            if i + 1 < layers.count || activateLast { h = try activation(h) }
        }
        return h
    }
}
