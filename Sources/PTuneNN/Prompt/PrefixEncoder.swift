import PTuneCore

/// How a prefix encoder's keys and values start.
public enum PrefixInit: Sendable, Equatable {
    /// PEFT's default: the table (or, with a projection, its embedding and linear layers) drawn as PyTorch draws them.
    case random
    /// PEFT's `init_weights="zero"`: every key and value 0 (with a projection, its last linear layer is zeroed), so
    /// the prefix starts as attention to zero vectors.
    case zero
    /// The keys and values a frozen model computes for the tokens of `text` (a prefill, as a KV cache holds them):
    /// the prefix starts as if the text were written before every input.
    case text(String)

    /// PEFT's `init_weights`: `"zero"` for ``zero``, nothing otherwise.
    public var peftInitWeights: String? {
        switch self {
        case .zero: return "zero"
        case .random, .text: return nil
        }
    }
}

/// Prefix tuning / P-tuning v2 (Li & Liang 2021; Liu et al. 2022), PEFT's `PrefixEncoder` exactly: `n` trainable
/// key and value vectors for every attention layer of a frozen model, which every query of that layer attends to
/// before the real tokens' keys. ``encode()`` gives the flat table `[n, layers · 2 · kvWidth]` (PEFT's
/// `past_key_values` before their reshape; ``DeepPrefix`` cuts it per layer):
/// ```
/// plain:       encode() = E                                      E: [n, layers·2·kvWidth]
/// projection:  encode() = W₂ · tanh(W₁ · E + b₁) + b₂            E: [n, kvWidth], W₁: [H, kvWidth], W₂: [layers·2·kvWidth, H]
/// ```
/// Parameters `embedding.weight`, and with a projection `transform.0.{weight,bias}`, `transform.2.{weight,bias}`
/// (PEFT's names); drawn in that order (`N(0, 1)` for the table, PyTorch's default for each linear layer). As a
/// ``PromptEncoder`` its `tokenDim` is `kvWidth` (PEFT's `token_dim` for prefix tuning) and its config records the
/// layer count in `numLayers` and the projection width in `hiddenSize` (nil: no projection).
public final class PrefixEncoder: PromptEncoder {
    /// The layout of the model the prefix is for.
    public let layout: PrefixLayout
    /// The table `[n, tableWidth]`, or with a projection the projection's input `[n, kvWidth]`.
    public let embedding: Embedding
    /// The projection `kvWidth → H → tableWidth`, if any.
    public let transform: (first: Linear, last: Linear)?
    /// How the encoder started (written into PEFT exports as `init_weights`).
    public var initialization: PrefixInit

    /// A fresh encoder of `n` prefix positions for `layout`, with a projection of width `projection` when given,
    /// started as `initialization` says (``PrefixInit/text(_:)`` needs ``init(table:layout:text:frozen:)``).
    public init(numVirtualTokens n: Int, layout: PrefixLayout, projection: Int? = nil, initialization: PrefixInit = .random,
                dtype: DType = .float32, using g: inout Generator) throws {
        guard n > 0 else { throw NNError.invalidArgument("prefix encoder", "n must be positive, got \(n)") }
        if let h = projection, h <= 0 {
            throw NNError.invalidArgument("prefix encoder", "the projection width must be positive, got \(h)")
        }
        if case .text = initialization {
            throw NNError.invalidArgument("prefix encoder", "a text init comes from a model's prefill: build the encoder from its table")
        }
        self.layout = layout
        self.initialization = initialization
        if let h = projection {
            embedding = try Embedding(n, layout.kvWidth, dtype: dtype, using: &g)
            let first = try Linear(layout.kvWidth, h, dtype: dtype, using: &g)
            let last = try Linear(h, layout.tableWidth, dtype: dtype, using: &g)
            Naming.adopt(first.parameters, as: "transform.0")
            Naming.adopt(last.parameters, as: "transform.2")
            transform = (first, last)
            if initialization == .zero {
                for p in last.parameters { try p.assign(Tensor.zeros(p.shape, dtype: dtype)) }
            }
        } else {
            embedding = initialization == .zero
                ? try Embedding(table: Tensor.zeros([n, layout.tableWidth], dtype: dtype))
                : try Embedding(n, layout.tableWidth, dtype: dtype, using: &g)
            transform = nil
        }
        Naming.adopt(embedding.parameters, as: "embedding")
    }

    /// A plain encoder holding `table` `[n, layout.tableWidth]` (an imported adapter, or the keys and values of a
    /// prefill, then with `text` recorded as its init); `frozen` for inference only.
    public init(table: Tensor, layout: PrefixLayout, text: String? = nil, frozen: Bool = false) throws {
        guard table.rank == 2, table.shape[0] > 0, table.shape[1] == layout.tableWidth else {
            throw NNError.shapeMismatch("prefix encoder", "a table for \(layout) must be [n, \(layout.tableWidth)], got \(Shape.describe(table.shape))")
        }
        self.layout = layout
        embedding = try Embedding(table: table, frozen: frozen)
        Naming.adopt(embedding.parameters, as: "embedding")
        transform = nil
        initialization = text.map { .text($0) } ?? .random
    }

    /// n
    public var numVirtualTokens: Int { embedding.count }
    /// kvWidth (PEFT's `token_dim` for prefix tuning).
    public var tokenDim: Int { layout.kvWidth }
    /// H, the projection width (nil: a plain table).
    public var projection: Int? { transform?.first.outputSize }
    /// Whether its weights are frozen (an imported adapter).
    public var isInferenceOnly: Bool { embedding.weight.isFrozen }
    /// `embedding.weight`, then `transform.*`.
    public var parameters: [Parameter] {
        embedding.parameters + (transform.map { $0.first.parameters + $0.last.parameters } ?? [])
    }
    /// `prefix`, n, kvWidth, H, the layer count.
    public var config: PromptEncoderConfig {
        PromptEncoderConfig(kind: .prefix, numVirtualTokens: numVirtualTokens, tokenDim: layout.kvWidth,
                            hiddenSize: projection, numLayers: layout.layers, dtype: embedding.weight.dtype)
    }

    /// The flat key/value table `[n, layers · 2 · kvWidth]`.
    public func encode() throws -> Tensor {
        guard let (first, last) = transform else { return embedding.weight.value }
        return try last(first(embedding.weight.value).tanh())
    }

    /// The table cut into every layer's keys and values (run once per batch; shared by every example).
    public func prefix() throws -> DeepPrefix { try DeepPrefix(table: encode(), layout: layout) }

    /// The layout `config` describes: its `numLayers` layers of `tokenDim`-wide keys and values.
    static func layout(of config: PromptEncoderConfig) throws -> PrefixLayout {
        try PrefixLayout(layers: config.numLayers, kvWidth: config.tokenDim)
    }
}
