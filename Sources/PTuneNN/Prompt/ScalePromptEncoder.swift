import PTuneCore

/// The seed notebook's toy encoder: fixed base tokens `V₀` `[n, d]` scaled elementwise by a trainable `P` `[n, d]`,
/// `encode() = V₀ ⊙ P`. `P` is named `scale`; `V₀` is a buffer named `base`. Init: `P ~ N(0, 1)` as the notebook.
public final class ScalePromptEncoder: PromptEncoder, BufferedPromptEncoder {
    /// V₀, fixed.
    public private(set) var base: Tensor
    /// P, trainable.
    public let scale: Parameter

    /// An encoder over `base` with `P` drawn `N(0, 1)` from `g`.
    public convenience init(base: Tensor, using g: inout Generator) throws {
        try self.init(base: base, scale: Tensor.randn(base.shape, dtype: base.dtype, using: &g))
    }

    /// An encoder over `base` with the given initial `scale` (same shape).
    public init(base: Tensor, scale: Tensor) throws {
        guard base.rank == 2, base.shape[0] > 0, base.shape[1] > 0, scale.shape == base.shape else {
            throw NNError.shapeMismatch("scale encoder", "base and scale must be the same non-empty [n, d], got \(Shape.describe(base.shape)) and \(Shape.describe(scale.shape))")
        }
        self.base = base.detached()
        self.scale = try Parameter(scale.to(base.dtype), name: "scale")
    }

    /// n
    public var numVirtualTokens: Int { base.shape[0] }
    /// d
    public var tokenDim: Int { base.shape[1] }
    /// `scale`.
    public var parameters: [Parameter] { [scale] }
    /// `base`.
    public var buffers: [String: Tensor] { ["base": base] }
    /// `scale`, n, d.
    public var config: PromptEncoderConfig {
        PromptEncoderConfig(kind: .scale, numVirtualTokens: numVirtualTokens, tokenDim: tokenDim, dtype: base.dtype)
    }

    /// `V₀ ⊙ P`.
    public func encode() throws -> Tensor { try base * scale.value }

    func loadBuffers(_ buffers: [String: Tensor]) throws {
        guard let b = buffers["base"] else { throw NNError.missingWeight("base") }
        if let extra = buffers.keys.sorted().first(where: { $0 != "base" }) { throw NNError.unexpectedWeight(extra) }
        guard b.shape == base.shape else { throw NNError.weightShapeMismatch("base", expected: base.shape, got: b.shape) }
        base = try b.detached().to(base.dtype)
    }
}
