import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

/// Every block format against the `gguf` package's own dequantization (gguf.quants), bit for bit: generated blocks
/// with random scales, real values re-quantized by gguf, and real blocks and rows of the cached GGUF files.
@Suite("GGUF dequantization against gguf.quants", .enabled(if: PythonInterop.available, "\(PythonInterop.skipMessage)"))
struct GGUFDequantInteropTests {
    struct Manifest: Decodable {
        struct Case: Decodable { let name: String; let type: UInt32; let type_name: String; let elements: Int }
        struct Rows: Decodable { let file: String; let tensor: String; let rows: [Int]; let ref: String; let type_name: String }
        let cases: [Case]
        let rows: [Rows]
    }

    /// The reference files, written once for the whole suite by one Python process.
    static let reference: Result<(URL, Manifest, [String: String]), any Error> = Result {
        let folder = try PythonInterop.temporaryFolder("dequant")
        var files: [String: String] = [:]
        for path in [ModelFiles.smollm2, ModelFiles.gemma3] where FileManager.default.fileExists(atPath: path) {
            files[(path as NSString).lastPathComponent] = path
        }
        try PythonInterop.run("gguf_dequant.py", [folder.path] + files.values.sorted())
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        return (folder, manifest, files)
    }

    /// Bitwise equality, NaN equal to NaN; the largest absolute difference otherwise.
    static func compare(_ got: [Float], _ want: [Float]) -> (mismatches: Int, maxError: Float) {
        var mismatches = 0, maxError: Float = 0
        for (g, w) in zip(got, want) where g.bitPattern != w.bitPattern && !(g.isNaN && w.isNaN) {
            mismatches += 1
            maxError = max(maxError, abs(g - w))
        }
        return (mismatches + abs(got.count - want.count), maxError)
    }

    @Test("every block case decodes exactly as gguf.quants does")
    func blocks() throws {
        let (folder, manifest, _) = try Self.reference.get()
        var covered = Set<String>()
        for c in manifest.cases {
            let type = try #require(GGMLType(rawValue: c.type), "\(c.type_name)")
            let format = try #require(type.blockFormat, "\(c.type_name) has no block format")
            #expect(format.description == c.type_name)
            let raw = try Data(contentsOf: folder.appendingPathComponent(c.name + ".raw"))
            let want = try PythonInterop.floats(folder.appendingPathComponent(c.name + ".f32"))
            #expect(want.count == c.elements)
            var got = [Float](repeating: .nan, count: c.elements)
            try raw.withUnsafeBytes { src in try got.withUnsafeMutableBufferPointer { try format.decode(src, into: $0) } }
            let (mismatches, maxError) = Self.compare(got, want)
            #expect(mismatches == 0, "\(c.name): \(mismatches) of \(c.elements) values differ, max |Δ| \(maxError)")
            print("dequantize \(c.name): \(c.elements) values, \(mismatches) differ, max |Δ| \(maxError)")
            covered.insert(c.type_name)
        }
        let all = ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"]
        #expect(covered == Set(all))
    }

    @Test("rows of the real files read through GGUFFile equal gguf's dequantized rows")
    func realRows() throws {
        let (folder, manifest, files) = try Self.reference.get()
        var opened: [String: GGUFFile] = [:]
        for r in manifest.rows {
            let path = try #require(files[r.file])
            let file = try opened[r.file] ?? GGUFFile(path: path)
            opened[r.file] = file
            let want = try PythonInterop.floats(folder.appendingPathComponent(r.ref + ".f32"))
            let got = try file.rows(of: r.tensor, r.rows).scalars(as: Float.self)
            let (mismatches, maxError) = Self.compare(got, want)
            #expect(mismatches == 0, "\(r.file) \(r.tensor) (\(r.type_name)) rows \(r.rows): \(mismatches) differ, max |Δ| \(maxError)")
            let info = try file.tensorInfo(named: r.tensor)
            if info.elementCount <= 1 << 20 {
                let whole = try file.tensor(named: r.tensor).scalars(as: Float.self)
                let len = info.rowLength
                let picked = r.rows.flatMap { whole[($0 * len)..<(($0 + 1) * len)] }
                #expect(Self.compare(picked, want).mismatches == 0, "\(r.tensor) through tensor(named:)")
            }
        }
    }

    @Test("block sizes agree with gguf's GGML_QUANT_SIZES")
    func sizes() throws {
        let out = try PythonInterop.run("gguf_dequant.py", ["--sizes"])
        let sizes = try JSONDecoder().decode([String: [Int]].self, from: out)
        for type in GGMLType.allCases {
            guard let f = type.blockFormat else { continue }
            let s = try #require(sizes[type.description], "\(type)")
            #expect(type.blockSize == s[0] && type.blockBytes == s[1], "\(type)")
            #expect(f.elements == s[0] && f.bytes == s[1], "\(f)")
        }
    }
}
