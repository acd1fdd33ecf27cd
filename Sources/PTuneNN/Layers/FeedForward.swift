import PTuneCore

/// The position-wise MLP of a transformer block:
/// ```
/// plain(act):  y = down(act(up(x)))                          up: d → F,   down: F → d    (BERT, GPT)
/// gated(act):  y = down(act(g) ⊙ u),  [g | u] = up(x)        up: d → 2F (gate and up fused), down: F → d  (Llama, Gemma)
/// ```
/// SiLU- and tanh-GELU-gated MLPs run their gate as one fused op (``PTuneCore/Tensor/swiglu()``,
/// ``PTuneCore/Tensor/geglu()``).
public final class FeedForward: Layer {
    /// Where the activation goes.
    public enum Kind: Sendable, Equatable {
        /// `act` between the two projections.
        case plain(Activation)
        /// `act` of the gate half times the up half.
        case gated(Activation)
    }

    /// How the hidden layer is formed.
    public let kind: Kind
    /// The projection into the hidden layer (`[gate | up]` when gated).
    public let up: any LinearLayer
    /// The projection back to the model width.
    public let down: any LinearLayer

    /// An MLP over the given projections; their widths must fit `kind`.
    public init(up: any LinearLayer, down: any LinearLayer, kind: Kind) throws {
        let hidden: Int
        switch kind {
        case .plain: hidden = up.outputSize
        case .gated: hidden = up.outputSize / 2
        }
        guard down.inputSize == hidden, hidden > 0 else {
            throw NNError.shapeMismatch("FeedForward", "the up projection gives \(up.outputSize) features, the down projection takes \(down.inputSize)")
        }
        if case .gated = kind, up.outputSize % 2 != 0 {
            throw NNError.shapeMismatch("FeedForward", "a gated up projection needs an even width, got \(up.outputSize)")
        }
        self.up = up
        self.down = down
        self.kind = kind
    }

    /// `up`, then `down`.
    public var parameters: [Parameter] { up.parameters + down.parameters }

    /// The MLP at every position of `x` `[…, d]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch kind {
        case let .plain(act):
            return try down(act(up(x)))
        case .gated(.silu):
            let h = try up(x)
            return try down(StageProfile.measure(StageProfile.StageName.siluGate) { try h.swiglu() })
        case .gated(.geluTanh):
            return try down(up(x).geglu())
        case let .gated(act):
            let h = try up(x), f = down.inputSize
            return try down(act(h.narrowed(axis: h.rank - 1, start: 0, length: f)) * h.narrowed(axis: h.rank - 1, start: f, length: f))
        }
    }
}
