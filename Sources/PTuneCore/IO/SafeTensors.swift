import Foundation

/// The element types of the safetensors format, by their header names.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    /// float64
    case f64 = "F64"
    /// float32
    case f32 = "F32"
    /// IEEE binary16
    case f16 = "F16"
    /// bfloat16
    case bf16 = "BF16"
    /// int64
    case i64 = "I64"
    /// int32
    case i32 = "I32"
    /// int16
    case i16 = "I16"
    /// int8
    case i8 = "I8"
    /// uint8
    case u8 = "U8"
    /// uint16
    case u16 = "U16"
    /// uint32
    case u32 = "U32"
    /// uint64
    case u64 = "U64"
    /// bool (one byte each)
    case bool = "BOOL"
    /// float8 e4m3 (listed so such files index; not loadable)
    case f8e4m3 = "F8_E4M3"
    /// float8 e5m2 (listed so such files index; not loadable)
    case f8e5m2 = "F8_E5M2"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
        }
    }

    /// The tensor dtype this decodes to (floats of 32 bits or fewer to float32, integers and bools to int64), or nil
    /// when ptune cannot load it.
    public var tensorDType: DType? {
        switch self {
        case .f64: return .float64
        case .f32, .f16, .bf16: return .float32
        case .i64, .i32, .i16, .i8, .u8, .u16, .u32, .u64, .bool: return .int64
        case .f8e4m3, .f8e5m2: return nil
        }
    }

    /// The natural storage type of a tensor dtype.
    public static func storing(_ dtype: DType) -> SafeTensorsDType {
        switch dtype {
        case .float32: return .f32
        case .float64: return .f64
        case .int64: return .i64
        }
    }
}

/// One tensor's entry in a safetensors header.
public struct SafeTensorsEntry: Sendable, Equatable {
    /// The tensor's name.
    public let name: String
    /// The stored element type.
    public let dtype: SafeTensorsDType
    /// The shape.
    public let shape: [Int]
    /// The byte range within the data section (after the header).
    public let byteRange: Range<Int>
}

/// The safetensors codec: `[8-byte little-endian header length N][N bytes of JSON header][raw little-endian data]`,
/// the header mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the
/// data section) plus an optional `"__metadata__"` map of strings.
///
/// Reading loads F64, F32, F16, BF16, I64 (and the smaller integer types and BOOL, widened to int64); F16 and BF16
/// become float32. Writing stores each tensor in its own dtype, or every float tensor as `floatStorage` (F16, BF16,
/// F32 or F64). Use ``SafeTensorsFile`` to index a file and load tensors one at a time (memory-mapped).
public enum SafeTensors {
    /// The largest header accepted (as the reference implementation: 100 MB).
    public static let maxHeaderBytes = 100_000_000

    /// Every tensor in the file at `url`, opened through `files`' access check.
    public static func read(contentsOf url: URL, files: CheckedFiles = CheckedFiles()) throws -> [String: Tensor] {
        try read(path: url.path, files: files)
    }

    /// Every tensor in the file at `path` (relative paths as `files`' check resolves them).
    public static func read(path: String, files: CheckedFiles = CheckedFiles()) throws -> [String: Tensor] {
        try SafeTensorsFile(path: path, mapped: true, files: files).tensors()
    }

    /// Every tensor in an in-memory safetensors image.
    public static func decode(_ data: Data) throws -> [String: Tensor] {
        try SafeTensorsFile(data: data).tensors()
    }

    /// Writes `tensors` (and string `metadata`) to `url` atomically: temporary file, fsync, rename.
    public static func write(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:],
                             floatStorage: SafeTensorsDType? = nil) throws {
        try write(tensors, toPath: url.path, metadata: metadata, floatStorage: floatStorage)
    }

    /// Writes `tensors` to the file at `path` atomically, through `files`' access check.
    public static func write(_ tensors: [String: Tensor], toPath path: String, metadata: [String: String] = [:],
                             floatStorage: SafeTensorsDType? = nil, files: CheckedFiles = CheckedFiles()) throws {
        try files.write(try encode(tensors, metadata: metadata, floatStorage: floatStorage), to: path)
    }

    /// The safetensors image of `tensors`. Tensors are laid out largest element size first, then by name, so every
    /// tensor's data is aligned to its element size; the header is padded with spaces to a multiple of 8 bytes.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:],
                              floatStorage: SafeTensorsDType? = nil) throws -> Data {
        var plan: [(name: String, tensor: Tensor, stored: SafeTensorsDType)] = []
        for (name, t) in tensors {
            guard name != "__metadata__" else { throw SafeTensorsError.cannotStore(name, "the name is reserved") }
            var stored = SafeTensorsDType.storing(t.dtype)
            if let floatStorage, t.dtype.isFloatingPoint {
                switch floatStorage {
                case .f16, .bf16, .f32, .f64: stored = floatStorage
                case .i64, .i32, .i16, .i8, .u8, .u16, .u32, .u64, .bool, .f8e4m3, .f8e5m2:
                    throw SafeTensorsError.cannotStore(name, "float tensors can be stored as F16, BF16, F32 or F64, not \(floatStorage.rawValue)")
                }
            }
            plan.append((name, t, stored))
        }
        plan.sort { a, b in
            a.stored.byteSize != b.stored.byteSize ? a.stored.byteSize > b.stored.byteSize : a.name < b.name
        }
        var header: [String: JSONValue] = [:]
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var offset = 0
        for p in plan {
            let bytes = p.tensor.count * p.stored.byteSize
            header[p.name] = .object([
                "dtype": .string(p.stored.rawValue),
                "shape": .array(p.tensor.shape.map { .int($0) }),
                "data_offsets": .array([.int(offset), .int(offset + bytes)]),
            ])
            offset += bytes
        }
        var headerBytes = Array(JSONValue.object(header).serialized().utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for p in plan { try append(p.tensor, as: p.stored, to: &data) }
        return data
    }

    /// Appends the little-endian bytes of `t` stored as `stored`.
    private static func append(_ t: Tensor, as stored: SafeTensorsDType, to data: inout Data) throws {
        let natural = SafeTensorsDType.storing(t.dtype)
        if stored == natural {
            data.append(UnsafeBufferPointer(start: t.storage.pointer.assumingMemoryBound(to: UInt8.self), count: t.byteCount))
            return
        }
        let values = t.doubles
        var out = [UInt8]()
        out.reserveCapacity(values.count * stored.byteSize)
        func put<I: FixedWidthInteger>(_ v: I) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for v in values {
            switch stored {
            case .f64: put(v.bitPattern)
            case .f32: put(Float(v).bitPattern)
            case .f16: put(HalfPrecision.half(fromFloat: Float(v)))
            case .bf16: put(HalfPrecision.bfloat(fromFloat: Float(v)))
            case .i64, .i32, .i16, .i8, .u8, .u16, .u32, .u64, .bool, .f8e4m3, .f8e5m2:
                throw SafeTensorsError.cannotStore("tensor", "cannot convert \(t.dtype) to \(stored.rawValue)")
            }
        }
        data.append(contentsOf: out)
    }
}
