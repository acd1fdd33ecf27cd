import PTuneCore
import PTuneNN

/// The hyperparameters of a decoder-only transformer (``DecoderArchitecture``): the sizes every architecture has,
/// and the options that tell Llama, Qwen 2, Qwen 3 and Gemma 3 apart. They come from a GGUF file's metadata or a
/// Hugging Face `config.json` (``init(gguf:)``, ``init(hf:)``), are checked by ``validate()``, and fix the shapes
/// of every weight.
public struct DecoderConfig: Sendable, Equatable {
    /// The architecture the options describe.
    public var architecture: DecoderArchitecture
    /// Tokens in the vocabulary.
    public var vocabularySize: Int
    /// Width of the residual stream (d).
    public var hiddenSize: Int
    /// Width of the MLP's hidden layer (F).
    public var feedForwardSize: Int
    /// Transformer blocks.
    public var layers: Int
    /// Query heads.
    public var heads: Int
    /// Key/value heads (divides `heads`).
    public var kvHeads: Int
    /// Width of one head (even; `hiddenSize / heads` for Llama-style models, set apart for Qwen 3 and Gemma 3).
    public var headDim: Int
    /// ε of every RMSNorm.
    public var rmsNormEpsilon: Double
    /// The rotary frequency base of global layers.
    public var ropeBase: Double
    /// The rotary frequency scaling of global layers.
    public var ropeScaling: RotaryScaling
    /// The rotary base of sliding-window layers (Gemma 3's local base, without scaling); nil: as global layers.
    public var localRopeBase: Double?
    /// The window of sliding layers, in positions (a query sees itself and the `slidingWindow − 1` before it).
    public var slidingWindow: Int?
    /// Each layer's attention, first to last.
    public var layerTypes: [DecoderLayerType]
    /// The factor on query–key products; nil for `1/√headDim` (Gemma 3: `query_pre_attn_scalar^−½`).
    public var attentionScale: Double?
    /// The soft cap of attention scores, if any (`attn_logit_softcapping`).
    public var attentionSoftCap: Double?
    /// The soft cap of the output logits, if any (`final_logit_softcapping`): `logits ← c · tanh(logits / c)`.
    public var finalLogitSoftCap: Double?
    /// Whether the query, key and value projections have biases (Qwen 2; Llama and Qwen 3 with `attention_bias`).
    public var qkvBias: Bool
    /// Whether the attention output projection has a bias (Llama and Qwen 3 with `attention_bias`).
    public var outputBias: Bool
    /// Whether the MLP's projections have biases (Llama's `mlp_bias`).
    public var mlpBias: Bool
    /// Whether queries and keys are RMS-normed per head before the rotation (Qwen 3, Gemma 3).
    public var headNorms: Bool
    /// Whether each sublayer's output is normed before the residual sum too (Gemma 3).
    public var sandwichNorms: Bool
    /// The activation of the gated MLP: SiLU (Llama, Qwen) or GELU's tanh form (Gemma).
    public var activation: Activation
    /// The factor on token embeddings (Gemma: √d, rounded to float32); nil for none. Virtual tokens given as
    /// embeddings are not scaled, as in transformers and PEFT.
    public var embeddingScale: Double?
    /// The longest context the model was trained for.
    public var contextLength: Int
    /// Whether the output projection is the token embedding (no separate `output.weight`).
    public var tiedEmbeddings: Bool
    /// Special token ids: beginning and end of sequence, padding.
    public var bosToken: Int, eosToken: Int, padToken: Int

    /// A configuration of `architecture` with the sizes given and that architecture's usual options (Llama: none;
    /// Qwen 2: q/k/v biases; Qwen 3: head norms; Gemma 3: everything of ``DecoderArchitecture/gemma3`` with every
    /// sixth layer global); ``validate()`` checks it.
    public init(architecture: DecoderArchitecture = .llama, vocabularySize: Int, hiddenSize: Int, feedForwardSize: Int,
                layers: Int, heads: Int, kvHeads: Int, headDim: Int? = nil, rmsNormEpsilon: Double = 1e-5,
                ropeBase: Double = 10_000, contextLength: Int = 2048, tiedEmbeddings: Bool = true,
                bosToken: Int = 1, eosToken: Int = 2, padToken: Int = 2) {
        self.architecture = architecture
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.feedForwardSize = feedForwardSize
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim ?? hiddenSize / Swift.max(heads, 1)
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeBase = ropeBase
        ropeScaling = .none
        localRopeBase = nil
        slidingWindow = nil
        layerTypes = Array(repeating: .global, count: Swift.max(layers, 0))
        attentionScale = nil
        attentionSoftCap = nil
        finalLogitSoftCap = nil
        qkvBias = architecture == .qwen2
        outputBias = false
        mlpBias = false
        headNorms = architecture == .qwen3 || architecture == .gemma3
        sandwichNorms = architecture == .gemma3
        activation = architecture == .gemma3 ? .geluTanh : .silu
        embeddingScale = nil
        self.contextLength = contextLength
        self.tiedEmbeddings = tiedEmbeddings
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.padToken = padToken
        if architecture == .gemma3 {
            embeddingScale = DecoderConfig.gemmaEmbeddingScale(hiddenSize)
            localRopeBase = 10_000
            slidingWindow = 512
            layerTypes = DecoderConfig.layerTypes(layers: Swift.max(layers, 0), globalEvery: 6)
        }
    }

    /// SmolLM2-135M(-Instruct): 30 layers of width 576, 9 query / 3 KV heads of 64, MLP 1536, vocabulary 49,152,
    /// RoPE base 100,000, RMSNorm ε 1e-5, tied embeddings; `<|im_start|>` 1, `<|im_end|>` 2 (also padding).
    public static let smolLM2_135M = DecoderConfig(
        vocabularySize: 49_152, hiddenSize: 576, feedForwardSize: 1536, layers: 30, heads: 9, kvHeads: 3,
        rmsNormEpsilon: 1e-5, ropeBase: 100_000, contextLength: 8192, tiedEmbeddings: true,
        bosToken: 1, eosToken: 2, padToken: 2)

    /// √d as Gemma computes it: in float32 (the scale transformers multiplies float32 embeddings by).
    static func gemmaEmbeddingScale(_ d: Int) -> Double { Double(Float(Double(d).squareRoot())) }

    /// Gemma's pattern: layer `i` is global when `(i + 1)` is a multiple of `globalEvery`, sliding otherwise.
    static func layerTypes(layers: Int, globalEvery n: Int) -> [DecoderLayerType] {
        (0..<layers).map { n > 0 && ($0 + 1) % n == 0 ? .global : .sliding }
    }

    /// The attention layout.
    public func attentionHeads() throws -> AttentionHeads {
        try AttentionHeads(heads: heads, kvHeads: kvHeads, headDim: headDim)
    }

    /// Rows of the fused `[q | k | v]` projection: `(heads + 2·kvHeads) · headDim`.
    public var qkvWidth: Int { (heads + 2 * kvHeads) * headDim }

    /// The rotary encoding of a layer of type `type` for query/key rows stored in `layout`.
    public func rotaryEncoding(_ type: DecoderLayerType, layout: RotaryLayout) throws -> RotaryEncoding {
        switch (type, localRopeBase) {
        case let (.sliding, base?): return try RotaryEncoding(headDim: headDim, base: base, layout: layout)
        default: return try RotaryEncoding(headDim: headDim, base: ropeBase, scaling: ropeScaling, layout: layout)
        }
    }

    /// Throws ``DecoderError/invalidConfig(_:)`` unless every size is positive, the KV heads divide the heads, the
    /// head width is even (rotary pairs), there is one layer type per layer (and a window when any is sliding), the
    /// scales, caps and ε are positive, the rotary settings are valid, the activation is one a gated MLP runs, and
    /// the special tokens are inside the vocabulary.
    public func validate() throws {
        let sizes = [vocabularySize, hiddenSize, feedForwardSize, layers, heads, kvHeads, headDim, contextLength]
        guard sizes.allSatisfy({ $0 > 0 }) else { throw DecoderError.invalidConfig("sizes must be positive: \(self)") }
        guard heads % kvHeads == 0 else { throw DecoderError.invalidConfig("\(heads) heads are not divisible by \(kvHeads) kv heads") }
        guard headDim % 2 == 0 else { throw DecoderError.invalidConfig("head width \(headDim) must be even for rotary embeddings") }
        guard layerTypes.count == layers else {
            throw DecoderError.invalidConfig("\(layerTypes.count) layer types for \(layers) layers")
        }
        if layerTypes.contains(.sliding) {
            guard let w = slidingWindow, w > 0 else {
                throw DecoderError.invalidConfig("sliding-window layers need a positive window, got \(slidingWindow.map(String.init) ?? "none")")
            }
        }
        let positive = [("rms epsilon", rmsNormEpsilon), ("rope base", ropeBase), ("local rope base", localRopeBase),
                        ("attention scale", attentionScale), ("attention soft cap", attentionSoftCap),
                        ("final logit soft cap", finalLogitSoftCap), ("embedding scale", embeddingScale)]
        for case let (name, v?) in positive where !(v > 0 && v.isFinite) {
            throw DecoderError.invalidConfig("\(name) must be positive, got \(v)")
        }
        guard activation == .silu || activation == .geluTanh else {
            throw DecoderError.invalidConfig("a gated MLP runs SiLU or tanh-GELU, not \(activation.rawValue)")
        }
        do {
            for t in [DecoderLayerType.global, .sliding] { _ = try rotaryEncoding(t, layout: .halves) }
        } catch let e as TensorError {
            throw DecoderError.invalidConfig("rotary embeddings: \(e)")
        }
        for (name, id) in [("bos", bosToken), ("eos", eosToken), ("pad", padToken)] where id < 0 || id >= vocabularySize {
            throw DecoderError.invalidConfig("\(name) token \(id) is outside the vocabulary of \(vocabularySize)")
        }
    }
}
