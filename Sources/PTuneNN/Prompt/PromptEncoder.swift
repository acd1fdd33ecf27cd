import PTuneCore

/// The architectures of prompt encoders.
public enum PromptEncoderKind: String, Sendable, CaseIterable {
    /// A trainable `[n, d]` table (prompt tuning, Lester et al.).
    case embedding
    /// PEFT's MLP reparameterisation.
    case mlp
    /// PEFT's LSTM reparameterisation.
    case lstm
    /// The seed notebook's toy: fixed base tokens ⊙ a trainable scale.
    case scale
    /// Prefix tuning / P-tuning v2: keys and values for every attention layer (``PrefixEncoder``), not input tokens.
    case prefix

    /// Whether the encoder's output enters every attention layer (a ``DeepPrefix``) instead of being placed among
    /// the input embeddings as virtual tokens.
    public var isDeep: Bool { self == .prefix }
}

/// What an encoder is, enough to rebuild it: saved in checkpoints and written to PEFT configs.
public struct PromptEncoderConfig: Sendable, Equatable {
    /// The architecture.
    public var kind: PromptEncoderKind
    /// n, the number of virtual tokens.
    public var numVirtualTokens: Int
    /// d, the width of a token embedding.
    public var tokenDim: Int
    /// H, the hidden width (MLP and LSTM encoders; d when nil; a prefix encoder's projection, none when nil).
    public var hiddenSize: Int?
    /// LSTM layers; for a prefix encoder, the frozen model's attention layers.
    public var numLayers: Int
    /// LSTM dropout between layers.
    public var dropout: Double
    /// The float type of the weights.
    public var dtype: DType

    /// A configuration; PEFT's defaults: H = d, two LSTM layers, no dropout.
    public init(kind: PromptEncoderKind, numVirtualTokens: Int, tokenDim: Int, hiddenSize: Int? = nil,
                numLayers: Int = 2, dropout: Double = 0, dtype: DType = .float32) {
        self.kind = kind; self.numVirtualTokens = numVirtualTokens; self.tokenDim = tokenDim
        self.hiddenSize = hiddenSize; self.numLayers = numLayers; self.dropout = dropout; self.dtype = dtype
    }

    /// H, defaulting to d.
    public var resolvedHiddenSize: Int { hiddenSize ?? tokenDim }
}

/// A prompt encoder: trainable parameters whose ``encode()`` gives the n virtual tokens `[n, d]` that p-tuning places
/// into a frozen model's input embeddings. It runs once per step; its output is shared by every example of a batch.
public protocol PromptEncoder: AnyObject {
    /// n
    var numVirtualTokens: Int { get }
    /// d
    var tokenDim: Int { get }
    /// The trainable (or, for an imported encoder, frozen) parameters, PEFT's names where PEFT has them.
    var parameters: [Parameter] { get }
    /// The architecture, for checkpoints and PEFT export.
    var config: PromptEncoderConfig { get }
    /// Fixed tensors the encoder needs besides its parameters (saved with it), by name.
    var buffers: [String: Tensor] { get }
    /// Whether dropout (if any) is active.
    var isTraining: Bool { get set }
    /// The generators of the encoder's random layers (dropout), saved and restored with checkpoints.
    var generators: [Generator] { get set }
    /// The virtual tokens, `[n, d]`.
    func encode() throws -> Tensor
}

extension PromptEncoder {
    /// None by default.
    public var buffers: [String: Tensor] { [:] }
    /// No dropout by default.
    public var isTraining: Bool {
        get { false }
        set {}
    }
    /// No generators by default.
    public var generators: [Generator] {
        get { [] }
        set {}
    }
    /// The number of scalars in the encoder's parameters.
    public var parameterCount: Int { parameters.parameterCount }

    /// Loads weights by parameter name and buffers by buffer name (strict: every name must match).
    public func load(weights: [String: Tensor], buffers newBuffers: [String: Tensor] = [:]) throws {
        try parameters.load(weights)
        try loadBuffers(newBuffers)
    }
}

/// Buffer loading for encoders that have buffers.
protocol BufferedPromptEncoder: PromptEncoder {
    func loadBuffers(_ buffers: [String: Tensor]) throws
}

extension PromptEncoder {
    func loadBuffers(_ newBuffers: [String: Tensor]) throws {
        if let b = self as? BufferedPromptEncoder { try b.loadBuffers(newBuffers); return }
        if let extra = newBuffers.keys.sorted().first { throw NNError.unexpectedWeight(extra) }
    }
}

/// Builds encoders from configurations.
public enum PromptEncoders {
    /// A freshly initialised encoder of `config` (weights drawn from `g`; a scale encoder draws its base tokens too).
    public static func make(_ config: PromptEncoderConfig, using g: inout Generator) throws -> PromptEncoder {
        let n = config.numVirtualTokens, d = config.tokenDim
        switch config.kind {
        case .embedding:
            return try EmbeddingPromptEncoder(numVirtualTokens: n, tokenDim: d, dtype: config.dtype, using: &g)
        case .mlp:
            return try MLPPromptEncoder(numVirtualTokens: n, tokenDim: d, hiddenSize: config.resolvedHiddenSize,
                                        dtype: config.dtype, using: &g)
        case .lstm:
            return try LSTMPromptEncoder(numVirtualTokens: n, tokenDim: d, hiddenSize: config.resolvedHiddenSize,
                                         numLayers: config.numLayers, dropout: config.dropout, dtype: config.dtype, using: &g)
        case .scale:
            let base = try Tensor.randn([n, d], dtype: config.dtype, using: &g)
            return try ScalePromptEncoder(base: base, using: &g)
        case .prefix:
            return try PrefixEncoder(numVirtualTokens: n, layout: PrefixEncoder.layout(of: config), projection: config.hiddenSize,
                                     dtype: config.dtype, using: &g)
        }
    }
}
