import PTuneCore

/// A lookup table, PyTorch's `nn.Embedding`: integer ids of any shape `S` give rows of `weight`, shape `S + [dim]`.
/// The backward scatter-adds into the rows used. Init (PyTorch's default): `weight ~ N(0, 1)`.
public final class Embedding: Layer {
    /// The table, shape `[count, dim]`; named `weight`.
    public let weight: Parameter
    /// The number of rows (vocabulary size).
    public var count: Int { weight.shape[0] }
    /// The width of each row.
    public var dim: Int { weight.shape[1] }

    /// A `count × dim` table initialised `N(0, 1)` from `g`.
    public init(_ count: Int, _ dim: Int, dtype: DType = .float32, using g: inout Generator) throws {
        guard count >= 0, dim >= 0 else { throw NNError.invalidArgument("Embedding", "sizes must be non-negative, got \(count) × \(dim)") }
        weight = try Parameter(Initializer.normal([count, dim], dtype: dtype, using: &g), name: "weight")
    }

    /// A layer holding `table` (shape `[count, dim]`).
    public init(table: Tensor, frozen: Bool = false) throws {
        guard table.rank == 2 else { throw NNError.shapeMismatch("Embedding", "table must be [count, dim], got \(Shape.describe(table.shape))") }
        weight = try Parameter(table, name: "weight", frozen: frozen)
    }

    /// A layer over the given table parameter `[count, dim]`.
    public init(weight: Parameter) throws {
        guard weight.shape.count == 2 else { throw NNError.shapeMismatch("Embedding", "table must be [count, dim], got \(Shape.describe(weight.shape))") }
        self.weight = weight
    }

    /// `weight`.
    public var parameters: [Parameter] { [weight] }

    /// The rows at `ids` (integer-valued; negative or out-of-range ids are an error).
    public func callAsFunction(_ ids: Tensor) throws -> Tensor {
        try weight.value.gatherRows(ids, fromEnd: false)
    }
}
