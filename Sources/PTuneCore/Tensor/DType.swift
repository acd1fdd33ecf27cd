import Foundation

/// The element type of a tensor.
///
/// `float32` is the default, as in every ML framework; `float64` serves gradient checks and exact reproduction of
/// float64 references; `int64` holds indices, labels and token ids (arithmetic on it is limited to what indices need).
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE-754 single precision.
    case float32
    /// IEEE-754 double precision.
    case float64
    /// 64-bit signed integers (indices, labels, token ids).
    case int64

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .float64, .int64: return 8
        }
    }

    /// Whether the type is a floating-point type (the only kind that can carry gradients).
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64: return true
        case .int64: return false
        }
    }

    /// The name as written in scripts and printed in diagnostics.
    public var description: String { rawValue }
}

/// A Swift scalar type that can be stored in a tensor.
public protocol TensorScalar: Numeric, Comparable, Sendable {
    /// The tensor dtype that stores this scalar.
    static var dtype: DType { get }
    /// Converts from a double (truncating toward zero for integers).
    init(fromDouble value: Double)
    /// The value as a double.
    var doubleValue: Double { get }
}

/// A floating-point scalar with the elementary functions the tensor ops need.
public protocol TensorFloat: TensorScalar, BinaryFloatingPoint {
    /// eˣ
    static func exp(_ x: Self) -> Self
    /// ln x
    static func log(_ x: Self) -> Self
    /// √x
    static func squareRoot(_ x: Self) -> Self
    /// tanh x
    static func tanh(_ x: Self) -> Self
    /// The error function erf x.
    static func erf(_ x: Self) -> Self
    /// xʸ
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: TensorFloat {
    public static var dtype: DType { .float32 }
    @inlinable public init(fromDouble value: Double) { self = Float(value) }
    @inlinable public var doubleValue: Double { Double(self) }
    @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inline(__always) public static func squareRoot(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inline(__always) public static func erf(_ x: Float) -> Float { Foundation.erff(x) }
    @inline(__always) public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
}

extension Double: TensorFloat {
    public static var dtype: DType { .float64 }
    @inlinable public init(fromDouble value: Double) { self = value }
    @inlinable public var doubleValue: Double { self }
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func squareRoot(_ x: Double) -> Double { x.squareRoot() }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}

extension Int64: TensorScalar {
    public static var dtype: DType { .int64 }
    public init(fromDouble value: Double) {
        // Saturate instead of trapping on values outside Int64's range (NaN becomes 0).
        if value.isNaN { self = 0 } else if value >= 9.2e18 { self = .max } else if value <= -9.2e18 { self = .min } else {
            self = Int64(value)
        }
    }
    public var doubleValue: Double { Double(self) }
}
