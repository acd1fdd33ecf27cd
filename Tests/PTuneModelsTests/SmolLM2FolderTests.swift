import Foundation
import Testing
import PTuneCore
@testable import PTuneModels

/// SmolLM2 as a float32 Hugging Face folder (written from the GGUF by the anchor's conventions, or the folder that
/// `PTUNE_SMOLLM2_HF_FOLDER` names, e.g. the PEFT anchor's converter output) loads with the same logits as the GGUF
/// itself, and its tokenizer.json gives the GGUF tokenizer's ids.
@Suite("SmolLM2 from a Hugging Face folder", .enabled(if: ModelFiles.smollm2Present && PythonInterop.available,
                                                     "needs the SmolLM2 GGUF and the interop Python environment"))
struct SmolLM2FolderTests {
    @Test("the folder's logits equal the GGUF's to 1e-5")
    func sameLogits() throws {
        let folder = try PythonInterop.smollm2Folder()
        let registry = ModelRegistry()
        // The folder holds the GGUF's weights decoded to float32, so it is compared with the GGUF decoded at load
        // (the GGUF kept in its blocks matches that to 1e-5 relative: SmolLM2QuantizedTests).
        let gguf = try #require(try registry.load(ModelFiles.smollm2, storage: .float32) as? DecoderModel)
        let hf = try #require(try registry.load(folder) as? DecoderModel)
        #expect(hf.config == gguf.config)
        let texts = ["The capital of France is", "Review: a gorgeous, witty, seductive movie.\nSentiment:", "x² 123 ✓ 日本"]
        var worst: Float = 0
        for text in texts {
            let ids = try #require(gguf.tokenizer).encode(text, addSpecialTokens: false)
            #expect(try #require(hf.tokenizer).encode(text, addSpecialTokens: false) == ids, "\(text)")
            let packing = try DecoderPacking(lengths: [ids.count])
            let a = try gguf.logits(gguf.hiddenStates(gguf.embed(ids), packing: packing)).scalars(as: Float.self)
            let b = try hf.logits(hf.hiddenStates(hf.embed(ids), packing: packing)).scalars(as: Float.self)
            let diff = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            worst = max(worst, diff)
            #expect(a.count == b.count && diff <= 1e-5, "\(text): \(diff)")
        }
        print("SmolLM2 folder \(folder): max |logit(folder) − logit(GGUF)| = \(worst)")
    }
}
