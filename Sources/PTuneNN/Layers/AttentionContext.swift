import PTuneCore

/// How the rows of a `[N, d]` activation matrix form sequences, for every attention layer of one forward pass: which
/// rows attend to which (the segments), which key rows are padding, and the rotary embeddings of every row's position
/// (for layers that rotate queries and keys). Whether attention is causal, windowed or rotated, and how, is the
/// layer's own property.
public struct AttentionContext {
    /// Which query rows attend to which key rows.
    public var segments: [AttentionSegment]
    /// `keyPadding[r]` is true where row `r` is padding, never attended to (nil: no padding).
    public var keyPadding: [Bool]?
    /// The rotary embeddings at every row's position (nil when no layer rotates).
    public var rotary: RotaryTables?

    /// A context from its parts.
    public init(segments: [AttentionSegment], keyPadding: [Bool]? = nil, rotary: RotaryTables? = nil) {
        self.segments = segments
        self.keyPadding = keyPadding
        self.rotary = rotary
    }

    /// The rows of a `[batch, length, d]` tensor: `batch` sequences of `length` rows, each attending within itself;
    /// `attentionMask` `[batch, length]` marks real positions with 1 and padding with 0 (nil: no padding).
    public static func batch(_ batch: Int, length: Int, attentionMask: Tensor?) throws -> AttentionContext {
        var padding: [Bool]? = nil
        if let mask = attentionMask {
            guard mask.shape == [batch, length] else {
                throw NNError.shapeMismatch("attention", "attention mask \(Shape.describe(mask.shape)) does not match [\(batch), \(length)]")
            }
            let m = mask.doubles
            if m.contains(0) { padding = m.map { $0 == 0 } }
        }
        let segments = length == 0 ? [] : (0..<batch).map { b in
            AttentionSegment(queries: (b * length)..<((b + 1) * length), keys: [(b * length)..<((b + 1) * length)])
        }
        return AttentionContext(segments: segments, keyPadding: padding)
    }
}

/// The rows a block computes its output for, with the segments saying what each of them attends to (the same keys as
/// in the full pass). Keys and values still come from every row; a loss that reads a few positions runs the last
/// block for those only.
public struct RowSelection {
    /// The selected rows, distinct and increasing: the output's rows, in this order.
    public var rows: [Int]
    /// One segment per group of selected rows, querying only them.
    public var segments: [AttentionSegment]

    /// A selection from its parts.
    public init(rows: [Int], segments: [AttentionSegment]) {
        self.rows = rows
        self.segments = segments
    }

    /// The rows as an index tensor for ``PTuneCore/Tensor/gatherRows(_:)``.
    var indices: Tensor {
        get throws { try Tensor(shape: [rows.count], scalars: rows.map(Int64.init)) }
    }
}
