import Foundation
import PTuneCore
import PTuneNN

/// Building models from their files: GGUF files by `general.architecture`, Hugging Face folders (or a `.safetensors`
/// file inside one) by the `model_type` of their `config.json`. Every file a load opens goes through one access check.
extension ModelRegistry {
    /// Builds a model from an opened GGUF file, keeping its weight matrices as `storage` says.
    public typealias GGUFBuilder = @Sendable (GGUFFile, WeightStorage) throws -> any PretrainedModel
    /// Builds a model from an opened Hugging Face folder.
    public typealias FolderBuilder = @Sendable (HFFolder) throws -> any PretrainedModel

    /// The GGUF architectures ptune implements, by `general.architecture`. An architecture plugs in with one line.
    public static let ggufArchitectures: [String: GGUFBuilder] = Dictionary(uniqueKeysWithValues:
        DecoderArchitecture.allCases.map { a -> (String, GGUFBuilder) in
            (a.rawValue, { file, storage in try DecoderModel(gguf: file, storage: storage) })
        })

    /// The Hugging Face architectures ptune implements, by `config.json`'s `model_type`.
    public static let folderArchitectures: [String: FolderBuilder] = {
        var builders: [String: FolderBuilder] = ["bert": { folder in try BERTModel(hf: folder) }]
        for a in DecoderArchitecture.allCases {
            for t in a.hfModelTypes { builders[t] = { folder in try DecoderModel(hf: folder) } }
        }
        return builders
    }()

    /// The model `request` names — a known name, a `.gguf` file, a Hugging Face folder or a `.safetensors` file in
    /// one — loaded and frozen (trainable weights when `frozen` is false). A GGUF file's weight matrices stay in
    /// their stored block formats unless `storage` is ``WeightStorage/float32`` or the model is not frozen (a
    /// trainable weight is float32). Every file the load opens (weights, shards, index, configuration, vocabulary,
    /// tokenizer) is checked by `access` first, symlinks resolved.
    public func load(_ request: String, frozen: Bool = true, storage: WeightStorage = .stored,
                     access: any FileAccessCheck = UnrestrictedFileAccess()) throws -> any PretrainedModel {
        let location = try locate(request)
        let reader = CheckedFiles(access: access)
        let model: any PretrainedModel
        switch location.format {
        case .gguf:
            let file: GGUFFile
            do { file = try GGUFFile(reader.mapped(location.file)) } catch let e as FileReadError {
                throw GGUFError(file: location.file, offset: nil, .unreadable(e.description))
            }
            let arch = try file.string("general.architecture")
            guard let build = ModelRegistry.ggufArchitectures[arch] else {
                throw ModelError.unsupportedArchitecture(arch, file: location.file)
            }
            model = try build(file, frozen ? storage : .float32)
        case .safetensors, .folder:
            let directory = location.format == .folder ? location.file : (location.file as NSString).deletingLastPathComponent
            let folder = try HFFolder(path: directory.isEmpty ? "." : directory,
                                      weights: location.format == .folder ? nil : location.file, reader: reader)
            let arch = try folder.config.modelType()
            guard let build = ModelRegistry.folderArchitectures[arch] else {
                throw ModelError.unsupportedArchitecture(arch, file: folder.config.file)
            }
            model = try build(folder)
        }
        if frozen { model.parameters.freezeAll() } else { model.parameters.unfreezeAll() }
        return model
    }
}
