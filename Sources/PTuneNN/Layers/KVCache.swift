import PTuneCore

/// The keys and values attention layers have computed for earlier positions of one sequence, one `[capacity, width]`
/// pair per layer, so that each generated token costs one row through the model instead of the whole sequence
/// again. Keys are stored as the layer uses them (after any rotary embedding). Every layer of a step writes at
/// positions `count..<count + m`; ``advance(by:)`` then moves `count` on.
public struct KVCache: Sendable {
    /// The most positions the cache holds.
    public let capacity: Int
    /// Positions filled so far (the next token's position).
    public private(set) var count: Int = 0
    /// Each layer's keys, `[capacity, width]` (rows past ``count`` not yet written).
    public private(set) var keys: [Tensor]
    /// Each layer's values, `[capacity, width]`.
    public private(set) var values: [Tensor]

    /// An empty cache for `layers` layers whose keys and values are `width` wide, holding up to `capacity` positions.
    public init(layers: Int, width: Int, capacity: Int, dtype: DType = .float32) throws {
        guard layers >= 0, width > 0, capacity > 0 else {
            throw NNError.invalidArgument("KVCache", "needs a positive width and capacity, got width \(width), capacity \(capacity)")
        }
        self.capacity = capacity
        keys = try (0..<layers).map { _ in try Tensor.zeros([capacity, width], dtype: dtype) }
        values = try (0..<layers).map { _ in try Tensor.zeros([capacity, width], dtype: dtype) }
    }

    /// Empties the cache (keeps its memory).
    public mutating func reset() { count = 0 }

    /// Marks `m` more positions as filled, once every layer has written them.
    public mutating func advance(by m: Int) throws {
        guard m >= 0, count + m <= capacity else { throw NNError.invalidArgument("KVCache", "\(count + m) positions exceed the capacity of \(capacity)") }
        count += m
    }

    /// Writes `key` and `value` (`[m, width]` each) for `layer` at positions `count..<count + m`.
    mutating func write(layer: Int, key: Tensor, value: Tensor) throws {
        let m = key.shape.first ?? 0
        guard layer >= 0, layer < keys.count, key.rank == 2, key.shape == value.shape, key.shape[1] == keys[layer].shape[1],
              key.dtype == keys[layer].dtype, value.dtype == key.dtype else {
            throw NNError.shapeMismatch("KVCache", "layer \(layer): keys and values \(Shape.describe(key.shape)), \(Shape.describe(value.shape)) do not fit the cache")
        }
        guard count + m <= capacity else { throw NNError.invalidArgument("KVCache", "\(count + m) positions exceed the capacity of \(capacity)") }
        try keys[layer].assign(key, rows: count..<(count + m))
        try values[layer].assign(value, rows: count..<(count + m))
    }
}
