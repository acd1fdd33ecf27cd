import Foundation
import PTuneNN

/// Building models from their files: GGUF files by `general.architecture`, safetensors files by the `model_type` of
/// the `config.json` beside them.
extension ModelRegistry {
    /// Builds a model from an opened GGUF file.
    public typealias GGUFBuilder = @Sendable (GGUFFile) throws -> any PretrainedModel
    /// Builds a model from a weights file and the folder holding its configuration and tokenizer.
    public typealias FolderBuilder = @Sendable (_ weights: String, _ directory: String) throws -> any PretrainedModel

    /// The GGUF architectures ptune implements, by `general.architecture`. An architecture plugs in with one line.
    public static let ggufArchitectures: [String: GGUFBuilder] = [
        "llama": { file in try LlamaModel(gguf: file) },
    ]

    /// The safetensors architectures ptune implements, by `config.json`'s `model_type`.
    public static let safetensorsArchitectures: [String: FolderBuilder] = [
        "bert": { weights, directory in try BERTModel(directory: directory, weights: weights) },
    ]

    /// The model `request` names — a known name or a path to a `.gguf`/`.safetensors` file — loaded and frozen
    /// (trainable weights when `frozen` is false).
    public func load(_ request: String, frozen: Bool = true) throws -> any PretrainedModel {
        let location = try locate(request)
        let model: any PretrainedModel
        switch location.format {
        case .gguf:
            let file = try GGUFFile(path: location.file)
            let arch = try file.string("general.architecture")
            guard let build = ModelRegistry.ggufArchitectures[arch] else {
                throw ModelError.unsupportedArchitecture(arch, file: location.file)
            }
            model = try build(file)
        case .safetensors:
            let directory = (location.file as NSString).deletingLastPathComponent
            let arch = try ModelRegistry.modelType(inConfigOf: directory)
            guard let build = ModelRegistry.safetensorsArchitectures[arch] else {
                throw ModelError.unsupportedArchitecture(arch, file: location.file)
            }
            model = try build(location.file, directory.isEmpty ? "." : directory)
        }
        if frozen { model.parameters.freezeAll() } else { model.parameters.unfreezeAll() }
        return model
    }

    /// The `model_type` in `directory/config.json`.
    static func modelType(inConfigOf directory: String) throws -> String {
        let path = (directory.isEmpty ? "." : directory) + "/config.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.invalidConfig(file: path, reason: "missing: a .safetensors model needs its config.json beside it")
        }
        struct Config: Decodable { var model_type: String? }
        guard let config = try? JSONDecoder().decode(Config.self, from: data) else {
            throw ModelError.invalidConfig(file: path, reason: "not a JSON object")
        }
        guard let type = config.model_type else { throw ModelError.invalidConfig(file: path, reason: "no model_type") }
        return type
    }
}
