import CPTuneKernels

/// A `[rows, columns]` matrix stored as IEEE binary16 (half the bytes of float32), written and read as float32 rows:
/// the storage of a float16 KV cache. Values are rounded to nearest (ties to even) when written and widened exactly
/// when read, F16C's instructions doing both where the CPU has them. Copy-on-write like a tensor, and charged to the
/// scope's memory budget like one.
public struct HalfRows: Sendable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The binary16 values, two to each 4-byte element of a float32 tensor (so the tensor allocator holds them).
    private var packed: Tensor

    /// A zero matrix of `rows` × `columns`.
    public init(rows: Int, columns: Int) throws {
        guard rows >= 0, columns > 0 else {
            throw TensorError.invalidArgument(op: .convert, "half rows need a positive width and no negative rows, got [\(rows), \(columns)]")
        }
        let (halves, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow else { throw TensorError.invalidArgument(op: .convert, "[\(rows), \(columns)] is too many elements") }
        self.rows = rows
        self.columns = columns
        packed = try Tensor.zeros([(halves + 1) / 2], dtype: .float32)
    }

    /// Bytes the values take.
    public var byteCount: Int { rows * columns * 2 }

    /// The binary16 values, row-major (for kernels that read them in place; valid while `self` is alive and
    /// unchanged).
    var rawPointer: UnsafeRawPointer { UnsafeRawPointer(packed.storage.pointer) }

    /// Writes `values` (float32 `[m, columns]`, rounded to binary16) at rows `at ..< at + m`.
    public mutating func write(_ values: Tensor, at: Int) throws {
        let m = values.shape.first ?? 0
        guard values.dtype == .float32, values.rank == 2, values.shape[1] == columns, at >= 0, at + m <= rows else {
            throw TensorError.shapeMismatch(op: .assign, "cannot write \(values.dtype) \(Shape.describe(values.shape)) at row \(at) of half rows [\(rows), \(columns)]")
        }
        try packed.makeUnique()
        let out = UnsafeMutableRawPointer(packed.storage.pointer).assumingMemoryBound(to: UInt16.self)
        ptk_float_to_half(Int32(KernelLevel.detected.rawValue), values.storage.typed(Float.self), m * columns,
                          out + at * columns)
    }

    /// Writes a block of the float32 matrix `values`, rounded to binary16: its rows `fromRow ..< fromRow + count`,
    /// columns `column ..< column + columns`, at rows `at ..< at + count` (the key or value columns of fused
    /// `[q | k | v]` rows).
    public mutating func write(_ values: Tensor, fromRow: Int, count: Int, column: Int, at: Int) throws {
        guard values.dtype == .float32, values.rank == 2, count >= 0, fromRow >= 0, fromRow + count <= values.shape[0],
              column >= 0, column + columns <= values.shape[1], at >= 0, at + count <= rows else {
            throw TensorError.shapeMismatch(op: .assign, "cannot write rows \(fromRow)..<\(fromRow + count), columns from \(column) of \(values.dtype) \(Shape.describe(values.shape)) at row \(at) of half rows [\(rows), \(columns)]")
        }
        try packed.makeUnique()
        let out = UnsafeMutableRawPointer(packed.storage.pointer).assumingMemoryBound(to: UInt16.self)
        let source = values.storage.typed(Float.self), width = values.shape[1]
        for i in 0..<count {
            ptk_float_to_half(Int32(KernelLevel.detected.rawValue), source + (fromRow + i) * width + column, columns,
                              out + (at + i) * columns)
        }
    }

    /// Rows `ranges` (each inside `0 ..< rows`), widened to float32 and stacked in order: `[Σ counts, columns]`.
    public func floats(_ ranges: [Range<Int>]) throws -> Tensor {
        guard ranges.allSatisfy({ $0.lowerBound >= 0 && $0.upperBound <= rows }) else {
            throw TensorError.invalidArgument(op: .narrow, "rows \(ranges) outside half rows [\(rows), \(columns)]")
        }
        let total = ranges.reduce(0) { $0 + $1.count }
        var out = try Tensor(uninitialized: [total, columns], dtype: .float32)
        let source = UnsafeRawPointer(packed.storage.pointer).assumingMemoryBound(to: UInt16.self)
        var row = 0
        for r in ranges where !r.isEmpty {
            ptk_half_to_float(Int32(KernelLevel.detected.rawValue), source + r.lowerBound * columns, r.count * columns,
                              out.storage.typed(Float.self) + row * columns)
            row += r.count
        }
        out.node = nil
        return out
    }
}

extension HalfRows {
    /// `x` rounded to binary16 bit patterns by the conversion of `level` (the tests compare the levels).
    static func halves(_ x: [Float], level: KernelLevel) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: x.count)
        ptk_float_to_half(Int32(level.rawValue), x, x.count, &out)
        return out
    }

    /// Binary16 bit patterns widened to floats by the conversion of `level`.
    static func floats(_ h: [UInt16], level: KernelLevel) -> [Float] {
        var out = [Float](repeating: 0, count: h.count)
        ptk_half_to_float(Int32(level.rawValue), h, h.count, &out)
        return out
    }
}
