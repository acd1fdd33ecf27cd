/// A bounds-checked little-endian reader over a file's bytes: every read checks what is left first and throws a
/// located ``GGUFError`` when the file ends early.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let file: String
    /// The next byte to read.
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Bytes not read yet.
    var remaining: Int { Swift.max(0, bytes.count - offset) }

    func error(_ problem: GGUFError.Problem, at place: Int? = nil) -> GGUFError {
        GGUFError(file: file, offset: place ?? offset, problem)
    }

    /// Throws unless `n` more bytes exist.
    func need(_ n: UInt64, _ what: String) throws {
        guard n <= UInt64(remaining) else { throw error(.truncated(what: what, needed: n, available: remaining)) }
    }

    /// Reads a fixed-size little-endian integer.
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(UInt64(MemoryLayout<T>.size), what)
        guard let base = bytes.baseAddress else { throw error(.truncated(what: what, needed: UInt64(MemoryLayout<T>.size), available: 0)) }
        let v = T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return v
    }

    /// Reads a length-prefixed (uint64) UTF-8 string; invalid UTF-8 is repaired with U+FFFD, never trusted.
    mutating func readString(_ what: String) throws -> String {
        let start = offset
        let n = try read(UInt64.self, "the length of \(what)")
        guard n <= UInt64(remaining) else {
            throw error(.truncated(what: what, needed: n, available: remaining), at: start)
        }
        let len = Int(n)
        guard len > 0, let base = bytes.baseAddress else { return "" }
        let s = String(decoding: UnsafeRawBufferPointer(start: base + offset, count: len), as: UTF8.self)
        offset += len
        return s
    }

    /// Reads `count` fixed-size integers into an array (the count was checked against the bytes left).
    mutating func readArray<T: FixedWidthInteger>(_: T.Type, count: Int, _ what: String) throws -> [T] {
        let size = MemoryLayout<T>.size
        try need(UInt64(count) * UInt64(size), what)
        guard count > 0, let base = bytes.baseAddress else { return [] }
        let start = offset
        let out = [T](unsafeUninitializedCapacity: count) { buf, initialized in
            for i in 0..<count { buf[i] = T(littleEndian: base.loadUnaligned(fromByteOffset: start + i * size, as: T.self)) }
            initialized = count
        }
        offset += count * size
        return out
    }

    /// Moves to the next multiple of `alignment` (a power of two), which may lie past the end.
    mutating func align(to alignment: Int) {
        let (padded, overflow) = offset.addingReportingOverflow(alignment - 1)
        offset = overflow ? Int.max & ~(alignment - 1) : padded & ~(alignment - 1)
    }
}
