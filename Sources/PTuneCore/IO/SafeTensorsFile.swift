import Foundation

/// An indexed safetensors file: the header is parsed and validated up front, tensors are decoded one at a time on
/// request. Opened from a URL it memory-maps the file, so loading a few tensors of a large model file reads only those.
///
/// Validation follows the reference implementation: header length within the file and at most 100 MB, a JSON object
/// header, for each entry a known dtype, non-negative shape and offsets with `end − begin = count · element size`, and
/// byte ranges that tile the data section exactly (sorted, no gaps, no overlap, ending at the end of the file).
public struct SafeTensorsFile: Sendable {
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]
    /// Every entry, in data order.
    public let entries: [SafeTensorsEntry]
    private let index: [String: Int]
    private let data: Data
    private let dataStart: Int

    /// Opens and validates the file at `url` (through `files`' access check), memory-mapped unless `mapped` is
    /// false (then read into memory).
    public init(contentsOf url: URL, mapped: Bool = true, files: CheckedFiles = CheckedFiles()) throws {
        try self.init(path: url.path, mapped: mapped, files: files)
    }

    /// ``init(contentsOf:mapped:files:)`` for the file at `path` (relative paths as `files`' check resolves them).
    public init(path: String, mapped: Bool = true, files: CheckedFiles = CheckedFiles()) throws {
        let d: Data
        do {
            d = mapped ? try files.mappedData(path) : try files.contents(path, limit: .max)
        } catch let e as FileReadError {
            throw SafeTensorsError.unreadable(path: path, e.reason)
        }
        try self.init(data: d)
    }

    /// Validates an in-memory safetensors image.
    public init(data: Data) throws {
        self.data = data
        let total = data.count
        guard total >= 8 else { throw SafeTensorsError.truncated(bytes: total) }
        var n: UInt64 = 0
        data.withUnsafeBytes { raw in
            for i in 0..<8 { n |= UInt64(raw[i]) << (8 * UInt64(i)) }
        }
        guard n <= UInt64(SafeTensors.maxHeaderBytes), Int(n) <= total - 8 else {
            throw SafeTensorsError.badHeaderLength(declared: n, available: total - 8)
        }
        let headerLength = Int(n)
        dataStart = 8 + headerLength
        let header: JSONValue
        do {
            header = try data.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[8..<(8 + headerLength)])
                guard bytes.first == UInt8(ascii: "{") else { throw SafeTensorsError.invalidHeader("the header must start with '{'") }
                return try JSONValue.parse(bytes)
            }
        } catch let e as JSONError {
            throw SafeTensorsError.invalidHeader(e.description)
        }
        guard let members = header.objectValue else { throw SafeTensorsError.invalidHeader("the header is not a JSON object") }
        var meta: [String: String] = [:]
        var list: [SafeTensorsEntry] = []
        for (name, value) in members {
            if name == "__metadata__" {
                guard let m = value.objectValue else { throw SafeTensorsError.invalidHeader("__metadata__ must be an object of strings") }
                for (k, v) in m {
                    guard let s = v.stringValue else { throw SafeTensorsError.invalidHeader("__metadata__ value of '\(k)' is not a string") }
                    meta[k] = s
                }
                continue
            }
            list.append(try SafeTensorsFile.entry(name, value))
        }
        list.sort { a, b in
            a.byteRange.lowerBound != b.byteRange.lowerBound ? a.byteRange.lowerBound < b.byteRange.lowerBound
                : (a.byteRange.upperBound != b.byteRange.upperBound ? a.byteRange.upperBound < b.byteRange.upperBound : a.name < b.name)
        }
        var end = 0
        for e in list {
            guard e.byteRange.lowerBound == end else {
                throw SafeTensorsError.badLayout(e.byteRange.lowerBound < end
                    ? "'\(e.name)' overlaps the tensor before it" : "a gap before '\(e.name)' at byte \(end)")
            }
            end = e.byteRange.upperBound
        }
        guard end == total - dataStart else {
            throw SafeTensorsError.badLayout("the tensors cover \(end) bytes but the data section has \(total - dataStart)")
        }
        metadata = meta
        entries = list
        var idx: [String: Int] = [:]
        for (i, e) in list.enumerated() { idx[e.name] = i }
        index = idx
    }

    /// Parses and checks one header entry.
    private static func entry(_ name: String, _ value: JSONValue) throws -> SafeTensorsEntry {
        guard let o = value.objectValue else { throw SafeTensorsError.invalidEntry(name, "not an object") }
        guard let ds = o["dtype"]?.stringValue else { throw SafeTensorsError.invalidEntry(name, "missing string 'dtype'") }
        guard let dtype = SafeTensorsDType(rawValue: ds) else { throw SafeTensorsError.unknownDType(name, ds) }
        guard let shapeItems = o["shape"]?.arrayValue else { throw SafeTensorsError.invalidEntry(name, "missing array 'shape'") }
        var shape: [Int] = []
        var count = 1
        for item in shapeItems {
            guard case let .int(d) = item, d >= 0 else { throw SafeTensorsError.invalidEntry(name, "shape entries must be non-negative integers") }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw SafeTensorsError.invalidEntry(name, "shape \(Shape.describe(shape + [d])) is too large") }
            shape.append(d)
            count = p
        }
        guard let offsets = o["data_offsets"]?.arrayValue, offsets.count == 2,
              case let .int(begin) = offsets[0], case let .int(end) = offsets[1] else {
            throw SafeTensorsError.invalidEntry(name, "'data_offsets' must be [begin, end] integers")
        }
        guard begin >= 0, end >= begin else { throw SafeTensorsError.invalidEntry(name, "data_offsets [\(begin), \(end)] are not an increasing range") }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes == end - begin else {
            throw SafeTensorsError.invalidEntry(name, "shape \(Shape.describe(shape)) of \(ds) needs \(overflow ? "too many" : String(bytes)) bytes, data_offsets give \(end - begin)")
        }
        return SafeTensorsEntry(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    /// The tensor names, in data order.
    public var names: [String] { entries.map(\.name) }

    /// The entry of `name`, if present.
    public func entry(named name: String) -> SafeTensorsEntry? { index[name].map { entries[$0] } }

    /// Decodes the tensor `name` in its natural dtype (see ``SafeTensorsDType/tensorDType``).
    public func tensor(_ name: String) throws -> Tensor {
        guard let i = index[name] else { throw SafeTensorsError.missingTensor(name) }
        return try decode(entries[i])
    }

    /// Decodes the tensor `name` and converts it to `dtype`.
    public func tensor(_ name: String, as dtype: DType) throws -> Tensor {
        try tensor(name).to(dtype)
    }

    /// Decodes every tensor.
    public func tensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for e in entries { out[e.name] = try decode(e) }
        return out
    }

    private func decode(_ e: SafeTensorsEntry) throws -> Tensor {
        guard let dtype = e.dtype.tensorDType else { throw SafeTensorsError.unsupportedDType(e.name, e.dtype.rawValue) }
        let t = try Tensor(uninitialized: e.shape, dtype: dtype)
        let n = t.count
        try data.withUnsafeBytes { raw in
            let src = UnsafeRawBufferPointer(rebasing: raw[(dataStart + e.byteRange.lowerBound)..<(dataStart + e.byteRange.upperBound)])
            let dst = t.storage.pointer
            @inline(__always) func load<I: FixedWidthInteger>(_: I.Type, _ i: Int) -> I {
                I(littleEndian: src.loadUnaligned(fromByteOffset: i * MemoryLayout<I>.size, as: I.self))
            }
            switch e.dtype {
            case .f64, .f32, .i64:
                #if _endian(little)
                dst.copyMemory(from: src.baseAddress ?? UnsafeRawPointer(dst), byteCount: src.count)
                #else
                if e.dtype == .f32 {
                    let p = dst.assumingMemoryBound(to: UInt32.self); for i in 0..<n { p[i] = load(UInt32.self, i) }
                } else {
                    let p = dst.assumingMemoryBound(to: UInt64.self); for i in 0..<n { p[i] = load(UInt64.self, i) }
                }
                #endif
            case .f16:
                let p = dst.assumingMemoryBound(to: Float.self)
                for i in 0..<n { p[i] = HalfPrecision.float(fromHalf: load(UInt16.self, i)) }
            case .bf16:
                let p = dst.assumingMemoryBound(to: Float.self)
                for i in 0..<n { p[i] = HalfPrecision.float(fromBFloat: load(UInt16.self, i)) }
            case .i32:
                let p = dst.assumingMemoryBound(to: Int64.self); for i in 0..<n { p[i] = Int64(load(Int32.self, i)) }
            case .i16:
                let p = dst.assumingMemoryBound(to: Int64.self); for i in 0..<n { p[i] = Int64(load(Int16.self, i)) }
            case .i8:
                let p = dst.assumingMemoryBound(to: Int64.self); for i in 0..<n { p[i] = Int64(load(Int8.self, i)) }
            case .u8, .bool:
                let p = dst.assumingMemoryBound(to: Int64.self); for i in 0..<n { p[i] = Int64(load(UInt8.self, i)) }
            case .u16:
                let p = dst.assumingMemoryBound(to: Int64.self); for i in 0..<n { p[i] = Int64(load(UInt16.self, i)) }
            case .u32:
                let p = dst.assumingMemoryBound(to: Int64.self); for i in 0..<n { p[i] = Int64(load(UInt32.self, i)) }
            case .u64:
                let p = dst.assumingMemoryBound(to: Int64.self)
                for i in 0..<n {
                    let v = load(UInt64.self, i)
                    guard v <= UInt64(Int64.max) else { throw SafeTensorsError.valueOutOfRange(e.name) }
                    p[i] = Int64(v)
                }
            case .f8e4m3, .f8e5m2:
                throw SafeTensorsError.unsupportedDType(e.name, e.dtype.rawValue)
            }
        }
        return t
    }
}
