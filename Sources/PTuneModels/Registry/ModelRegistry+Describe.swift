import Foundation
import PTuneCore
import PTuneNN

/// What a model's files say about its shapes, read without touching a weight: the width of its token embeddings,
/// the width of its output, and its attention layout. The language's checker uses it to report an encoder of the
/// wrong width before anything runs.
public struct ModelDescription: Sendable, Equatable {
    /// The width of one token embedding.
    public let tokenDim: Int
    /// The width of the last axis the model returns: a causal LM's vocabulary; nil for a sentence encoder, whose
    /// output is its hidden states.
    public let outputWidth: Int?
    /// What a prefix encoder for it must look like.
    public let prefixLayout: PrefixLayout?
}

extension ModelRegistry {
    /// The description of the model `request` names (a known name, a `.gguf` file, a Hugging Face folder or a
    /// `.safetensors` file in one), from its metadata or `config.json` alone; `access` checks every file opened.
    public func describe(_ request: String, access: any FileAccessCheck = UnrestrictedFileAccess()) throws -> ModelDescription {
        let location = try locate(request)
        let reader = CheckedFiles(access: access)
        switch location.format {
        case .gguf:
            let config = try DecoderConfig(gguf: GGUFFile(reader.mapped(location.file)))
            return ModelDescription(decoder: config)
        case .safetensors, .folder:
            let directory = location.format == .folder ? location.file : (location.file as NSString).deletingLastPathComponent
            let folder = try HFFolder(path: directory.isEmpty ? "." : directory, reader: reader)
            if try folder.config.modelType() == "bert" {
                let config = try BERTConfig(data: folder.contents(of: HFFolder.configName, limit: 16 << 20), file: folder.config.file)
                return ModelDescription(tokenDim: config.hiddenSize, outputWidth: nil,
                                        prefixLayout: try? PrefixLayout(layers: config.layers, kvWidth: config.hiddenSize))
            }
            return ModelDescription(decoder: try DecoderConfig(hf: folder.config))
        }
    }
}

extension ModelDescription {
    /// A causal LM's description.
    init(decoder c: DecoderConfig) {
        self.init(tokenDim: c.hiddenSize, outputWidth: c.vocabularySize,
                  prefixLayout: try? PrefixLayout(layers: c.layers, kvHeads: c.kvHeads, headDim: c.headDim))
    }
}
