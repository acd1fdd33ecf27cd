import Foundation
import Testing
import PTuneCore

/// The safetensors codec: round trips of every dtype, the lazy index, and rejection of malformed files.
@Suite struct SafeTensorsTests {
    func sample() throws -> [String: Tensor] {
        var g = Generator(seed: 11)
        return [
            "a.weight": try Tensor.randn([3, 4], using: &g),
            "b": try Tensor.randn([5], dtype: .float64, using: &g),
            "ids": try Tensor(shape: [2, 3], scalars: [Int64(0), -1, Int64.max, Int64.min, 7, 42]),
            "scalar": try Tensor(scalar: 2.5, dtype: .float64),
            "empty": try Tensor.zeros([0, 3]),
        ]
    }

    @Test func roundTripKeepsEveryBit() throws {
        let tensors = try sample()
        let data = try SafeTensors.encode(tensors, metadata: ["format": "pt", "note": "ünïcode ✓"])
        let file = try SafeTensorsFile(data: data)
        #expect(file.metadata == ["format": "pt", "note": "ünïcode ✓"])
        #expect(Set(file.names) == Set(tensors.keys))
        for (name, t) in tensors {
            let back = try file.tensor(name)
            #expect(back.shape == t.shape && back.dtype == t.dtype, "\(name)")
            switch t.dtype {
            case .float32: #expect(try back.scalars(as: Float.self).map(\.bitPattern) == t.scalars(as: Float.self).map(\.bitPattern))
            case .float64: #expect(try back.scalars(as: Double.self).map(\.bitPattern) == t.scalars(as: Double.self).map(\.bitPattern))
            case .int64: #expect(try back.scalars(as: Int64.self) == t.scalars(as: Int64.self))
            }
        }
        // Data starts 8-byte aligned and every tensor is aligned to its element size.
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + n) % 8 == 0)
        for e in file.entries { #expect(e.byteRange.lowerBound % e.dtype.byteSize == 0) }
    }

    @Test func halfPrecisionStorage() throws {
        let values: [Double] = [0, -0.0, 1, -2.5, 65504, 1e-7, 3.14159, -1e4, 6.1e-5]
        let t = try Tensor(shape: [values.count], values: values, dtype: .float64)
        for storage in [SafeTensorsDType.f16, .bf16] {
            let file = try SafeTensorsFile(data: SafeTensors.encode(["x": t], floatStorage: storage))
            #expect(file.entry(named: "x")?.dtype == storage)
            let back = try file.tensor("x")
            #expect(back.dtype == .float32)
            for (a, b) in zip(back.doubles, values) {
                let tolerance = storage == .f16 ? (Swift.abs(b) < 6.2e-5 ? 1e-7 : Swift.abs(b) * 1e-3) : Swift.abs(b) * 8e-3
                #expect(Swift.abs(a - b) <= tolerance, "\(storage) \(b) → \(a)")
            }
        }
        // Exact conversions on bit patterns.
        #expect(HalfPrecision.half(fromFloat: 1) == 0x3C00)
        #expect(HalfPrecision.half(fromFloat: 65520) == 0x7C00, "rounds up to infinity")
        #expect(HalfPrecision.float(fromHalf: 0x0001) == 0x1p-24, "smallest subnormal")
        #expect(HalfPrecision.float(fromHalf: 0x7E00).isNaN)
        #expect(HalfPrecision.bfloat(fromFloat: 1.00390625) == 0x3F80, "ties to even")
        for bits in stride(from: UInt16(0), to: 0x7C00, by: 7) {
            #expect(HalfPrecision.half(fromFloat: HalfPrecision.float(fromHalf: bits)) == bits)
        }
    }

    @Test func fileRoundTripIsAtomicAndLazy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try SafeTensors.write(try sample(), to: url)
        try SafeTensors.write(["only": try Tensor.ones([2])], to: url)  // replaces the file
        #expect(try SafeTensors.read(contentsOf: url).keys.sorted() == ["only"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.safetensors"], "no temporary file left")
        let lazy = try SafeTensorsFile(contentsOf: url)
        #expect(try lazy.tensor("only", as: .float64).doubles == [1, 1])
        #expect(throws: SafeTensorsError.missingTensor("nope")) { try lazy.tensor("nope") }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: dir.appendingPathComponent("missing")) }
        #expect(throws: FileWriteError.self) { try SafeTensors.write([:], to: dir.appendingPathComponent("no/such/dir/x")) }
    }

    /// A file with the given header text and `dataBytes` bytes of data.
    func file(_ header: String, dataBytes: Int = 0) -> Data {
        var d = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        d.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
        return d
    }

    @Test func malformedInputIsATypedError() throws {
        func rejects(_ data: Data, _ why: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(throws: SafeTensorsError.self, "\(why)", sourceLocation: sourceLocation) { try SafeTensorsFile(data: data) }
        }
        rejects(Data([1, 2, 3]), "shorter than the length field")
        rejects(Data([255, 255, 255, 255, 255, 255, 255, 255]), "header length beyond the file")
        rejects(file("{\"a\":1"), "truncated JSON")
        rejects(file("[1,2]"), "header is not an object")
        rejects(file("  {}"), "header must start with '{'")
        rejects(file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 4), "data shorter than offsets")
        rejects(file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 12), "trailing bytes")
        rejects(file(#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataBytes: 8), "shape does not match the byte count")
        rejects(file(#"{"x":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 8), "unknown dtype")
        rejects(file(#"{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, dataBytes: 8), "negative extent")
        rejects(file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, dataBytes: 8), "decreasing offsets")
        rejects(file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, dataBytes: 8), "one offset")
        rejects(file(#"{"x":{"dtype":"F32","shape":[2]}}"#, dataBytes: 8), "no offsets")
        rejects(file(#"{"x":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, dataBytes: 8), "element count overflow")
        rejects(file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataBytes: 12), "overlap")
        rejects(file(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8), "gap at the start")
        rejects(file(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8), "duplicate name")
        rejects(file(#"{"__metadata__":{"a":1}}"#), "non-string metadata")
        rejects(file(#"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, dataBytes: 4), "fractional extent")
        // A known but unloadable dtype indexes, and loading it is a typed error.
        let f8 = try SafeTensorsFile(data: file(#"{"x":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, dataBytes: 2))
        #expect(throws: SafeTensorsError.unsupportedDType("x", "F8_E4M3")) { try f8.tensor("x") }
        let u64 = try SafeTensorsFile(data: file(#"{"x":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}}"#, dataBytes: 0) + Data([255, 255, 255, 255, 255, 255, 255, 255]))
        #expect(throws: SafeTensorsError.valueOutOfRange("x")) { try u64.tensor("x") }
    }

    @Test func smallIntegerTypesWiden() throws {
        var data = file(#"{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U16","shape":[1],"data_offsets":[2,4]},"c":{"dtype":"BOOL","shape":[2],"data_offsets":[4,6]},"d":{"dtype":"I32","shape":[1],"data_offsets":[6,10]}}"#)
        data.append(contentsOf: [0xFF, 0x05, 0xFF, 0xFF, 1, 0, 0xFE, 0xFF, 0xFF, 0xFF])
        let f = try SafeTensorsFile(data: data)
        #expect(try f.tensor("a").ints == [-1, 5])
        #expect(try f.tensor("b").ints == [65535])
        #expect(try f.tensor("c").ints == [1, 0])
        #expect(try f.tensor("d").ints == [-2])
    }

    /// Random corruptions of a valid file either load or fail with an error: never a trap.
    @Test func corruptedFilesNeverTrap() throws {
        let valid = try SafeTensors.encode(try sample(), metadata: ["k": "v"])
        var g = Generator(seed: 5)
        var rejected = 0
        for round in 0..<600 {
            var d = [UInt8](valid)
            switch round % 4 {
            case 0: for _ in 0..<(1 + g.nextInt(in: 0..<4)) { d[g.nextInt(in: 0..<d.count)] = UInt8(g.nextInt(in: 0..<256)) }
            case 1: d = Array(d.prefix(g.nextInt(in: 0..<d.count)))
            case 2: let i = 8 + g.nextInt(in: 0..<200); if i < d.count { d[i] = [UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "}")][g.nextInt(in: 0..<4)] }
            default: for i in 0..<8 { d[i] = UInt8(g.nextInt(in: 0..<256)) }
            }
            do { _ = try SafeTensorsFile(data: Data(d)).tensors() } catch { rejected += 1 }
        }
        #expect(rejected > 100)
    }
}

/// The strict JSON reader and writer.
@Suite struct JSONTests {
    @Test func parsesAndSerialisesRoundTrip() throws {
        let text = #"{"a":[1,-2,3.5,1e-3,true,false,null],"b":"x\"y\\z\n\u00e9\ud83d\ude00","c":{},"d":[],"e":9007199254740993}"#
        let v = try JSONValue.parse(text)
        #expect(v["a"]?.arrayValue?.count == 7)
        #expect(v["a"]?.arrayValue?[3].doubleValue == 0.001)
        #expect(v["b"]?.stringValue == "x\"y\\z\né😀")
        #expect(v["e"]?.intValue == 9_007_199_254_740_993, "integers stay exact")
        #expect(try JSONValue.parse(v.serialized()) == v)
        #expect(try JSONValue.parse(v.serialized(indent: 2)) == v)
        #expect(JSONValue.object(["b": .int(1), "a": .double(0.1)]).serialized() == #"{"a":0.1,"b":1}"#)
    }

    @Test func rejectsMalformedDocuments() {
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"\\x\"", "\"\u{01}\"", "tru", "{\"a\" 1}",
                    "[1 2]", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "1 2", "nan", String(repeating: "[", count: 200)] {
            #expect(throws: JSONError.self, "\(bad.prefix(20))") { try JSONValue.parse(bad) }
        }
    }
}
