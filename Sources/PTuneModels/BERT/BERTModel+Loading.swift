import Foundation
import PTuneCore
import PTuneNN

/// Loading a BERT from a Hugging Face folder, and its place among p-tunable models.
extension BERTModel: PretrainedModel {
    /// Loads `config.json`, the weights (`model.safetensors`, its shards, or the file `weights` names; float32,
    /// float16 or bfloat16, names with or without a `bert.` prefix) and, when present, `vocab.txt` (or
    /// `tokenizer.json`) from `directory`, every file through `reader`'s access check. The model comes frozen.
    public convenience init(directory: String, weights: String? = nil, reader: CheckedFiles = CheckedFiles()) throws {
        try self.init(hf: HFFolder(path: directory, weights: weights, reader: reader))
    }

    /// The float type of the weights.
    public var dtype: DType { wordEmbeddings.dtype }

    /// Pooled (`[B, d]`) unless ``output`` is `.hiddenStates`.
    public var outputKind: ModelOutputKind { output == .hiddenStates ? .perPosition : .pooled }

    /// `"bert"`.
    public var architecture: String { "bert" }

    /// The WordPiece tokenizer, when the folder had a `vocab.txt` or a WordPiece `tokenizer.json`.
    public var textTokenizer: (any TextTokenizer)? { tokenizer }
}
