import PTuneCore

/// A GGUF file (v2/v3): its metadata, its tensor table, and access to each tensor's data, dequantized to float32 on
/// request.
///
/// The file is memory-mapped, not read: opening the 98 MB SmolLM2 file costs its metadata (the vocabulary) and no
/// more, and each ``tensor(named:)`` call converts one tensor, so the peak is the model being built plus one tensor.
/// Quantized data can also be used as stored (``withData(of:_:)``, ``rows(of:_:)``), which keeps a Q4_1 matrix at
/// 5 bits an element. Everything read from the file is bounds-checked when it is opened: a truncated, corrupt or
/// hostile file is a ``GGUFError`` naming the byte at fault.
public final class GGUFFile: Sendable {
    /// The file's path, or the label given to in-memory bytes.
    public let name: String
    /// The format version (2 or 3).
    public let version: UInt32
    /// The metadata keys in file order.
    public let metadataKeys: [String]
    /// The metadata values by key.
    public let metadata: [String: GGUFValue]
    /// The tensor table in file order.
    public let tensors: [GGUFTensorInfo]
    /// The data alignment (`general.alignment`, default 32).
    public let alignment: Int
    /// The offset of the data section from the start of the file.
    public let dataOffset: Int
    private let index: [String: Int]
    private let file: MappedFile

    /// Opens and checks the GGUF file at `path` (memory-mapped).
    public convenience init(path: String) throws {
        let mapped: MappedFile
        do { mapped = try MappedFile(path: path) } catch let e as FileReadError {
            throw GGUFError(file: path, offset: nil, .unreadable(e.description))
        }
        try self.init(mapped)
    }

    /// Parses GGUF bytes held in memory (`name` labels errors).
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(MappedFile(bytes: bytes, name: name))
    }

    /// Parses the bytes of `file`.
    public init(_ file: MappedFile) throws {
        let p = try GGUFFile.parse(file.bytes, file: file.name)
        self.file = file
        name = file.name
        version = p.version
        metadataKeys = p.keys
        metadata = p.metadata
        tensors = p.tensors
        alignment = p.alignment
        dataOffset = p.dataOffset
        var index: [String: Int] = [:]
        for (i, t) in p.tensors.enumerated() { index[t.name] = i }
        self.index = index
    }

    /// The size of the file in bytes.
    public var fileSize: Int { file.count }

    /// The table entry of the tensor called `name`, or a ``GGUFError`` naming it.
    public func tensorInfo(named name: String) throws -> GGUFTensorInfo {
        guard let i = index[name] else { throw GGUFError(file: self.name, offset: nil, .missingTensor(name)) }
        return tensors[i]
    }

    /// Whether the file holds a tensor called `name`.
    public func hasTensor(named name: String) -> Bool { index[name] != nil }

    /// Calls `body` with the tensor's stored bytes (valid only inside `body`), e.g. to keep Q4_1 blocks as they are.
    public func withData<R>(of info: GGUFTensorInfo, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let i = index[info.name], tensors[i] == info else {
            throw GGUFError(file: name, offset: nil, .missingTensor(info.name))
        }
        return try body(UnsafeRawBufferPointer(start: file.base + info.fileOffset, count: info.byteCount))
    }

    /// The tensor called `name` as a float32 tensor of its row-major shape (GGUF dims reversed), dequantized. The
    /// file pages it was read from are given back once it is converted (``MappedFile/release(_:)``), so loading a
    /// model holds its float32 weights, not those and the file too.
    public func tensor(named name: String) throws -> Tensor {
        let info = try tensorInfo(named: name)
        _ = try format(of: info)
        var t = try Tensor.zeros(info.shape, dtype: .float32)
        let src = UnsafeRawBufferPointer(start: file.base + info.fileOffset, count: info.byteCount)
        try t.withMutableScalars(Float.self) { dst in try info.type.dequantize(src, into: dst) }
        file.release(info.fileOffset..<(info.fileOffset + info.byteCount))
        return t
    }

    /// The tensor called `name` as a frozen `[rows, rowLength]` matrix: its blocks copied as they are stored (F16,
    /// BF16 and every quantized format) under ``WeightStorage/stored``, float32 values for F32 tensors and under
    /// ``WeightStorage/float32``. The copy does not depend on the file staying mapped.
    public func matrix(named name: String, storage: WeightStorage) throws -> FrozenMatrix {
        let info = try tensorInfo(named: name)
        let format = try format(of: info)
        if storage == .float32 || format == .f32 || format == .f64 {
            return .dense(try tensor(named: name).reshaped([info.rowCount, info.rowLength]))
        }
        let src = UnsafeRawBufferPointer(start: file.base + info.fileOffset, count: info.byteCount)
        return .quantized(try QuantizedMatrix(format: format, rows: info.rowCount, columns: info.rowLength, bytes: src))
    }

    /// The block format of a tensor's type, or an error naming the tensor and its type when ptune cannot convert it.
    public func format(of info: GGUFTensorInfo) throws -> BlockFormat {
        guard let format = info.type.blockFormat else {
            throw GGUFError(file: name, offset: info.fileOffset, .unsupportedTensorType(tensor: info.name, type: info.type.description))
        }
        return format
    }

    /// The tensor called `name`, which must have the row-major shape `shape`.
    public func tensor(named name: String, shape: [Int]) throws -> Tensor {
        let info = try tensorInfo(named: name)
        guard info.shape == shape else {
            throw GGUFError(file: self.name, offset: nil, .unexpectedShape(tensor: name, expected: shape, found: info.shape))
        }
        return try tensor(named: name)
    }

    /// Rows of the tensor called `name` (its last row-major axis is the row), dequantized into a `[rows.count,
    /// rowLength]` float32 tensor: an embedding lookup that never converts the whole table.
    public func rows(of name: String, _ rows: [Int]) throws -> Tensor {
        let info = try tensorInfo(named: name)
        let format = try format(of: info)
        let n = info.rowCount, len = info.rowLength, rowBytes = info.rowBytes
        for r in rows where r < 0 || r >= n { throw GGUFError(file: self.name, offset: nil, .rowOutOfRange(tensor: name, row: r, rows: n)) }
        var t = try Tensor.zeros([rows.count, len], dtype: .float32)
        try t.withMutableScalars(Float.self) { dst in
            guard let d = dst.baseAddress else { return }
            for (k, r) in rows.enumerated() {
                format.decodeBlocks(file.base + info.fileOffset + r * rowBytes, d + k * len, len / format.elements)
            }
        }
        return t
    }
}
