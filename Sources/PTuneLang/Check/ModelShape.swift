import PTuneNN

/// What the checker knows of a model before it runs: what it reads and how wide, what it makes, and the layout a
/// prefix encoder made for it must have. Unknown parts agree with anything, so a model whose sizes only the run
/// knows (one loaded from a file the checker does not open) is checked at run time instead.
public struct ModelShape: Sendable, Equatable, CustomStringConvertible {
    /// What a model reads.
    public enum Input: Sendable, Equatable {
        /// Nothing is known.
        case unknown
        /// Feature vectors: the last axis of its input is `width` wide (a linear layer, an MLP, a norm).
        case features
        /// Token ids (int64, any shape); each becomes a vector `output` wide (an embedding table).
        case ids
        /// Token ids `[B, T]` or their embeddings `[B, T, width]`, with which prompt encoders go (a language model
        /// or a sentence encoder).
        case tokens
    }

    /// What the model reads.
    public var input: Input
    /// The width of its input features or token embeddings.
    public var width: Dim
    /// The width of the last axis it returns (a language model's vocabulary, a layer's `out`).
    public var output: Dim
    /// The layers and key/value width of its attention, which a prefix encoder made for it has.
    public var prefix: PrefixLayout?

    /// A model shape.
    public init(input: Input, width: Dim = .unknown, output: Dim = .unknown, prefix: PrefixLayout? = nil) {
        self.input = input
        self.width = width
        self.output = output
        self.prefix = prefix
    }

    /// A model nothing is known about.
    public static let unknown = ModelShape(input: .unknown)

    /// `[…, embed] → […, 8]`, `ids [B, T] or embeddings [B, T, d] → [B, T, vocab]`, or nothing when unknown.
    public var description: String {
        switch input {
        case .unknown: return ""
        case .features: return "[…, \(width)] → […, \(output)]"
        case .ids: return "ids […] → […, \(output)]"
        case .tokens:
            let layers = prefix.map { ", \($0.layers) attention layer\($0.layers == 1 ? "" : "s")" } ?? ""
            return "ids [B, T] or embeddings [B, T, \(width)] → [B, T, \(output)]\(layers)"
        }
    }

    /// The type of the model applied to `x`, or throws when `x`'s last axis is known to differ from what the model
    /// reads (`name` is the model's name in messages).
    func applied(to x: TensorType, name: String) throws(Message) -> LangType {
        guard let s = x.shape else { return .tensor(TensorType(shape: nil, dtype: x.dtype)) }
        switch input {
        case .unknown:
            return .tensor(TensorType(shape: nil, dtype: x.dtype))
        case .features:
            guard let last = s.last else { return .tensor(TensorType(shape: nil, dtype: x.dtype)) }
            if last.conflicts(with: width) {
                throw .modelInputMismatch(model: name, expected: width.detailed, got: ShapeRules.text(s), dim: last.detailed)
            }
            return .tensor(TensorType(shape: Array(s.dropLast()) + [output], dtype: x.dtype))
        case .ids:
            return .tensor(TensorType(shape: s + [output], dtype: nil))
        case .tokens:
            // Ids [T] or [B, T] (int64), or their embeddings [T, width] or [B, T, width]; one output row per position.
            let ids = x.dtype == .int64
            guard x.dtype != nil, (ids ? 1...2 : 2...3).contains(s.count) else { return .tensor(TensorType(shape: nil, dtype: nil)) }
            if !ids, let last = s.last, last.conflicts(with: width) {
                throw .modelInputMismatch(model: name, expected: width.detailed, got: ShapeRules.text(s), dim: last.detailed)
            }
            return .tensor(TensorType(shape: Array(ids ? s : s.dropLast()) + [output], dtype: nil))
        }
    }
}

/// What the checker knows of a prompt encoder before it runs: how many tokens (or prefix positions) it makes and
/// how wide, and for a prefix encoder the layout of the model it was made for.
public struct EncoderShape: Sendable, Equatable, CustomStringConvertible {
    /// The number of virtual tokens (prefix positions).
    public var tokens: Dim
    /// The width of one virtual token (for a prefix, of one row of its flat table: layers · 2 · kv width).
    public var width: Dim
    /// For a prefix encoder, the layout of the model it was made for (nil: an input encoder).
    public var prefix: PrefixLayout?
    /// Whether it is a prefix (deep) encoder, even when its layout is not known.
    public var isPrefix: Bool

    /// An encoder shape.
    public init(tokens: Dim, width: Dim, prefix: PrefixLayout? = nil, isPrefix: Bool = false) {
        self.tokens = tokens
        self.width = width
        self.prefix = prefix
        self.isPrefix = isPrefix || prefix != nil
    }

    /// An input encoder nothing is known about.
    public static let unknown = EncoderShape(tokens: .unknown, width: .unknown)

    /// `[virtual, embed]`, or `prefix [3, 2 layers × 2 × 8]`.
    public var description: String {
        if let prefix { return "prefix [\(tokens), \(prefix)]" }
        if isPrefix { return "prefix [\(tokens), \(width)]" }
        return tokens.value == nil && tokens.name == nil && width == .unknown ? "" : "[\(tokens), \(width)]"
    }

    /// The type of the encoder's output (`pe()`): its tokens, or a prefix's flat table.
    var output: TensorType { TensorType(shape: [tokens, width], dtype: nil) }

    /// Throws when this encoder is known not to fit `model`: an input encoder whose tokens are not as wide as the
    /// model's embeddings, or a prefix made for a model of other layers or key/value widths.
    func check(with model: ModelShape, encoder: String, model modelName: String) throws(Message) {
        guard model.input == .tokens else { return }
        if isPrefix {
            if let made = prefix, let target = model.prefix, made != target {
                throw .prefixMismatch(encoder: encoder, made: "\(made)", model: modelName, has: "\(target)")
            }
            return
        }
        if width.conflicts(with: model.width) {
            throw .encoderWidthMismatch(encoder: encoder, width: width.detailed, model: modelName, embeds: model.width.detailed)
        }
    }
}

extension Dim {
    /// `'embed' (32)`, `'embed'`, or `32`: a dim as a mismatch message shows it.
    var detailed: String {
        switch (name, value) {
        case let (n?, v?): return "'\(n)' (\(v))"
        case let (n?, nil): return "'\(n)'"
        case let (nil, v?): return "\(v)"
        case (nil, nil): return "?"
        }
    }
}

extension LangType {
    /// Whether the value is a model.
    var isModel: Bool {
        if case .model = self { return true }
        return false
    }

    /// What the checker knows of a model argument: its shape, `.unknown` for a value of unknown kind, nil for
    /// something that is not a model.
    var modelShape: ModelShape? {
        switch self {
        case let .model(m): return m
        case .unknown: return .unknown
        case .none, .number, .dim, .bool, .string, .tensor, .list, .range, .record, .function, .builtin, .encoder,
             .dataset, .optimizer, .schedule:
            return nil
        }
    }

    /// What the checker knows of an encoder argument, like ``modelShape``.
    var encoderShape: EncoderShape? {
        switch self {
        case let .encoder(e): return e
        case .unknown: return .unknown
        case .none, .number, .dim, .bool, .string, .tensor, .list, .range, .record, .function, .builtin, .model,
             .dataset, .optimizer, .schedule:
            return nil
        }
    }
}

extension EncoderObject {
    /// What the checker knows of the encoder once it exists.
    var shape: EncoderShape {
        if let p = encoder as? PrefixEncoder {
            return EncoderShape(tokens: Dim(count), width: Dim(p.layout.tableWidth), prefix: p.layout)
        }
        return EncoderShape(tokens: Dim(count), width: Dim(dim))
    }
}

extension ModelShape {
    /// The shape of a model p-tuning drives (token embeddings in): a language model's output is its vocabulary.
    static func frozen(_ model: any FrozenModel, vocab: Int?) -> ModelShape {
        ModelShape(input: .tokens, width: Dim(model.tokenDim), output: vocab.map { Dim($0) } ?? .unknown, prefix: model.prefixLayout)
    }
}

extension Dim {
    /// This dim (a value the run found) named as `old` (what the checker knew) when they agree.
    func named(as old: Dim) -> Dim {
        guard let n = old.name, old.value == nil || old.value == value else { return self }
        return Dim(value, name: n)
    }
}

extension ModelShape {
    /// The shape a run found, its dims named as the checker's `old` shape named them.
    func named(as old: ModelShape) -> ModelShape {
        guard input == old.input else { return self }
        return ModelShape(input: input, width: width.named(as: old.width), output: output.named(as: old.output), prefix: prefix)
    }
}

extension EncoderShape {
    /// The shape a run found, its dims named as the checker's `old` shape named them.
    func named(as old: EncoderShape) -> EncoderShape {
        EncoderShape(tokens: tokens.named(as: old.tokens), width: width.named(as: old.width), prefix: prefix, isPrefix: isPrefix)
    }
}
