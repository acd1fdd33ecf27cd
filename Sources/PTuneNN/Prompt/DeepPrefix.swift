import PTuneCore

/// What a deep prompt must look like to enter a model's attention: one key and one value row of `kvWidth` columns
/// per prefix position for each of `layers` attention layers. With grouped-query attention `kvWidth` is
/// `kvHeads · headDim`, narrower than the model's width.
public struct PrefixLayout: Sendable, Equatable, CustomStringConvertible {
    /// The number of attention layers.
    public let layers: Int
    /// The width of one key (or value) row: `kvHeads · headDim`.
    public let kvWidth: Int

    /// A layout; both counts must be positive.
    public init(layers: Int, kvWidth: Int) throws {
        guard layers > 0, kvWidth > 0 else {
            throw NNError.invalidArgument("prefix", "layers and key/value width must be positive, got \(layers) and \(kvWidth)")
        }
        self.layers = layers
        self.kvWidth = kvWidth
    }

    /// The layout of `layers` layers of `heads` key/value heads `headDim` wide.
    public init(layers: Int, kvHeads: Int, headDim: Int) throws {
        try self.init(layers: layers, kvWidth: kvHeads * headDim)
    }

    /// `layers · 2 · kvWidth`: the width of one row of the flat table a prefix encoder makes (PEFT's layout).
    public var tableWidth: Int { layers * 2 * kvWidth }

    /// `12 layers × 2 × 384`
    public var description: String { "\(layers) layers × 2 × \(kvWidth)" }
}

/// A deep prompt ready for the attention layers: per layer, `P` key and value rows (``PTuneCore/KVPrefix``), which
/// every query of that layer sees before its own keys, whatever the mask. Cut from the flat table `[P, layers · 2 ·
/// kvWidth]` a prefix encoder makes, in PEFT's order: row `p` holds layer 0's key, layer 0's value, layer 1's key, …
/// The keys are used as given — no rotary embedding, as Hugging Face treats `past_key_values` — and the real tokens'
/// positions start at `P`, as they do after a cache of `P` positions.
public struct DeepPrefix: Sendable {
    /// One key/value prefix per attention layer, first to last.
    public let layers: [KVPrefix]
    /// The layout the prefix was cut for.
    public let layout: PrefixLayout

    /// Cuts `table` `[P, layout.tableWidth]` into per-layer keys and values (gradients flow back into the table).
    public init(table: Tensor, layout: PrefixLayout) throws {
        guard table.rank == 2, table.shape[1] == layout.tableWidth, table.dtype.isFloatingPoint else {
            throw NNError.shapeMismatch("prefix", "a prefix table for \(layout) must be [P, \(layout.tableWidth)], got \(Shape.describe(table.shape))")
        }
        let w = layout.kvWidth
        var layers: [KVPrefix] = []
        layers.reserveCapacity(layout.layers)
        for l in 0..<layout.layers {
            layers.append(KVPrefix(key: try table.narrowed(axis: 1, start: 2 * l * w, length: w),
                                   value: try table.narrowed(axis: 1, start: (2 * l + 1) * w, length: w)))
        }
        self.layers = layers
        self.layout = layout
    }

    /// P, the number of prefix positions.
    public var count: Int { layers.first?.count ?? 0 }

    /// The prefix of attention layer `l`.
    public func layer(_ l: Int) throws -> KVPrefix {
        guard l >= 0, l < layers.count else { throw NNError.invalidArgument("prefix", "layer \(l) is outside 0..<\(layers.count)") }
        return layers[l]
    }

    /// The prefix converted to `dtype` (itself when it already is).
    public func to(_ dtype: DType) throws -> DeepPrefix {
        guard let first = layers.first, first.key.dtype != dtype else { return self }
        return DeepPrefix(layers: try layers.map { KVPrefix(key: try $0.key.to(dtype), value: try $0.value.to(dtype)) }, layout: layout)
    }

    /// The prefix with every layer's keys passed through `transform` (a model's own key layout: a permutation of
    /// each head's columns, say), values unchanged; gradients flow through `transform`.
    public func mappingKeys(_ transform: (Tensor) throws -> Tensor) throws -> DeepPrefix {
        DeepPrefix(layers: try layers.map { KVPrefix(key: try transform($0.key), value: $0.value) }, layout: layout)
    }

    /// The same keys and values, cut off from autodiff (for inference).
    public func detached() -> DeepPrefix {
        DeepPrefix(layers: layers.map { KVPrefix(key: $0.key.detached(), value: $0.value.detached()) }, layout: layout)
    }

    private init(layers: [KVPrefix], layout: PrefixLayout) {
        self.layers = layers
        self.layout = layout
    }
}
