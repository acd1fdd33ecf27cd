/// Parsing of the GGUF layout (v2 and v3, little-endian):
///
/// ```
/// header   "GGUF" · version u32 · tensor_count u64 · kv_count u64
/// kv       key (u64 length + UTF-8) · value_type u32 · value        (kv_count times)
/// tensors  name · n_dims u32 · dims u64[n_dims] · type u32 · offset u64   (tensor_count times)
/// padding  to general.alignment (default 32)
/// data     each tensor at data_start + offset
/// ```
/// Every count is checked against the bytes left before anything is allocated for it, so a hostile count is an
/// error and never a huge allocation.
extension GGUFFile {
    /// The most levels of arrays inside arrays accepted.
    static let maxNesting = 4
    /// The most dimensions a tensor may have (ggml has 4; a little slack for future files).
    static let maxDims = 8

    struct Parsed {
        var version: UInt32
        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        var tensors: [GGUFTensorInfo] = []
        var alignment = 32
        var dataOffset = 0
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Parsed {
        var c = GGUFCursor(bytes, file: file)
        guard bytes.count >= 4 else {
            throw c.error(.truncated(what: "the magic 'GGUF'", needed: 4, available: bytes.count))
        }
        let magic = Array(bytes[0..<4])
        guard magic == Array("GGUF".utf8) else { throw c.error(.notGGUF(magic: magic), at: 0) }
        _ = try c.read(UInt32.self, "the magic")
        let versionAt = c.offset
        let version = try c.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else { throw c.error(.unsupportedVersion(version), at: versionAt) }
        var p = Parsed(version: version)

        let tensorCountAt = c.offset
        let tensorCount = try c.read(UInt64.self, "the tensor count")
        let kvCountAt = c.offset
        let kvCount = try c.read(UInt64.self, "the metadata count")
        // A key-value pair takes at least 13 bytes, a tensor entry at least 24.
        guard kvCount <= UInt64(c.remaining / 13) else { throw c.error(.countTooLarge(what: "metadata", count: kvCount), at: kvCountAt) }
        guard tensorCount <= UInt64(c.remaining / 24) else {
            throw c.error(.countTooLarge(what: "tensor", count: tensorCount), at: tensorCountAt)
        }

        for _ in 0..<Int(kvCount) {
            let keyAt = c.offset
            let key = try c.readString("a metadata key")
            let typeAt = c.offset
            let code = try c.read(UInt32.self, "the type of '\(key)'")
            guard let type = GGUFValueType(rawValue: code) else { throw c.error(.unknownValueType(code), at: typeAt) }
            let value = try readValue(type, &c, key: key, depth: 0)
            guard p.metadata.updateValue(value, forKey: key) == nil else { throw c.error(.duplicateKey(key), at: keyAt) }
            p.keys.append(key)
        }

        if let a = p.metadata["general.alignment"] {
            guard let n = a.int else { throw c.error(.invalidAlignment("expected an integer, found \(a.typeName)"), at: nil) }
            guard n > 0, n & (n - 1) == 0, n <= 1 << 20 else { throw c.error(.invalidAlignment("\(n) is not a power of two up to 2^20")) }
            p.alignment = n
        }

        var names = Set<String>()
        var raw: [(name: String, dims: [UInt64], type: GGMLType, offset: UInt64, at: Int)] = []
        raw.reserveCapacity(Int(tensorCount))
        for _ in 0..<Int(tensorCount) {
            let at = c.offset
            let name = try c.readString("a tensor name")
            guard names.insert(name).inserted else { throw c.error(.duplicateTensor(name), at: at) }
            let nDims = try c.read(UInt32.self, "the rank of '\(name)'")
            guard nDims <= UInt32(maxDims) else {
                throw c.error(.invalidDimensions(tensor: name, dims: [], reason: "\(nDims) dimensions (at most \(maxDims))"))
            }
            let dims = try c.readArray(UInt64.self, count: Int(nDims), "the dimensions of '\(name)'")
            let typeAt = c.offset
            let code = try c.read(UInt32.self, "the type of '\(name)'")
            guard let type = GGMLType(rawValue: code) else { throw c.error(.unknownTensorType(tensor: name, code: code), at: typeAt) }
            let offset = try c.read(UInt64.self, "the data offset of '\(name)'")
            raw.append((name, dims, type, offset, at))
        }
        c.align(to: p.alignment)
        p.dataOffset = c.offset

        for t in raw {
            p.tensors.append(try checkTensor(t.name, t.dims, t.type, t.offset, at: t.at, parsed: p, fileSize: bytes.count, file: file))
        }
        return p
    }

    /// Validates one tensor-table entry against the file and returns it with its sizes.
    private static func checkTensor(_ name: String, _ dims: [UInt64], _ type: GGMLType, _ offset: UInt64, at: Int,
                                    parsed p: Parsed, fileSize: Int, file: String) throws -> GGUFTensorInfo {
        func fail(_ problem: GGUFError.Problem) -> GGUFError { GGUFError(file: file, offset: at, problem) }
        var count = 1
        for d in dims {
            guard d <= UInt64(Int.max) else { throw fail(.invalidDimensions(tensor: name, dims: dims, reason: "dimension too large")) }
            let (n, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow else { throw fail(.invalidDimensions(tensor: name, dims: dims, reason: "element count overflows")) }
            count = n
        }
        let inner = Int(dims.first ?? 1)
        guard inner % type.blockSize == 0 else {
            throw fail(.invalidDimensions(tensor: name, dims: dims, reason: "the first dimension is not a multiple of the \(type) block size \(type.blockSize)"))
        }
        guard let bytes = type.byteCount(elements: count) else {
            throw fail(.invalidDimensions(tensor: name, dims: dims, reason: "byte size overflows"))
        }
        guard offset % UInt64(p.alignment) == 0 else {
            throw fail(.misalignedTensor(tensor: name, offset: offset, alignment: p.alignment))
        }
        let start = UInt64(p.dataOffset).addingReportingOverflow(offset)
        let end = start.partialValue.addingReportingOverflow(UInt64(bytes))
        guard !start.overflow, !end.overflow, end.partialValue <= UInt64(fileSize) else {
            let s = start.overflow ? UInt64.max : start.partialValue
            let e = (start.overflow || end.overflow) ? UInt64.max : end.partialValue
            throw fail(.tensorOutOfBounds(tensor: name, start: s, end: e, fileSize: fileSize))
        }
        return GGUFTensorInfo(name: name, dims: dims.map { Int($0) }, type: type, offset: Int(offset),
                              fileOffset: Int(start.partialValue), elementCount: count, byteCount: bytes)
    }

    /// Reads one metadata value of `type`.
    private static func readValue(_ type: GGUFValueType, _ c: inout GGUFCursor, key: String, depth: Int) throws -> GGUFValue {
        let what = "the value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try c.read(UInt8.self, what))
        case .int8: return .int8(try c.read(Int8.self, what))
        case .uint16: return .uint16(try c.read(UInt16.self, what))
        case .int16: return .int16(try c.read(Int16.self, what))
        case .uint32: return .uint32(try c.read(UInt32.self, what))
        case .int32: return .int32(try c.read(Int32.self, what))
        case .uint64: return .uint64(try c.read(UInt64.self, what))
        case .int64: return .int64(try c.read(Int64.self, what))
        case .float32: return .float32(Float(bitPattern: try c.read(UInt32.self, what)))
        case .float64: return .float64(Double(bitPattern: try c.read(UInt64.self, what)))
        case .bool: return .bool(try c.read(UInt8.self, what) != 0)
        case .string: return .string(try c.readString(what))
        case .array: return .array(try readArray(&c, key: key, depth: depth + 1))
        }
    }

    /// Reads an array header (element type, count) and its elements.
    private static func readArray(_ c: inout GGUFCursor, key: String, depth: Int) throws -> GGUFArray {
        guard depth <= maxNesting else { throw c.error(.nestingTooDeep(limit: maxNesting)) }
        let typeAt = c.offset
        let code = try c.read(UInt32.self, "the element type of '\(key)'")
        guard let type = GGUFValueType(rawValue: code) else { throw c.error(.unknownValueType(code), at: typeAt) }
        let countAt = c.offset
        let count64 = try c.read(UInt64.self, "the length of '\(key)'")
        guard count64 <= UInt64(c.remaining / type.minimumBytes) else {
            throw c.error(.countTooLarge(what: "array '\(key)'", count: count64), at: countAt)
        }
        let n = Int(count64)
        let what = "the elements of '\(key)'"
        switch type {
        case .uint8: return .uint8(try c.readArray(UInt8.self, count: n, what))
        case .int8: return .int8(try c.readArray(Int8.self, count: n, what))
        case .uint16: return .uint16(try c.readArray(UInt16.self, count: n, what))
        case .int16: return .int16(try c.readArray(Int16.self, count: n, what))
        case .uint32: return .uint32(try c.readArray(UInt32.self, count: n, what))
        case .int32: return .int32(try c.readArray(Int32.self, count: n, what))
        case .uint64: return .uint64(try c.readArray(UInt64.self, count: n, what))
        case .int64: return .int64(try c.readArray(Int64.self, count: n, what))
        case .float32: return .float32(try c.readArray(UInt32.self, count: n, what).map { Float(bitPattern: $0) })
        case .float64: return .float64(try c.readArray(UInt64.self, count: n, what).map { Double(bitPattern: $0) })
        case .bool: return .bool(try c.readArray(UInt8.self, count: n, what).map { $0 != 0 })
        case .string:
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try c.readString(what)) }
            return .string(out)
        case .array:
            var out: [GGUFArray] = []
            for _ in 0..<n { out.append(try readArray(&c, key: key, depth: depth + 1)) }
            return .arrays(out)
        }
    }
}
