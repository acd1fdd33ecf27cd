import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

/// Tiny random decoders of every architecture, written by transformers and the `gguf` package
/// (`Fixtures/interop/tiny_decoders.py`) as Hugging Face folders (float32; Gemma also sharded bfloat16) and GGUF
/// files (F32; F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1; Q2_K … Q6_K), load through the registry and give
/// transformers' float32 logits for the same file.
@Suite("tiny decoders against transformers", .enabled(if: PythonInterop.available, "\(PythonInterop.skipMessage)"))
struct TinyDecoderInteropTests {
    struct Entry: Decodable {
        let ids: [Int]
        let vocab: Int
        let logits: [String: [Float]]
    }

    /// The files and reference logits, made once per version of the script (kept in the temporary folder under a
    /// hash of the script, so reruns reuse them).
    static let fixture: Result<(URL, [String: Entry]), any Error> = Result {
        let script = try Data(contentsOf: Fixture.url("interop/tiny_decoders.py"))
        let hash = script.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-tiny-decoders-\(String(hash, radix: 16))")
        let referenceFile = folder.appendingPathComponent("reference.json")
        if !FileManager.default.fileExists(atPath: referenceFile.path) {
            let scratch = try PythonInterop.temporaryFolder("tiny-decoders")
            try PythonInterop.run("tiny_decoders.py", [scratch.path])
            // Another run may have finished first; either folder is complete.
            if (try? FileManager.default.moveItem(at: scratch, to: folder)) == nil { try? FileManager.default.removeItem(at: scratch) }
        }
        return (folder, try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: referenceFile)))
    }

    /// The logits `[T, vocabulary]` of `ids` from the model at `path`, loaded through the registry.
    static func logits(_ path: String, _ ids: [Int]) throws -> (DecoderModel, [Float]) {
        let m = try #require(try ModelRegistry().load(path) as? DecoderModel)
        let h = try m.hiddenStates(m.embed(ids), packing: DecoderPacking(lengths: [ids.count]))
        return (m, try m.logits(h).scalars(as: Float.self))
    }

    static let sources = ["hf", "f32", "legacy", "k"]

    @Test("every architecture, as a folder and as GGUF in every tensor type, gives transformers' logits to 6e-5",
          arguments: DecoderArchitecture.allCases)
    func sameLogits(_ arch: DecoderArchitecture) throws {
        let (folder, reference) = try Self.fixture.get()
        let entry = try #require(reference[arch.rawValue])
        var sources = Self.sources
        if entry.logits["hf-bf16"] != nil { sources.append("hf-bf16") }
        var report: [String] = []
        for source in sources {
            let want = try #require(entry.logits[source], "\(source)")
            let path = folder.appendingPathComponent(source.hasPrefix("hf") ? "\(arch.rawValue)-\(source)" : "\(arch.rawValue)-\(source).gguf").path
            let (model, got) = try Self.logits(path, entry.ids)
            #expect(model.config.architecture == arch)
            #expect(got.count == want.count)
            let diff = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            let scale = want.map(abs).max() ?? 0
            #expect(diff <= 6e-5, "\(arch) \(source): max |Δ logit| \(diff) (logits up to \(scale))")
            report.append("\(source) \(String(format: "%.1e", diff))")
        }
        print("tiny \(arch.rawValue) vs transformers, max |Δ logit|: \(report.joined(separator: ", "))")
    }

    @Test("the options each file sets are read: biases, head norms, windows, rotary scaling, soft caps")
    func configurations() throws {
        let (folder, _) = try Self.fixture.get()
        func config(_ name: String) throws -> DecoderConfig {
            try #require(try ModelRegistry().load(folder.appendingPathComponent(name).path) as? DecoderModel).config
        }
        let llama = try config("llama-hf"), llamaGGUF = try config("llama-f32.gguf")
        #expect(llama.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 16))
        if case .factors = llamaGGUF.ropeScaling {} else { Issue.record("rope_freqs.weight not read: \(llamaGGUF.ropeScaling)") }
        #expect(!llama.tiedEmbeddings && !llamaGGUF.tiedEmbeddings && llama.headDim == 64)
        let qwen2 = try config("qwen2-hf")
        #expect(qwen2.qkvBias && !qwen2.outputBias && qwen2.layerTypes == [.global, .sliding] && qwen2.slidingWindow == 4)
        #expect(try config("qwen2-legacy.gguf").qkvBias)
        let qwen3 = try config("qwen3-k.gguf")
        #expect(qwen3.headNorms && qwen3.headDim == 128 && qwen3.kvHeads == 1)
        for name in ["gemma3-hf", "gemma3-f32.gguf"] {
            let g = try config(name)
            #expect(g.architecture == .gemma3 && g.headNorms && g.sandwichNorms && g.activation == .geluTanh, "\(name)")
            #expect(g.layerTypes == [.sliding, .sliding, .sliding, .sliding, .sliding, .global] && g.slidingWindow == 4, "\(name)")
            #expect(g.localRopeBase == 10_000 && g.ropeBase == 1_000_000 && g.embeddingScale == 16, "\(name)")
            // Gemma 3 ignores attn_logit_softcapping, as transformers does.
            #expect(g.attentionSoftCap == nil && g.finalLogitSoftCap == 30 && g.attentionScale == 0.125, "\(name)")
        }
    }
}
