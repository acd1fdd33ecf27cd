import PTuneNN

/// Static rules of the builtins that make models and prompt encoders: what the checker knows of their widths, so a
/// call that joins a model and an encoder (or applies a model) of other widths is reported before anything runs.
extension BuiltinRules {
    /// The dim of argument `i` (a number or a `dim`, its name kept).
    static func dim(_ c: CallTypes, _ i: Int) -> Dim { ShapeRules.dim(from: c[i]) }

    /// The sizes of a layer given as a chain `a -> b -> c` in argument `i`, or as separate arguments `i` and `j`.
    static func sizes(_ c: CallTypes, _ i: Int, _ j: Int? = nil) -> [Dim] {
        if i < c.chains.count, let chain = c.chains[i] { return chain }
        if case .list = c[i] { return [] }
        guard let j, c.given.indices.contains(j), c.given[j] else { return [dim(c, i)] }
        return [dim(c, i), dim(c, j)]
    }

    /// A layer over feature vectors whose sizes are `sizes` (first in, last out).
    static func featureModel(_ sizes: [Dim]) -> LangType {
        guard let first = sizes.first, let last = sizes.last, sizes.count >= 2 else { return .model(.unknown) }
        return .model(ModelShape(input: .features, width: first, output: last))
    }

    /// `gpt(vocab, dim, layers, heads, context)`: token embeddings `dim` wide, logits over `vocab`, and the prefix
    /// layout when the layers and width are constants.
    static func gptModel(_ c: CallTypes) -> LangType {
        let width = dim(c, 1)
        var prefix: PrefixLayout?
        if let layers = constant(c[2]), let w = width.value, layers > 0, w > 0 { prefix = try? PrefixLayout(layers: layers, kvWidth: w) }
        return .model(ModelShape(input: .tokens, width: width, output: dim(c, 0), prefix: prefix))
    }

    /// An input encoder of `n` (argument 0) tokens as wide as argument 1: a width, or a model's embeddings.
    static func sizedEncoder(_ c: CallTypes) -> LangType {
        let width = c[1].modelShape.map(\.width) ?? dim(c, 1)
        return .encoder(EncoderShape(tokens: dim(c, 0), width: width))
    }

    /// `scale(base)`: as many tokens as the base's rows, as wide as its columns.
    static func scaleEncoder(_ c: CallTypes) -> LangType {
        guard case let .tensor(t) = c[0], let s = t.shape, s.count == 2 else { return .encoder(.unknown) }
        return .encoder(EncoderShape(tokens: s[0], width: s[1]))
    }

    /// `prefix(n, model)`: n positions of keys and values for the model's attention layers.
    static func prefixEncoder(_ c: CallTypes) -> LangType {
        let layout = c[1].modelShape?.prefix
        return .encoder(EncoderShape(tokens: dim(c, 0), width: layout.map { Dim($0.tableWidth) } ?? .unknown, prefix: layout,
                                     isPrefix: true))
    }

    /// `model.forward(x, encoder:)`: the model's output for x, longer by an input encoder's tokens.
    static func forwardRule(_ c: CallTypes) throws(Message) -> LangType {
        guard let model = c[0].modelShape, case let .tensor(x) = c[1] else { return .tensor(.unknown) }
        let out = try model.applied(to: x, name: "the model")
        guard case let .encoder(e) = c[2], !e.isPrefix, case let .tensor(t) = out, var s = t.shape, s.count >= 2 else { return out }
        s[s.count - 2] = ShapeRules.add(e.tokens, s[s.count - 2])
        return .tensor(TensorType(shape: s, dtype: t.dtype))
    }
}
