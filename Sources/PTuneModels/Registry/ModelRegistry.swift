import Foundation
import PTuneCore

/// A model ptune knows by name, and where ``scripts/fetch-models`` puts its files.
public struct KnownModel: Sendable, Equatable {
    /// The name written in scripts: `load("smollm2-135m")`.
    public let name: String
    /// The weights file, relative to the models folder (`$PTUNE_HOME/models`).
    public let file: String
    /// What the model is, for listings.
    public let summary: String
    /// The model's name on the Hugging Face hub, where PEFT and transformers load it from.
    public let repository: String
}

/// Where a model's weights are, and in which format.
public struct ModelLocation: Sendable, Equatable {
    /// The weights file formats ptune reads.
    public enum Format: String, Sendable, Equatable {
        /// GGUF (llama.cpp): weights, hyperparameters and tokenizer in one file.
        case gguf
        /// safetensors (Hugging Face), with `config.json` and the tokenizer's files beside it.
        case safetensors
        /// A Hugging Face folder: `config.json`, `model.safetensors` or shards, `tokenizer.json` or `vocab.txt`.
        case folder
    }

    /// The name or path as it was asked for.
    public let request: String
    /// The weights file.
    public let file: String
    /// Its format.
    public let format: Format
}

/// Finds pretrained models by name (in the cache `scripts/fetch-models` fills) or by path, and loads them.
///
/// The cache is `$PTUNE_HOME/models`, `~/.cache/ptune/models` by default. A registry is a value: the interpreter owns
/// one, built from its environment.
public struct ModelRegistry: Sendable {
    /// The models ptune knows by name.
    public static let known: [KnownModel] = [
        KnownModel(name: "smollm2-135m", file: "smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf",
                   summary: "SmolLM2-135M-Instruct: Llama-architecture causal LM, GGUF Q4_1, byte-level BPE",
                   repository: "HuggingFaceTB/SmolLM2-135M-Instruct"),
        KnownModel(name: "minilm-l6", file: "minilm-l6/model.safetensors",
                   summary: "all-MiniLM-L6-v2: BERT sentence encoder, safetensors float32, WordPiece",
                   repository: "sentence-transformers/all-MiniLM-L6-v2"),
        KnownModel(name: "gemma3-270m", file: "gemma3-270m/gemma-3-270m-q4_k_m.gguf",
                   summary: "Gemma-3-270M: Gemma 3 causal LM, GGUF Q4_K_M, SentencePiece (Gemma terms of use)",
                   repository: "google/gemma-3-270m"),
    ]

    /// The script that downloads the known models.
    public static let fetchScript = "scripts/fetch-models"

    /// The cache root (`$PTUNE_HOME`).
    public let home: String

    /// A registry over the cache at `home`, or at `$PTUNE_HOME` (default `~/.cache/ptune`) from `environment`.
    public init(home: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let home { self.home = home } else if let h = environment["PTUNE_HOME"], !h.isEmpty { self.home = h } else {
            self.home = NSHomeDirectory() + "/.cache/ptune"
        }
    }

    /// The folder holding the fetched models.
    public var modelsDirectory: String { home + "/models" }

    /// Whether `request` names a path rather than a known model: not a known name, and a `.gguf` or `.safetensors`
    /// file, something with a `/`, or an existing folder.
    public static func isPath(_ request: String) -> Bool {
        guard !known.contains(where: { $0.name == request }) else { return false }
        let lower = request.lowercased()
        if lower.hasSuffix(".gguf") || lower.hasSuffix(".safetensors") || request.contains("/") || request == "." { return true }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: request, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The folder of a known model in this registry's cache (what a sandbox must let a load of it read).
    public func folder(of model: KnownModel) -> String {
        (modelsDirectory + "/" + model.file as NSString).deletingLastPathComponent
    }

    /// Where `request` — a known name, a `.gguf` or `.safetensors` file, or a Hugging Face folder — is, or a
    /// ``ModelError``: an unfetched known model names the script that fetches it.
    public func locate(_ request: String) throws -> ModelLocation {
        if let k = ModelRegistry.known.first(where: { $0.name == request }) {
            let path = modelsDirectory + "/" + k.file
            guard FileManager.default.fileExists(atPath: path) else {
                throw ModelError.notFetched(name: k.name, missing: path, fetchScript: ModelRegistry.fetchScript)
            }
            return ModelLocation(request: request, file: path, format: try ModelRegistry.format(of: path))
        }
        guard ModelRegistry.isPath(request) else {
            throw ModelError.unknownModel(request, known: ModelRegistry.known.map(\.name))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request, isDirectory: &isDirectory) else {
            throw FileReadError.cannotOpen(path: request, reason: "no such file or folder")
        }
        if isDirectory.boolValue { return ModelLocation(request: request, file: request, format: .folder) }
        return ModelLocation(request: request, file: request, format: try ModelRegistry.format(of: request))
    }

    /// Whether the known model `model` has been fetched into this registry's cache.
    public func isFetched(_ model: KnownModel) -> Bool {
        FileManager.default.fileExists(atPath: modelsDirectory + "/" + model.file)
    }

    /// One line per known model: its name, whether it is fetched, and what it is (for a REPL or `--help` listing).
    public func listing() -> [String] {
        ModelRegistry.known.map { k in
            "\(k.name)  \(isFetched(k) ? "fetched" : "not fetched (run \(ModelRegistry.fetchScript))")  \(k.summary)"
        }
    }

    /// The format of a weights file, by its extension.
    static func format(of path: String) throws -> ModelLocation.Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".gguf") { return .gguf }
        if lower.hasSuffix(".safetensors") { return .safetensors }
        throw ModelError.unsupportedFormat(path: path)
    }
}
