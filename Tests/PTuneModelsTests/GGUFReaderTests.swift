import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

@Suite("GGUF reader")
struct GGUFReaderTests {
    static func half(_ x: Float) -> [UInt8] {
        var b: [UInt8] = []
        GGUFBuilder.append(Float16(x).bitPattern, &b)
        return b
    }

    @Test("metadata of every value type, including nested arrays, reads back")
    func metadataRoundTrip() throws {
        let values: [(String, GGUFValue)] = [
            ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-30000)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("u64", .uint64(1 << 60)),
            ("i64", .int64(-(1 << 60))), ("f32", .float32(1.5)), ("f64", .float64(-2.25)), ("b", .bool(true)),
            ("s", .string("héllo ✓")), ("empty", .string("")),
            ("strings", .array(.string(["a", "Ġt", ""]))), ("ints", .array(.int32([1, -2, 3]))),
            ("floats", .array(.float32([0.5, -1]))), ("bools", .array(.bool([true, false]))),
            ("nested", .array(.arrays([.uint8([1, 2]), .string(["x"])]))), ("none", .array(.uint64([]))),
        ]
        var b = GGUFBuilder()
        for (k, v) in values { b.add(k, v) }
        let f = try GGUFFile(bytes: b.build())
        #expect(f.version == 3)
        #expect(f.metadataKeys == values.map(\.0))
        for (k, v) in values { #expect(f.metadata[k] == v, "key \(k)") }
        #expect(try f.int("u32") == 4_000_000_000)
        #expect(try f.double("f32") == 1.5)
        #expect(try f.strings("strings") == ["a", "Ġt", ""])
        #expect(try f.ints("ints") == [1, -2, 3])
        #expect(throws: GGUFError.self) { try f.string("u8") }
        #expect(throws: GGUFError.self) { try f.int("missing") }
        #expect(f.tensors.isEmpty)
    }

    @Test("F32, F16, Q8_0, Q4_0 and Q4_1 dequantize to the block formulas; dims are reversed to row-major")
    func dequantize() throws {
        var b = GGUFBuilder()
        b.addF32("f32", shape: [2, 3], [1, 2, 3, 4, 5, 6])
        b.addTensor("f16", dims: [4], type: .f16, data: [0.5, -2, 65504, 0].flatMap(GGUFReaderTests.half))
        // Q8_0: one block, d = 0.5, q = -16...15 → x = q/2
        let q8 = GGUFReaderTests.half(0.5) + (0..<32).map { UInt8(bitPattern: Int8($0 - 16)) }
        b.addTensor("q8", dims: [32], type: .q8_0, data: q8)
        // Q4_0: d = 2, byte j holds nibbles (lo = j % 16, hi = 15 - j % 16)
        let nibbles = (0..<16).map { UInt8($0 % 16) | (UInt8(15 - $0 % 16) << 4) }
        b.addTensor("q4_0", dims: [32], type: .q4_0, data: GGUFReaderTests.half(2) + nibbles)
        // Q4_1: two blocks (a [2, 32] matrix), d = 0.25, m = -1 then d = 1, m = 3
        let q41 = GGUFReaderTests.half(0.25) + GGUFReaderTests.half(-1) + nibbles + GGUFReaderTests.half(1) + GGUFReaderTests.half(3) + nibbles
        b.addTensor("q4_1", dims: [32, 2], type: .q4_1, data: q41)
        let f = try GGUFFile(bytes: b.build())

        let a = try f.tensor(named: "f32")
        #expect(a.shape == [2, 3])
        #expect(try a.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])
        #expect(try f.tensor(named: "f16").scalars(as: Float.self) == [0.5, -2, 65504, 0])
        #expect(try f.tensor(named: "q8").scalars(as: Float.self) == (0..<32).map { Float($0 - 16) / 2 })
        let lo = (0..<16).map { Float($0) }, hi = (0..<16).map { Float(15 - $0) }
        #expect(try f.tensor(named: "q4_0").scalars(as: Float.self) == (lo + hi).map { 2 * ($0 - 8) })
        let m = try f.tensor(named: "q4_1")
        #expect(m.shape == [2, 32])
        #expect(try m.scalars(as: Float.self) == (lo + hi).map { 0.25 * $0 - 1 } + (lo + hi).map { $0 + 3 })
        // Row access dequantizes only the rows asked for.
        #expect(try f.rows(of: "q4_1", [1, 0]).scalars(as: Float.self) == (lo + hi).map { $0 + 3 } + (lo + hi).map { 0.25 * $0 - 1 })
        #expect(throws: GGUFError.self) { try f.rows(of: "q4_1", [2]) }
        #expect(throws: GGUFError.self) { try f.tensor(named: "nope") }
        #expect(throws: GGUFError.self) { try f.tensor(named: "q4_1", shape: [32, 2]) }
        let info = try f.tensorInfo(named: "q4_1")
        #expect(info.dims == [32, 2] && info.rowBytes == 20 && info.byteCount == 40)
        #expect(try f.withData(of: info) { Array($0) } == q41)
    }

    @Test("a custom alignment places the data section and tensors on its multiples")
    func alignment() throws {
        var b = GGUFBuilder()
        b.alignment = 64
        b.add("general.name", .string("x"))
        b.addF32("a", shape: [3], [1, 2, 3])
        b.addF32("b", shape: [2], [4, 5])
        let f = try GGUFFile(bytes: b.build())
        #expect(f.alignment == 64 && f.dataOffset % 64 == 0)
        #expect(try f.tensorInfo(named: "b").offset == 64)
        #expect(try f.tensor(named: "b").scalars(as: Float.self) == [4, 5])
    }

    /// A small valid file with metadata and two tensors, the base of the corruption tests.
    static func sample() -> [UInt8] {
        var b = GGUFBuilder()
        b.add("general.architecture", .string("llama"))
        b.add("tokens", .array(.string(["a", "b", "ab"])))
        b.add("n", .uint32(7))
        b.addF32("w", shape: [2, 2], [1, 2, 3, 4])
        b.addTensor("q", dims: [32], type: .q8_0, data: half(1) + [UInt8](repeating: 3, count: 32))
        return b.build()
    }

    @Test("every truncation of a valid file is a located error, never a trap")
    func truncations() throws {
        let full = GGUFReaderTests.sample()
        _ = try GGUFFile(bytes: full)
        for n in 0..<full.count {
            #expect(throws: GGUFError.self, "prefix of \(n) bytes") { try GGUFFile(bytes: Array(full[0..<n])) }
        }
    }

    @Test("malformed headers, counts, types and tensor entries are typed errors")
    func malformed() throws {
        func problem(_ bytes: [UInt8]) -> GGUFError.Problem? {
            do { _ = try GGUFFile(bytes: bytes); return nil } catch let e as GGUFError { return e.problem } catch { return nil }
        }
        #expect(problem([]) == .truncated(what: "the magic 'GGUF'", needed: 4, available: 0))
        #expect(problem(Array("GGML".utf8) + [3, 0, 0, 0]) == .notGGUF(magic: Array("GGML".utf8)))
        var b = GGUFBuilder(); b.version = 4
        #expect(problem(b.build()) == .unsupportedVersion(4))
        // A count far larger than the file.
        var huge = Array("GGUF".utf8) + [3, 0, 0, 0]
        GGUFBuilder.append(UInt64(0), &huge); GGUFBuilder.append(UInt64.max, &huge)
        #expect(problem(huge) == .countTooLarge(what: "metadata", count: .max))
        var c = GGUFBuilder(); c.addRaw("k", typeCode: 99, payload: [])
        #expect(problem(c.build()) == .unknownValueType(99))
        var arr = GGUFBuilder(); var payload: [UInt8] = []
        GGUFBuilder.append(UInt32(8), &payload); GGUFBuilder.append(UInt64(1) << 62, &payload)
        arr.addRaw("a", typeCode: 9, payload: payload)
        #expect(problem(arr.build()) == .countTooLarge(what: "array 'a'", count: 1 << 62))
        var deep = GGUFBuilder(); var nested: [UInt8] = []
        for _ in 0..<10 { GGUFBuilder.append(UInt32(9), &nested); GGUFBuilder.append(UInt64(1), &nested) }
        deep.addRaw("d", typeCode: 9, payload: nested + [UInt8](repeating: 0, count: 200))
        #expect(problem(deep.build()) == .nestingTooDeep(limit: GGUFFile.maxNesting))
        var dup = GGUFBuilder(); dup.add("k", .bool(true)); dup.add("k", .bool(false))
        #expect(problem(dup.build()) == .duplicateKey("k"))
        var al = GGUFBuilder(); al.add("general.alignment", .uint32(24))
        #expect(problem(al.build()) == .invalidAlignment("24 is not a power of two up to 2^20"))
        var bt = GGUFBuilder(); bt.addTensor("t", dims: [4], type: .f32, data: [])
        bt.add("pad", .string(String(repeating: "x", count: 40)))
        if case .tensorOutOfBounds(tensor: "t", _, _, _)? = problem(bt.build()) {} else { Issue.record("expected out of bounds") }
        var blk = GGUFBuilder(); blk.addTensor("t", dims: [31], type: .q8_0, data: [UInt8](repeating: 0, count: 34))
        if case .invalidDimensions(tensor: "t", _, _)? = problem(blk.build()) {} else { Issue.record("expected invalid dimensions") }
        var ov = GGUFBuilder(); ov.addTensor("t", dims: [1 << 40, 1 << 40], type: .f32, data: [])
        if case .invalidDimensions(tensor: "t", _, _)? = problem(ov.build()) {} else { Issue.record("expected overflow") }
        var two = GGUFBuilder(); two.addF32("t", shape: [1], [1]); two.addF32("t", shape: [1], [2])
        #expect(problem(two.build()) == .duplicateTensor("t"))
        var unk = GGUFBuilder(); unk.addTensor("t", dims: [1], type: .f32, data: [0, 0, 0, 0])
        var bytes = unk.build()
        // Patch the tensor type code (after name, rank and one dim) to an unknown value.
        let at = 24 + 8 + 1 + 4 + 8
        bytes[at] = 77
        #expect(problem(bytes) == .unknownTensorType(tensor: "t", code: 77))
        let err = GGUFError(file: "m.gguf", offset: 12, .unknownValueType(99))
        #expect(err.description == "m.gguf: byte 12: unknown metadata value type 99")
    }

    @Test("random corruptions of a valid file parse or fail with a GGUFError")
    func corruptions() throws {
        let full = GGUFReaderTests.sample()
        var g = Generator(seed: 6)
        for _ in 0..<3000 {
            var bytes = full
            for _ in 0..<(1 + g.nextInt(in: 0..<4)) {
                let i = g.nextInt(in: 0..<bytes.count)
                bytes[i] = g.nextInt(in: 0..<4) == 0 ? 0xFF : UInt8(truncatingIfNeeded: g.next())
            }
            do {
                let f = try GGUFFile(bytes: bytes)
                for t in f.tensors { _ = try? f.tensor(named: t.name) }
            } catch is GGUFError {}
        }
    }

    @Test("a tensor type ptune cannot convert is an error naming the tensor and the type")
    func unsupportedType() throws {
        var b = GGUFBuilder()
        b.addTensor("blk.0.attn_q.weight", dims: [256, 1], type: .q8_K, data: [UInt8](repeating: 0, count: 292))
        b.addTensor("ids", dims: [4], type: .i32, data: [UInt8](repeating: 0, count: 16))
        let f = try GGUFFile(bytes: b.build(), name: "m.gguf")
        for name in ["blk.0.attn_q.weight", "ids"] {
            do {
                _ = try f.tensor(named: name)
                Issue.record("expected an error for \(name)")
            } catch let e as GGUFError {
                let type = name == "ids" ? "I32" : "Q8_K"
                #expect(e.problem == .unsupportedTensorType(tensor: name, type: type))
                #expect(e.description.contains("tensor '\(name)' has type \(type), which ptune cannot convert (supported: F32, F16,"))
                #expect(e.description.contains("Q6_K"))
            }
            #expect(throws: GGUFError.self) { try f.rows(of: name, [0]) }
        }
    }

    @Test("an unreadable path is a GGUFError naming it")
    func unreadable() {
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/tmp") }
    }
}
