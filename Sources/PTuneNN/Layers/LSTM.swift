import PTuneCore

/// A multi-layer, optionally bidirectional LSTM over batch-first sequences, PyTorch's
/// `nn.LSTM(input, hidden, num_layers, bias, batch_first=True, dropout, bidirectional)`.
///
/// For each layer and direction, with gates in PyTorch's order (i, f, g, o) stacked in the rows of the weights:
/// ```
/// i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + b_if + W_hf h + b_hf)
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
/// c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')
/// ```
/// The reverse direction reads the sequence from the end; its outputs are concatenated after the forward ones
/// (`[B, T, 2H]`). Between layers (not after the last) dropout applies in training. Parameters are named as
/// PyTorch's: `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then `…_l0_reverse`, then layer 1.
/// Init (PyTorch's default): every parameter `~ U(−1/√H, 1/√H)`, in that order.
public final class LSTM: Layer {
    /// One direction of one layer.
    struct Cell {
        let wIH: Parameter, wHH: Parameter, bIH: Parameter?, bHH: Parameter?
        var parameters: [Parameter] { [wIH, wHH] + [bIH, bHH].compactMap { $0 } }
    }

    /// The input feature count.
    public let inputSize: Int
    /// H, the hidden state width of each direction.
    public let hiddenSize: Int
    /// The number of stacked layers.
    public let numLayers: Int
    /// Whether each layer also runs backwards.
    public let bidirectional: Bool
    /// The dropout between layers (nil when the probability is 0 or there is one layer).
    public let dropout: Dropout?
    let cells: [[Cell]]

    /// An LSTM; the weights are drawn from `g`, and the dropout (if any) gets its own generator split from `g` after.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bidirectional: Bool = false, dropout: Double = 0,
                bias: Bool = true, dtype: DType = .float32, using g: inout Generator) throws {
        guard inputSize > 0, hiddenSize > 0, numLayers > 0 else {
            throw NNError.invalidArgument("LSTM", "sizes and layer count must be positive, got input \(inputSize), hidden \(hiddenSize), layers \(numLayers)")
        }
        guard dropout >= 0, dropout <= 1 else { throw NNError.invalidArgument("LSTM", "dropout must be in [0, 1], got \(dropout)") }
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bidirectional = bidirectional
        let bound = 1 / Double(hiddenSize).squareRoot()
        let dirs = bidirectional ? 2 : 1
        var all: [[Cell]] = []
        for layer in 0..<numLayers {
            var row: [Cell] = []
            let inSize = layer == 0 ? inputSize : hiddenSize * dirs
            for d in 0..<dirs {
                let suffix = "_l\(layer)" + (d == 1 ? "_reverse" : "")
                func make(_ shape: [Int], _ name: String) throws -> Parameter {
                    try Parameter(Initializer.uniform(shape, bound: bound, dtype: dtype, using: &g), name: name + suffix)
                }
                let wIH = try make([4 * hiddenSize, inSize], "weight_ih")
                let wHH = try make([4 * hiddenSize, hiddenSize], "weight_hh")
                let bIH = bias ? try make([4 * hiddenSize], "bias_ih") : nil
                let bHH = bias ? try make([4 * hiddenSize], "bias_hh") : nil
                row.append(Cell(wIH: wIH, wHH: wHH, bIH: bIH, bHH: bHH))
            }
            all.append(row)
        }
        cells = all
        self.dropout = numLayers > 1 && dropout > 0 ? try Dropout(dropout, generator: g.split()) : nil
    }

    /// Every cell's parameters, layer by layer, forward direction first.
    public var parameters: [Parameter] { cells.flatMap { $0.flatMap(\.parameters) } }

    /// Whether dropout between layers is active.
    public var isTraining: Bool {
        get { dropout?.isTraining ?? false }
        set { dropout?.isTraining = newValue }
    }

    /// The outputs `[B, T, H · directions]` of the last layer for `x` of shape `[B, T, input]`, from zero states.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3, x.shape[2] == inputSize else {
            throw NNError.shapeMismatch("LSTM", "expected input [batch, time, \(inputSize)], got \(Shape.describe(x.shape))")
        }
        let b = x.shape[0], t = x.shape[1], h = hiddenSize
        var layerInput = x
        for (layer, row) in cells.enumerated() {
            var outputs: [Tensor] = []
            for (d, cell) in row.enumerated() {
                let xw = try Tensor.linear(layerInput, weight: cell.wIH.value, bias: cell.bIH?.value)  // [B, T, 4H]
                var hState = try Tensor.zeros([b, h], dtype: x.dtype)
                var cState = hState
                var hs = [Tensor](repeating: hState, count: t)
                let order: [Int] = d == 0 ? Array(0..<t) : Array((0..<t).reversed())
                for step in order {
                    let gx = try xw.narrowed(axis: 1, start: step, length: 1).reshaped([b, 4 * h])
                    let gates = try gx + Tensor.linear(hState, weight: cell.wHH.value, bias: cell.bHH?.value)
                    let i = try gates.narrowed(axis: 1, start: 0, length: h).sigmoid()
                    let f = try gates.narrowed(axis: 1, start: h, length: h).sigmoid()
                    let g = try gates.narrowed(axis: 1, start: 2 * h, length: h).tanh()
                    let o = try gates.narrowed(axis: 1, start: 3 * h, length: h).sigmoid()
                    cState = try f * cState + i * g
                    hState = try o * cState.tanh()
                    hs[step] = hState
                }
                outputs.append(try Tensor.stack(hs, axis: 1))  // [B, T, H]
            }
            layerInput = outputs.count == 1 ? outputs[0] : try Tensor.concat(outputs, axis: 2)
            if layer + 1 < cells.count, let dropout { layerInput = try dropout(layerInput) }
        }
        return layerInput
    }
}
