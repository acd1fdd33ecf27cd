/// The type codes of GGUF metadata values.
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    /// The codes as the GGUF specification numbers them.
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7, string = 8,
         array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The fewest bytes one value of this type takes in a file (a string's length prefix, an array's header): used to
    /// reject counts that cannot fit before allocating anything for them.
    var minimumBytes: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

/// One GGUF metadata value.
public enum GGUFValue: Sendable, Equatable {
    /// An integer of the stored width and signedness.
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32), uint64(UInt64), int64(Int64)
    /// A float, a boolean or a UTF-8 string (invalid UTF-8 repaired with U+FFFD).
    case float32(Float), float64(Double), bool(Bool), string(String)
    /// An array of values of one type.
    case array(GGUFArray)

    /// The GGUF type name (`"uint32"`, `"string"`, `"array of string"`…), for diagnostics.
    public var typeName: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float32: return "float32"
        case .float64: return "float64"
        case .bool: return "bool"
        case .string: return "string"
        case let .array(a): return "array of \(a.elementTypeName)"
        }
    }

    /// The value as an `Int`, for every integer type whose value fits.
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return v <= UInt64(Int.max) ? Int(v) : nil
        case let .int64(v): return Int(v)
        case .float32, .float64, .bool, .string, .array: return nil
        }
    }

    /// The value as a `Double`, for the float and integer types.
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        case let .uint64(v): return Double(v)
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .int64: return int.map(Double.init)
        case .bool, .string, .array: return nil
        }
    }

    /// The value of a `bool`.
    public var bool: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    /// The value of a `string`.
    public var string: String? { if case let .string(s) = self { return s } else { return nil } }
    /// The elements of an array.
    public var array: GGUFArray? { if case let .array(a) = self { return a } else { return nil } }
}

/// A GGUF metadata array, stored with its elements' Swift type (a 49,152-entry vocabulary stays one `[String]`).
public indirect enum GGUFArray: Sendable, Equatable {
    /// The elements of one scalar type, as a Swift array of that type.
    case uint8([UInt8]), int8([Int8]), uint16([UInt16]), int16([Int16]), uint32([UInt32]), int32([Int32])
    case uint64([UInt64]), int64([Int64]), float32([Float]), float64([Double]), bool([Bool]), string([String])
    /// An array of arrays.
    case arrays([GGUFArray])

    /// The number of elements.
    public var count: Int {
        switch self {
        case let .uint8(a): return a.count
        case let .int8(a): return a.count
        case let .uint16(a): return a.count
        case let .int16(a): return a.count
        case let .uint32(a): return a.count
        case let .int32(a): return a.count
        case let .uint64(a): return a.count
        case let .int64(a): return a.count
        case let .float32(a): return a.count
        case let .float64(a): return a.count
        case let .bool(a): return a.count
        case let .string(a): return a.count
        case let .arrays(a): return a.count
        }
    }

    /// The element type's GGUF name.
    public var elementTypeName: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float32: return "float32"
        case .float64: return "float64"
        case .bool: return "bool"
        case .string: return "string"
        case .arrays: return "array"
        }
    }

    /// The elements of a string array.
    public var strings: [String]? { if case let .string(a) = self { return a } else { return nil } }

    /// The elements as `Int`s, for every integer element type whose values all fit.
    public var ints: [Int]? {
        switch self {
        case let .uint8(a): return a.map(Int.init)
        case let .int8(a): return a.map(Int.init)
        case let .uint16(a): return a.map(Int.init)
        case let .int16(a): return a.map(Int.init)
        case let .uint32(a): return a.map(Int.init)
        case let .int32(a): return a.map(Int.init)
        case let .int64(a): return a.map(Int.init)
        case let .uint64(a):
            guard a.allSatisfy({ $0 <= UInt64(Int.max) }) else { return nil }
            return a.map(Int.init)
        case .float32, .float64, .bool, .string, .arrays: return nil
        }
    }

    /// The elements as `Double`s, for float element types.
    public var doubles: [Double]? {
        switch self {
        case let .float32(a): return a.map(Double.init)
        case let .float64(a): return a
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .uint64, .int64, .bool, .string, .arrays: return nil
        }
    }

    /// The elements of a bool array.
    public var bools: [Bool]? { if case let .bool(a) = self { return a } else { return nil } }
}
