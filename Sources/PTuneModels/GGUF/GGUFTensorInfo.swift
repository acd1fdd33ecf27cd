/// One entry of a GGUF file's tensor table, checked against the file: its data lies inside the file, is aligned, and
/// is a whole number of blocks per row.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name (`token_embd.weight`, `blk.0.attn_q.weight`, …).
    public let name: String
    /// The dimensions as stored: innermost (fastest-varying) first, as ggml's `ne`.
    public let dims: [Int]
    /// The element type.
    public let type: GGMLType
    /// The offset of the data from the start of the file's data section.
    public let offset: Int
    /// The offset of the data from the start of the file.
    public let fileOffset: Int
    /// The number of elements.
    public let elementCount: Int
    /// The bytes the data takes.
    public let byteCount: Int

    /// The row-major shape (outermost first): `dims` reversed. A `[576, 49152]` token table is `[49152, 576]`.
    public var shape: [Int] { dims.reversed() }

    /// The length of one row: the innermost dimension (1 for a scalar).
    public var rowLength: Int { dims.first ?? 1 }

    /// The number of rows of length ``rowLength``.
    public var rowCount: Int { rowLength == 0 ? 0 : elementCount / rowLength }

    /// The bytes one row takes (rows are whole numbers of blocks).
    public var rowBytes: Int { rowLength / type.blockSize * type.blockBytes }
}
