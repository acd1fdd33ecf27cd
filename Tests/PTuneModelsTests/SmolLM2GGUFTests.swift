import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

/// Checks the reader on the real SmolLM2 file against values from an independent numpy reader
/// (`Fixtures/generate/gguf_reference.py`).
@Suite("SmolLM2 GGUF file", .enabled(if: ModelFiles.smollm2Present, "\(ModelFiles.skipMessage)"))
struct SmolLM2GGUFTests {
    struct Reference: Decodable {
        struct Entry: Decodable { let shape: [Int]; let type: UInt32; let rows: [String: [Float]]; let sum: Double; let abs_sum: Double }
        let tensor_count: Int
        let data_offset: Int
        let tensors: [String: Entry]
    }

    @Test("metadata, tensor table and dequantized values match the numpy reference")
    func matchesReference() throws {
        let f = try GGUFFile(path: ModelFiles.smollm2)
        let ref = try JSONDecoder().decode(Reference.self, from: Fixture.data("smollm2_gguf_reference.json"))
        #expect(f.version == 3)
        #expect(f.tensors.count == ref.tensor_count)
        #expect(f.dataOffset == ref.data_offset)
        #expect(try f.string("general.architecture") == "llama")
        #expect(try f.int("llama.block_count") == 30)
        #expect(try f.int("llama.attention.head_count_kv") == 3)
        #expect(try f.double("llama.rope.freq_base") == 100000)
        #expect(try f.strings("tokenizer.ggml.tokens").count == 49152)
        #expect(try f.strings("tokenizer.ggml.merges").count == 48900)
        #expect(try f.bool("tokenizer.ggml.add_bos_token") == false)
        for (name, e) in ref.tensors {
            let info = try f.tensorInfo(named: name)
            #expect(info.shape == e.shape, "\(name)")
            #expect(info.type.rawValue == e.type, "\(name)")
            let t = try f.tensor(named: name)
            let x = try t.scalars(as: Float.self)
            let len = info.rowLength
            for (row, values) in e.rows {
                let r = Int(row) ?? -1
                #expect(Array(x[(r * len)..<(r * len + values.count)]) == values, "\(name) row \(r)")
                #expect(try f.rows(of: name, [r]).scalars(as: Float.self)[0..<values.count].elementsEqual(values), "\(name) row \(r)")
            }
            let sum = x.reduce(0.0) { $0 + Double($1) }, abs = x.reduce(0.0) { $0 + Double(Swift.abs($1)) }
            #expect(Swift.abs(sum - e.sum) <= 1e-6 * e.abs_sum, "\(name) sum")
            #expect(Swift.abs(abs - e.abs_sum) <= 1e-6 * e.abs_sum, "\(name) |sum|")
        }
    }
}
