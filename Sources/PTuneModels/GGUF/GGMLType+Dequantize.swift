import PTuneCore

/// Conversion of stored GGUF tensor data to float32, through the block formats of PTuneCore (``BlockFormat``),
/// where each format's layout and decoder live.
extension GGMLType {
    /// The block format of this type, or nil for the types ptune does not convert (integers, Q8_1, Q8_K).
    public var blockFormat: BlockFormat? {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .f64: return .f64
        case .q4_0: return .q4_0
        case .q4_1: return .q4_1
        case .q5_0: return .q5_0
        case .q5_1: return .q5_1
        case .q8_0: return .q8_0
        case .q2_K: return .q2_K
        case .q3_K: return .q3_K
        case .q4_K: return .q4_K
        case .q5_K: return .q5_K
        case .q6_K: return .q6_K
        case .q8_1, .q8_K, .i8, .i16, .i32, .i64: return nil
        }
    }

    /// Whether ``dequantize(_:into:)`` supports this type.
    public var canDequantize: Bool { blockFormat != nil }

    /// Converts the elements stored in `src` to float32, filling all of `dst` (`dst.count` a whole number of blocks,
    /// `src` at least ``byteCount(elements:)`` bytes).
    public func dequantize(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Float>) throws {
        guard let format = blockFormat else { throw TensorError.invalidArgument(op: .dequantize, "type \(self) cannot be dequantized") }
        try format.decode(src, into: dst)
    }
}
