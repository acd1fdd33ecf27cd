import PTuneCore

/// A 64-bit FNV-1a checksum over parameters' names, shapes, dtypes and exact bits. Take one before training and one
/// after: equal checksums prove a frozen model unchanged (any flipped bit changes it, up to 2⁻⁶⁴ collisions).
public struct ParameterChecksum: Hashable, Sendable, CustomStringConvertible {
    /// The checksum value.
    public let value: UInt64

    /// The checksum of `parameters` (order matters: pass them in their model's fixed order).
    public init(_ parameters: [Parameter]) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        func mix64(_ v: UInt64) { for i in 0..<8 { mix(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        for p in parameters {
            for b in p.name.utf8 { mix(b) }
            mix(0)
            for d in p.shape { mix64(UInt64(bitPattern: Int64(d))) }
            for b in p.dtype.rawValue.utf8 { mix(b) }
            switch p.dtype {
            case .float32: _ = try? p.value.withScalars(Float.self) { for x in $0 { for i in 0..<4 { mix(UInt8(truncatingIfNeeded: x.bitPattern >> (8 * UInt32(i)))) } } }
            case .float64: _ = try? p.value.withScalars(Double.self) { for x in $0 { mix64(x.bitPattern) } }
            case .int64: _ = try? p.value.withScalars(Int64.self) { for x in $0 { mix64(UInt64(bitPattern: x)) } }
            }
        }
        value = h
    }

    /// Sixteen hex digits.
    public var description: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
