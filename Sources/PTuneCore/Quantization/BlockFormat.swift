/// The storage formats of quantized model weights (ggml's, as GGUF files hold them): runs of `elements` values packed
/// into `bytes` bytes, little-endian. Plain floats are blocks of one element.
///
/// Each format's layout is documented on its case and decoded by one function (`BlockFormat+Legacy.swift`,
/// `BlockFormat+KQuants.swift`); ``decode(_:into:)`` converts whole runs of blocks to float32, and a kernel that
/// works on blocks directly reads the same layouts. Decoding is exact: every result is the float32 arithmetic of
/// ggml's reference dequantization, in its order.
public enum BlockFormat: Sendable, CaseIterable, Equatable, CustomStringConvertible {
    /// IEEE float32.
    case f32
    /// IEEE binary16.
    case f16
    /// bfloat16: the top 16 bits of a float32.
    case bf16
    /// IEEE float64 (rounded to float32).
    case f64
    /// 32 elements: f16 scale d, 16 bytes of 4-bit q (element j < 16 is the low nibble of byte j, j + 16 its high
    /// nibble) → `d·(q − 8)`.
    case q4_0
    /// 32 elements: f16 d, f16 m, 16 bytes of nibbles as Q4_0 → `d·q + m`.
    case q4_1
    /// 32 elements: f16 d, 32 high bits (u32, bit j for element j), 16 bytes of low nibbles as Q4_0 →
    /// `d·((low | high << 4) − 16)`.
    case q5_0
    /// 32 elements: f16 d, f16 m, 32 high bits, 16 bytes of low nibbles → `d·(low | high << 4) + m`.
    case q5_1
    /// 32 elements: f16 d, 32 × int8 q → `d·q`.
    case q8_0
    /// 256 elements in 16 groups of 16: 16 scale bytes (low nibble scale, high nibble minimum), 64 bytes of 2-bit q,
    /// f16 d, f16 dmin → `d·scale·q − dmin·min`.
    case q2_K
    /// 256 elements in 16 groups of 16: 32 bytes of high-bit masks, 64 bytes of 2-bit low q, 12 bytes of 6-bit
    /// scales, f16 d → `d·(scale − 32)·(q − (high bit ? 0 : 4))`.
    case q3_K
    /// 256 elements in 8 groups of 32: f16 d, f16 dmin, 12 bytes of 6-bit scales and minimums, 128 bytes of
    /// nibbles → `d·scale·q − dmin·min`.
    case q4_K
    /// 256 elements in 8 groups of 32: f16 d, f16 dmin, 12 bytes of scales and minimums, 32 bytes of high bits,
    /// 128 bytes of low nibbles → `d·scale·(low | high << 4) − dmin·min`.
    case q5_K
    /// 256 elements in 16 groups of 16: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 × int8 scales,
    /// f16 d → `d·scale·((low | high << 4) − 32)`.
    case q6_K

    /// Elements per block.
    public var elements: Int {
        switch self {
        case .f32, .f16, .bf16, .f64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: return 256
        }
    }

    /// Bytes per block.
    public var bytes: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .f64: return 8
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q2_K: return 84
        case .q3_K: return 110
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        }
    }

    /// ggml's name: `F32`, `Q4_K`, ….
    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .f64: return "F64"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        }
    }

    /// The bytes that `count` elements take, or nil when `count` is negative, not a whole number of blocks, or the
    /// size overflows.
    public func byteCount(elements count: Int) -> Int? {
        guard count >= 0, count % elements == 0 else { return nil }
        let (n, overflow) = (count / elements).multipliedReportingOverflow(by: bytes)
        return overflow ? nil : n
    }

    /// Converts the blocks in `src` to float32, filling all of `dst`: `dst.count` must be a whole number of blocks
    /// and `src` must hold their bytes. Large runs are split over the worker threads.
    public func decode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Float>) throws(TensorError) {
        guard let need = byteCount(elements: dst.count) else {
            throw .invalidArgument(op: .dequantize, "\(dst.count) elements is not a whole number of \(self) blocks of \(elements)")
        }
        guard src.count >= need else {
            throw .invalidArgument(op: .dequantize, "\(dst.count) \(self) elements need \(need) bytes, got \(src.count)")
        }
        guard let s = src.baseAddress, let d = dst.baseAddress, dst.count > 0 else { return }
        let blocks = dst.count / elements, per = elements, size = bytes
        Parallel.forChunks(blocks, minimumChunk: Swift.max(1, 65_536 / per)) { range in
            decodeBlocks(s + range.lowerBound * size, d + range.lowerBound * per, range.count)
        }
    }

    /// Decodes `count` consecutive blocks at `src` into `dst` (unchecked: the caller owns the bounds).
    public func decodeBlocks(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        switch self {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .f16: BlockFormat.run(count, src, dst, 2, 1, BlockFormat.decodeF16)
        case .bf16: BlockFormat.run(count, src, dst, 2, 1, BlockFormat.decodeBF16)
        case .f64: BlockFormat.run(count, src, dst, 8, 1, BlockFormat.decodeF64)
        case .q4_0: BlockFormat.run(count, src, dst, 18, 32, BlockFormat.decodeQ4_0)
        case .q4_1: BlockFormat.run(count, src, dst, 20, 32, BlockFormat.decodeQ4_1)
        case .q5_0: BlockFormat.run(count, src, dst, 22, 32, BlockFormat.decodeQ5_0)
        case .q5_1: BlockFormat.run(count, src, dst, 24, 32, BlockFormat.decodeQ5_1)
        case .q8_0: BlockFormat.run(count, src, dst, 34, 32, BlockFormat.decodeQ8_0)
        case .q2_K: BlockFormat.run(count, src, dst, 84, 256, BlockFormat.decodeQ2_K)
        case .q3_K: BlockFormat.run(count, src, dst, 110, 256, BlockFormat.decodeQ3_K)
        case .q4_K: BlockFormat.run(count, src, dst, 144, 256, BlockFormat.decodeQ4_K)
        case .q5_K: BlockFormat.run(count, src, dst, 176, 256, BlockFormat.decodeQ5_K)
        case .q6_K: BlockFormat.run(count, src, dst, 210, 256, BlockFormat.decodeQ6_K)
        }
    }

    /// One block's decoder: the block's first byte, where its `elements` floats go.
    typealias BlockDecoder = (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void

    @inline(__always)
    private static func run(_ count: Int, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ size: Int,
                            _ per: Int, _ block: BlockDecoder) {
        for b in 0..<count { block(src + b * size, dst + b * per) }
    }

    /// The IEEE half at byte `offset` of `p`, as a float.
    @inline(__always) static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfPrecision.float(fromHalf: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// The byte at `offset` of `p`.
    @inline(__always) static func byte(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
        p.load(fromByteOffset: offset, as: UInt8.self)
    }
}
