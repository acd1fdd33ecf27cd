import Foundation
import PTuneCore
import PTuneNN

/// Loading a BERT from a Hugging Face folder, and its place among p-tunable models.
extension BERTModel: PretrainedModel {
    /// Loads `config.json`, the weights (`model.safetensors` unless `weights` names another file; float32, float16
    /// or bfloat16, names with or without a `bert.` prefix) and, when present, `vocab.txt` from `directory`. The
    /// model comes frozen.
    public convenience init(directory: String, weights: String? = nil) throws {
        let config = try BERTConfig(contentsOf: directory + "/config.json")
        let file = weights ?? directory + "/model.safetensors"
        let st: SafeTensorsFile
        do { st = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: file)) } catch let e as SafeTensorsError {
            throw ModelError.invalidFile(file: file, reason: e.description)
        }
        let vocab = directory + "/vocab.txt"
        let tokenizer = FileManager.default.fileExists(atPath: vocab) ? try WordPiece(vocabFile: vocab) : nil
        try self.init(config: config, tokenizer: tokenizer) { name, shape in
            guard let entry = st.entry(named: name) ?? st.entry(named: "bert." + name) else {
                throw ModelError.missingWeight(file: file, name: name)
            }
            guard entry.shape == shape else { throw ModelError.weightShape(file: file, name: name, expected: shape, found: entry.shape) }
            do { return try st.tensor(entry.name, as: .float32) } catch let e as SafeTensorsError {
                throw ModelError.invalidFile(file: file, reason: e.description)
            }
        }
    }

    /// The float type of the weights.
    public var dtype: DType { wordEmbeddings.dtype }

    /// Pooled (`[B, d]`) unless ``output`` is `.hiddenStates`.
    public var outputKind: ModelOutputKind { output == .hiddenStates ? .perPosition : .pooled }

    /// `"bert"`.
    public var architecture: String { "bert" }

    /// The WordPiece tokenizer, when the folder had a `vocab.txt`.
    public var textTokenizer: (any TextTokenizer)? { tokenizer }
}
