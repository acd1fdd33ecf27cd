import Foundation
import CPTuneKernels

/// A frozen `[rows, columns]` weight matrix kept in its file's block formats (``BlockFormat``: Q4_0 … Q6_K, F16,
/// BF16, F32), never as a float32 copy: the storage of any architecture's linear layers and embeddings loaded from a
/// quantized file.
///
/// A matrix is a stack of row ranges (``Part``s), each in one format, so projections fused into one matrix keep
/// their own formats (a `Q4_K_M` file's `[q | k | v]` holds Q4_K and Q6_K rows). Each row of a part is a whole number of
/// blocks, as ggml stores it. Products read it through ``Tensor/linear(_:quantized:bias:activations:)``; rows are
/// decoded on demand (``gatherRows(_:)``, ``dequantized()``) with the exact values of ``BlockFormat``'s decoders.
///
/// Immutable after creation, so it may be shared between threads.
public final class QuantizedMatrix: @unchecked Sendable, CustomStringConvertible {
    /// A run of consecutive rows in one format.
    public struct Part: @unchecked Sendable {
        /// The rows' block format.
        public let format: BlockFormat
        /// The number of rows.
        public let rows: Int
        /// Bytes per row.
        public let rowBytes: Int
        /// The first byte of the first row.
        let base: UnsafeRawPointer
        /// Keeps `base` alive.
        let owner: BlockBuffer
    }

    /// Output features (rows).
    public let rows: Int
    /// Input features (columns).
    public let columns: Int
    /// The row ranges, top to bottom.
    public let parts: [Part]

    /// A matrix of `rows × columns` elements in `format`, copying its blocks from `bytes` (row-major, each row a whole
    /// number of blocks). The copy is charged to the current ``MemoryBudget``.
    public init(format: BlockFormat, rows: Int, columns: Int, bytes: UnsafeRawBufferPointer) throws(TensorError) {
        guard rows >= 0, columns > 0, columns % format.elements == 0,
              let rowBytes = format.byteCount(elements: columns) else {
            throw .invalidArgument(op: .dequantize, "a \(format) row of \(columns) elements is not a whole number of blocks of \(format.elements)")
        }
        let (total, overflow) = rowBytes.multipliedReportingOverflow(by: rows)
        guard !overflow else { throw .tooLarge(elements: Int.max, limit: Int.max) }
        guard bytes.count >= total else {
            throw .invalidArgument(op: .dequantize, "\(rows) × \(columns) \(format) elements need \(total) bytes, got \(bytes.count)")
        }
        let buffer = try BlockBuffer(bytes: total, elements: rows * columns)
        if total > 0, let src = bytes.baseAddress { buffer.pointer.copyMemory(from: src, byteCount: total) }
        self.rows = rows
        self.columns = columns
        parts = [Part(format: format, rows: rows, rowBytes: rowBytes, base: UnsafeRawPointer(buffer.pointer), owner: buffer)]
    }

    /// The matrices stacked top to bottom (sharing their blocks): a fused projection such as `[q | k | v]`. All must
    /// have the same number of columns.
    public init(stacking matrices: [QuantizedMatrix]) throws(TensorError) {
        guard let first = matrices.first else { throw .invalidArgument(op: .concat, "nothing to stack") }
        for m in matrices where m.columns != first.columns {
            throw .shapeMismatch(op: .concat, "cannot stack matrices of \(first.columns) and \(m.columns) columns")
        }
        columns = first.columns
        rows = matrices.reduce(0) { $0 + $1.rows }
        // Adjacent runs of one format merge only when they are contiguous in memory; otherwise they stay parts.
        parts = matrices.flatMap(\.parts)
    }

    /// Bytes held by the blocks.
    public var byteCount: Int { parts.reduce(0) { $0 + $1.rows * $1.rowBytes } }

    /// The formats of the parts, top to bottom, each once.
    public var formats: [BlockFormat] {
        var seen: [BlockFormat] = []
        for p in parts where !seen.contains(p.format) { seen.append(p.format) }
        return seen
    }

    /// `Q4_1 [576, 1536]`, or `Q4_K+Q6_K [960, 576]` for a mixed stack.
    public var description: String { formats.map(\.description).joined(separator: "+") + " [\(rows), \(columns)]" }

    /// The largest block length of the parts: column ranges that are multiples of it cut every row on block
    /// boundaries.
    var blockAlignment: Int { parts.reduce(1) { Swift.max($0, $1.format.elements) } }

    /// Whether every part holds integer blocks (the activation-quantizing kernels apply) rather than plain floats.
    var isBlockQuantized: Bool { parts.allSatisfy { $0.format.elements > 1 } }

    /// The whole matrix as a float32 tensor `[rows, columns]` (what loading with `dtype: float32` keeps).
    public func dequantized() throws -> Tensor {
        var out = try Tensor(uninitialized: [rows, columns], dtype: .float32)
        let p = out.storage.typed(Float.self)
        Parallel.forChunks(rows, minimumChunk: Swift.max(1, 65_536 / Swift.max(columns, 1))) { range in
            decode(rows: range, columns: 0..<columns, into: p + range.lowerBound * columns, ld: columns)
        }
        out.node = nil
        return out
    }

    /// Rows `indices` as a float32 tensor `[indices.count, columns]` (an embedding lookup): throws for an index
    /// outside `0..<rows`.
    public func gatherRows(_ indices: [Int]) throws -> Tensor {
        if let bad = indices.first(where: { $0 < 0 || $0 >= rows }) {
            throw TensorError.indexOutOfRange(op: .gather, index: bad, size: rows)
        }
        var out = try Tensor(uninitialized: [indices.count, columns], dtype: .float32)
        let p = out.storage.typed(Float.self)
        for (k, r) in indices.enumerated() { decode(rows: r..<(r + 1), columns: 0..<columns, into: p + k * columns, ld: columns) }
        out.node = nil
        return out
    }

    /// Decodes rows `rows` and columns `columns` (block-aligned) to `out`, row i at `out + i·ld`.
    func decode(rows range: Range<Int>, columns cols: Range<Int>, into out: UnsafeMutablePointer<Float>, ld: Int,
                level: KernelLevel = .detected) {
        forEachPart(in: range) { part, first, count, offset in
            let per = part.format.elements
            ptk_dequantize(Int32(level.rawValue), part.format.kernelCode, part.base + first * part.rowBytes, part.rowBytes,
                           count, cols.lowerBound / per, cols.count / per, out + offset * ld, ld)
        }
    }

    /// Calls `body(part, firstRowInPart, rowCount, offsetInRange)` for each part's share of the rows `range`.
    func forEachPart(in range: Range<Int>, _ body: (Part, Int, Int, Int) -> Void) {
        var start = 0
        for part in parts {
            let lo = Swift.max(range.lowerBound, start), hi = Swift.min(range.upperBound, start + part.rows)
            if lo < hi { body(part, lo - start, hi - lo, lo - range.lowerBound) }
            start += part.rows
            if start >= range.upperBound { break }
        }
    }
}

/// An owned, budget-charged block of memory holding quantized rows.
final class BlockBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let bytes: Int
    let budget: MemoryBudget?

    init(bytes: Int, elements: Int) throws(TensorError) {
        let budget = TensorContext.budget
        do { try budget?.reserve(elements: elements, bytes: bytes) } catch let e as TensorError { throw e } catch {
            throw .outOfMemory(requested: bytes, live: 0, limit: 0)
        }
        guard let p = malloc(Swift.max(bytes, 1)) else {
            budget?.release(bytes: bytes)
            throw .outOfMemory(requested: bytes, live: budget?.liveBytes ?? 0, limit: budget?.maxBytes ?? 0)
        }
        pointer = p
        self.bytes = bytes
        self.budget = budget
    }

    deinit {
        budget?.release(bytes: bytes)
        free(pointer)
    }
}

extension BlockFormat {
    /// The format's number in the C kernels (`ptk_format`).
    var kernelCode: Int32 {
        switch self {
        case .f32: return Int32(PTK_F32.rawValue)
        case .f16: return Int32(PTK_F16.rawValue)
        case .bf16: return Int32(PTK_BF16.rawValue)
        case .f64: return Int32(PTK_F64.rawValue)
        case .q4_0: return Int32(PTK_Q4_0.rawValue)
        case .q4_1: return Int32(PTK_Q4_1.rawValue)
        case .q5_0: return Int32(PTK_Q5_0.rawValue)
        case .q5_1: return Int32(PTK_Q5_1.rawValue)
        case .q8_0: return Int32(PTK_Q8_0.rawValue)
        case .q2_K: return Int32(PTK_Q2_K.rawValue)
        case .q3_K: return Int32(PTK_Q3_K.rawValue)
        case .q4_K: return Int32(PTK_Q4_K.rawValue)
        case .q5_K: return Int32(PTK_Q5_K.rawValue)
        case .q6_K: return Int32(PTK_Q6_K.rawValue)
        }
    }
}
