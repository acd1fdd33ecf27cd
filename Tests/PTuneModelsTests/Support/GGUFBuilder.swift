import Foundation
@testable import PTuneModels

/// Writes small GGUF files byte by byte for tests (and as fuzzing seeds): metadata of any type, tensors with raw
/// data already in their stored format.
struct GGUFBuilder {
    var version: UInt32 = 3
    var alignment = 32
    private var kv: [[UInt8]] = []
    private var kvCount = 0
    private var infos: [(name: String, dims: [UInt64], type: UInt32, data: [UInt8])] = []

    mutating func add(_ key: String, _ value: GGUFValue) {
        var b: [UInt8] = []
        GGUFBuilder.appendString(key, &b)
        GGUFBuilder.appendValue(value, &b)
        kv.append(b)
        kvCount += 1
    }

    /// Adds a raw key/value entry (any bytes after the key), for malformed files.
    mutating func addRaw(_ key: String, typeCode: UInt32, payload: [UInt8]) {
        var b: [UInt8] = []
        GGUFBuilder.appendString(key, &b)
        GGUFBuilder.append(typeCode, &b)
        b += payload
        kv.append(b)
        kvCount += 1
    }

    /// Adds a tensor; `dims` innermost first as GGUF stores them, `data` in the stored format.
    mutating func addTensor(_ name: String, dims: [UInt64], type: GGMLType, data: [UInt8]) {
        infos.append((name, dims, type.rawValue, data))
    }

    /// A float32 tensor with row-major `shape` and `values`.
    mutating func addF32(_ name: String, shape: [Int], _ values: [Float]) {
        var data: [UInt8] = []
        for v in values { GGUFBuilder.append(v.bitPattern, &data) }
        addTensor(name, dims: shape.reversed().map { UInt64($0) }, type: .f32, data: data)
    }

    /// The bytes of the file.
    func build() -> [UInt8] {
        var b = Array("GGUF".utf8)
        GGUFBuilder.append(version, &b)
        GGUFBuilder.append(UInt64(infos.count), &b)
        var kvBytes = kv
        var count = kvCount
        if alignment != 32 {
            var a: [UInt8] = []
            GGUFBuilder.appendString("general.alignment", &a)
            GGUFBuilder.appendValue(.uint32(UInt32(alignment)), &a)
            kvBytes.insert(a, at: 0)
            count += 1
        }
        GGUFBuilder.append(UInt64(count), &b)
        for e in kvBytes { b += e }
        var offset: UInt64 = 0
        var offsets: [UInt64] = []
        for t in infos {
            offsets.append(offset)
            offset += UInt64(t.data.count)
            offset = (offset + UInt64(alignment) - 1) / UInt64(alignment) * UInt64(alignment)
        }
        for (t, o) in zip(infos, offsets) {
            GGUFBuilder.appendString(t.name, &b)
            GGUFBuilder.append(UInt32(t.dims.count), &b)
            for d in t.dims { GGUFBuilder.append(d, &b) }
            GGUFBuilder.append(t.type, &b)
            GGUFBuilder.append(o, &b)
        }
        while b.count % alignment != 0 { b.append(0) }
        let base = b.count
        for (t, o) in zip(infos, offsets) {
            while b.count < base + Int(o) { b.append(0) }
            b += t.data
        }
        return b
    }

    static func append<T: FixedWidthInteger>(_ v: T, _ b: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { b += $0 }
    }

    static func appendString(_ s: String, _ b: inout [UInt8]) {
        append(UInt64(s.utf8.count), &b)
        b += Array(s.utf8)
    }

    static func typeCode(_ v: GGUFValue) -> UInt32 {
        switch v {
        case .uint8: return 0
        case .int8: return 1
        case .uint16: return 2
        case .int16: return 3
        case .uint32: return 4
        case .int32: return 5
        case .float32: return 6
        case .bool: return 7
        case .string: return 8
        case .array: return 9
        case .uint64: return 10
        case .int64: return 11
        case .float64: return 12
        }
    }

    static func appendValue(_ v: GGUFValue, _ b: inout [UInt8]) {
        append(typeCode(v), &b)
        appendPayload(v, &b)
    }

    static func appendPayload(_ v: GGUFValue, _ b: inout [UInt8]) {
        switch v {
        case let .uint8(x): append(x, &b)
        case let .int8(x): append(x, &b)
        case let .uint16(x): append(x, &b)
        case let .int16(x): append(x, &b)
        case let .uint32(x): append(x, &b)
        case let .int32(x): append(x, &b)
        case let .uint64(x): append(x, &b)
        case let .int64(x): append(x, &b)
        case let .float32(x): append(x.bitPattern, &b)
        case let .float64(x): append(x.bitPattern, &b)
        case let .bool(x): append(UInt8(x ? 1 : 0), &b)
        case let .string(s): appendString(s, &b)
        case let .array(a): appendArray(a, &b)
        }
    }

    static func appendArray(_ a: GGUFArray, _ b: inout [UInt8]) {
        func items(_ code: UInt32, _ values: [GGUFValue]) {
            append(code, &b)
            append(UInt64(values.count), &b)
            for v in values { appendPayload(v, &b) }
        }
        switch a {
        case let .uint8(x): items(0, x.map { .uint8($0) })
        case let .int8(x): items(1, x.map { .int8($0) })
        case let .uint16(x): items(2, x.map { .uint16($0) })
        case let .int16(x): items(3, x.map { .int16($0) })
        case let .uint32(x): items(4, x.map { .uint32($0) })
        case let .int32(x): items(5, x.map { .int32($0) })
        case let .float32(x): items(6, x.map { .float32($0) })
        case let .bool(x): items(7, x.map { .bool($0) })
        case let .string(x): items(8, x.map { .string($0) })
        case let .arrays(x): items(9, x.map { .array($0) })
        case let .uint64(x): items(10, x.map { .uint64($0) })
        case let .int64(x): items(11, x.map { .int64($0) })
        case let .float64(x): items(12, x.map { .float64($0) })
        }
    }
}

/// Where the downloaded models live (the same rule as the registry: `$PTUNE_HOME/models`, default
/// `~/.cache/ptune/models`), and whether each is there.
enum ModelFiles {
    static var home: String {
        if let h = ProcessInfo.processInfo.environment["PTUNE_HOME"], !h.isEmpty { return h }
        return NSHomeDirectory() + "/.cache/ptune"
    }
    static var smollm2: String { home + "/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf" }
    static var minilmDir: String { home + "/models/minilm-l6" }
    static var gemma3: String { home + "/models/gemma3-270m/gemma-3-270m-q4_k_m.gguf" }
    static var smollm2Present: Bool { FileManager.default.fileExists(atPath: smollm2) }
    static var gemma3Present: Bool { FileManager.default.fileExists(atPath: gemma3) }
    static var minilmPresent: Bool {
        ["model.safetensors", "vocab.txt", "config.json"].allSatisfy { FileManager.default.fileExists(atPath: minilmDir + "/" + $0) }
    }
    static let skipMessage = "model files absent: run scripts/fetch-models"
}

/// Test fixtures shipped in the bundle.
enum Fixture {
    static func url(_ name: String) throws -> URL {
        guard let u = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return u
    }
    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
}
