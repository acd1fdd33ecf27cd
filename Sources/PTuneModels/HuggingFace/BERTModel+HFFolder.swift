import Foundation
import PTuneCore

extension BERTModel {
    /// Loads a BERT encoder from a Hugging Face folder: `config.json` (checked before any weight is read), the
    /// safetensors weights (float32, float16 or bfloat16, sharded or not; names with or without a `bert.` prefix),
    /// and the WordPiece vocabulary from `vocab.txt` or, without one, from `tokenizer.json`. The model comes frozen.
    public convenience init(hf folder: HFFolder) throws {
        let config = try BERTConfig(data: folder.contents(of: HFFolder.configName, limit: 16 << 20), file: folder.config.file)
        var tokenizer: WordPiece? = nil
        if let vocab = folder.file(HFFolder.vocabName) {
            tokenizer = try WordPiece(vocabText: folder.contents(of: HFFolder.vocabName), file: vocab)
        } else if folder.file(HFFolder.tokenizerName) != nil {
            tokenizer = try WordPiece(tokenizerJSON: folder.contents(of: HFFolder.tokenizerName))
        }
        let weights = try folder.weights()
        try self.init(config: config, tokenizer: tokenizer) { name, shape in
            try weights.tensor(weights.hasTensor(name) || !weights.hasTensor("bert." + name) ? name : "bert." + name, shape: shape)
        }
    }
}
