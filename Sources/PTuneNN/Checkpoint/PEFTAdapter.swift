import Foundation
import PTuneCore

/// Export to and import from Hugging Face PEFT's prompt-learning adapter folders:
/// `adapter_model.safetensors` with one tensor `prompt_embeddings` `[n, d]` (the encoder's output, as PEFT saves a
/// p-tuning or prompt-tuning adapter) and `adapter_config.json`: for an ``EmbeddingPromptEncoder`` PEFT's
/// `PromptTuningConfig` keys (`peft_type` `PROMPT_TUNING`, `prompt_tuning_init` and its text and tokenizer), for the
/// other encoders its `PromptEncoderConfig` keys (`peft_type` `P_TUNING`); `inference_mode` true. PEFT loads such a
/// folder with `PeftModel.from_pretrained`; ptune imports it as an ``EmbeddingPromptEncoder`` holding the saved prompt.
public enum PEFTAdapter {
    /// The weights file name.
    public static let weightsFile = "adapter_model.safetensors"
    /// The config file name.
    public static let configFile = "adapter_config.json"
    /// The PEFT version whose adapter format the export follows (written as `peft_version`, as PEFT does).
    public static let peftVersion = "0.21.2"

    /// Describes the adapter beyond the encoder itself.
    public struct Options: Sendable {
        /// PEFT's task type (`CAUSAL_LM`, `SEQ_CLS`, …).
        public var taskType: String
        /// The base model's name or path, if known.
        public var baseModel: String?
        /// The base model's layer count, if known.
        public var numLayers: Int?
        /// The base model's attention heads, if known.
        public var numAttentionHeads: Int?
        /// The dtype to store the prompt embeddings in (the encoder's when nil).
        public var dtype: DType?

        /// Options; PEFT's defaults where it has them.
        public init(taskType: String = "CAUSAL_LM", baseModel: String? = nil, numLayers: Int? = nil,
                    numAttentionHeads: Int? = nil, dtype: DType? = nil) {
            self.taskType = taskType; self.baseModel = baseModel; self.numLayers = numLayers
            self.numAttentionHeads = numAttentionHeads; self.dtype = dtype
        }
    }

    /// The `adapter_config.json` record of `encoder`.
    public static func config(of encoder: PromptEncoder, options: Options = Options()) -> JSONValue {
        let c = encoder.config
        if let table = encoder as? EmbeddingPromptEncoder {
            return promptTuningConfig(table.initialization, config: c, options: options)
        }
        if let prefix = encoder as? PrefixEncoder {
            // PEFT's PrefixTuningConfig: token_dim is the key/value width, encoder_hidden_size the projection's
            // (token_dim without one, as PEFT fills it in).
            return promptLearningConfig("PREFIX_TUNING", config: c, options: options, [
                "prefix_projection": .bool(prefix.projection != nil),
                "encoder_hidden_size": .int(prefix.projection ?? c.tokenDim),
                "init_weights": prefix.initialization.peftInitWeights.map { .string($0) } ?? .null,
            ])
        }
        // PEFT knows two reparameterisations; other encoders are described as MLP (irrelevant in inference mode,
        // where PEFT uses only the saved embeddings).
        let reparameterization = c.kind == .lstm ? "LSTM" : "MLP"
        return promptLearningConfig("P_TUNING", config: c, options: options, [
            "encoder_reparameterization_type": .string(reparameterization),
            "encoder_hidden_size": .int(c.resolvedHiddenSize),
            "encoder_num_layers": .int(c.numLayers),
            "encoder_dropout": .double(c.dropout),
        ])
    }

    /// PEFT's `PromptTuningConfig` record of a prompt-tuning table that began as `initialization`. PEFT requires a
    /// tokenizer name beside a TEXT init (it reads none in inference mode): the tokenizer's model, else the base
    /// model, else the text's own description.
    static func promptTuningConfig(_ initialization: PromptInit, config c: PromptEncoderConfig, options: Options) -> JSONValue {
        var text: JSONValue = .null, tokenizer: JSONValue = .null
        if case let .text(t, name) = initialization {
            text = .string(t)
            tokenizer = .string(name ?? options.baseModel ?? "unknown")
        }
        return promptLearningConfig("PROMPT_TUNING", config: c, options: options, [
            "prompt_tuning_init": .string(initialization.peftName),
            "prompt_tuning_init_text": text,
            "tokenizer_name_or_path": tokenizer,
            "tokenizer_kwargs": .null,
        ])
    }

    /// The fields every PEFT prompt-learning config has (`PromptLearningConfig`), for `peftType`, with the
    /// method's own `fields` added.
    static func promptLearningConfig(_ peftType: String, config c: PromptEncoderConfig, options: Options,
                                     _ fields: [String: JSONValue]) -> JSONValue {
        let common: [String: JSONValue] = [
            "peft_type": .string(peftType),
            "peft_version": .string(peftVersion),
            "task_type": .string(options.taskType),
            "inference_mode": .bool(true),
            "num_virtual_tokens": .int(c.numVirtualTokens),
            "token_dim": .int(c.tokenDim),
            "num_transformer_submodules": .int(1),
            "num_attention_heads": options.numAttentionHeads.map { .int($0) } ?? .null,
            "num_layers": (options.numLayers ?? (c.kind.isDeep ? c.numLayers : nil)).map { .int($0) } ?? .null,
            "base_model_name_or_path": options.baseModel.map { .string($0) } ?? .null,
            "revision": .null,
            "auto_mapping": .null,
            "modules_to_save": .null,
        ]
        return .object(common.merging(fields) { _, method in method })
    }

    /// What an adapter folder may hold besides its two files (PEFT writes a model card): an existing folder holding
    /// anything else is not replaced.
    public static let replaceableFiles: Set<String> = [weightsFile, configFile, "README.md", "adapter_model.bin"]

    /// Writes the adapter folder for `encoder` atomically: both files go into a temporary sibling that then takes the
    /// folder's place, so no reader and no crash ever sees one export's weights beside another's config. An existing
    /// folder is replaced only if it holds nothing but adapter files. The prompt is the encoder's output in
    /// evaluation mode (dropout off). Every path goes through `files`' access check.
    public static func export(_ encoder: PromptEncoder, to folder: URL, options: Options = Options(),
                              files: CheckedFiles = CheckedFiles()) throws {
        try export(encoder, toFolder: folder.path, options: options, files: files)
    }

    /// ``export(_:to:options:files:)`` to the folder at `path` (relative paths as `files`' check resolves them).
    public static func export(_ encoder: PromptEncoder, toFolder path: String, options: Options = Options(),
                              files: CheckedFiles = CheckedFiles()) throws {
        // The encoder's output in evaluation mode: no dropout, and its generators untouched.
        let wasTraining = encoder.isTraining
        encoder.isTraining = false
        defer { encoder.isTraining = wasTraining }
        var embeddings = try Tensor.withoutRecording { try encoder.encode() }.detached()
        if let dtype = options.dtype { embeddings = try embeddings.to(dtype) }
        let weights = try SafeTensors.encode(["prompt_embeddings": embeddings], metadata: ["format": "pt"])
        let json = config(of: encoder, options: options).serialized(indent: 2) + "\n"
        try files.writeFolder(path, replacing: { names in
            names.first { !replaceableFiles.contains($0) }.map { "it holds '\($0)', which is not part of an adapter (export into a new folder or an adapter folder)" }
        }) { staging in
            try staging.write(weights, named: weightsFile)
            try staging.write(Data(json.utf8), named: configFile)
        }
    }

    /// Reads a PEFT p-tuning (or prompt-tuning) adapter folder as an inference-only embedding encoder holding the
    /// saved `prompt_embeddings`, converted to `dtype` if given (a prompt-tuning adapter's init is kept, so it
    /// exports again as it came). Both files are opened through `files`' access check.
    public static func importEncoder(from folder: URL, dtype: DType? = nil, files: CheckedFiles = CheckedFiles()) throws -> EmbeddingPromptEncoder {
        try importEncoder(fromFolder: folder.path, dtype: dtype, files: files)
    }

    /// Reads any prompt-learning adapter folder ptune runs: a `PREFIX_TUNING` adapter as a ``PrefixEncoder`` holding
    /// the saved keys and values (`prompt_embeddings` `[n, num_layers · 2 · token_dim]`, the projection's output when
    /// PEFT trained one; a plain table, trainable when `trainable`), a p-tuning or prompt-tuning adapter as
    /// ``importEncoder(fromFolder:dtype:files:trainable:)`` does.
    public static func importAdapter(fromFolder path: String, dtype: DType? = nil, files: CheckedFiles = CheckedFiles(),
                                     trainable: Bool = false) throws -> PromptEncoder {
        let configPath = path + "/" + configFile
        let config = try JSONValue.parse(try files.contents(configPath, limit: 1 << 24))
        guard config["peft_type"]?.stringValue == "PREFIX_TUNING" else {
            return try importEncoder(fromFolder: path, dtype: dtype, files: files, trainable: trainable)
        }
        guard let n = config["num_virtual_tokens"]?.intValue, let w = config["token_dim"]?.intValue,
              let layers = config["num_layers"]?.intValue, n > 0, w > 0, layers > 0 else {
            throw NNError.invalidCheckpoint("'\(configPath)' lacks positive num_virtual_tokens, token_dim and num_layers")
        }
        let submodules = config["num_transformer_submodules"]?.intValue ?? 1
        guard submodules == 1 else {
            throw NNError.unsupported("adapters with \(submodules) transformer submodules (encoder-decoder models) are not supported")
        }
        let layout = try PrefixLayout(layers: layers, kvWidth: w)
        let file = try SafeTensorsFile(data: try files.mappedData(path + "/" + weightsFile))
        var table = try file.tensor("prompt_embeddings")
        guard table.shape == [n, layout.tableWidth] else {
            throw NNError.invalidCheckpoint("prompt_embeddings is \(Shape.describe(table.shape)), the config says [\(n), \(layout.tableWidth)] (\(layout))")
        }
        if let dtype { table = try table.to(dtype) }
        let encoder = try PrefixEncoder(table: table, layout: layout, frozen: !trainable)
        if config["init_weights"]?.stringValue == "zero" { encoder.initialization = .zero }
        return encoder
    }

    /// ``importEncoder(from:dtype:files:)`` from the folder at `path` (relative paths as `files`' check resolves them);
    /// `trainable`: the saved prompt is a trainable table (training it further is prompt tuning from there).
    public static func importEncoder(fromFolder path: String, dtype: DType? = nil, files: CheckedFiles = CheckedFiles(),
                                     trainable: Bool = false) throws -> EmbeddingPromptEncoder {
        let configPath = path + "/" + configFile
        let data = try files.contents(configPath, limit: 1 << 24)
        let config = try JSONValue.parse(data)
        guard let type = config["peft_type"]?.stringValue, type == "P_TUNING" || type == "PROMPT_TUNING" else {
            throw NNError.invalidCheckpoint("'\(configPath)' is not a p-tuning adapter (peft_type \(config["peft_type"]?.serialized() ?? "missing"))")
        }
        guard let n = config["num_virtual_tokens"]?.intValue, let d = config["token_dim"]?.intValue, n > 0, d > 0 else {
            throw NNError.invalidCheckpoint("'\(configPath)' lacks positive num_virtual_tokens and token_dim")
        }
        let submodules = config["num_transformer_submodules"]?.intValue ?? 1
        guard submodules == 1 else {
            throw NNError.unsupported("adapters with \(submodules) transformer submodules (encoder-decoder models) are not supported")
        }
        let file = try SafeTensorsFile(data: try files.mappedData(path + "/" + weightsFile))
        var table = try file.tensor("prompt_embeddings")
        guard table.shape == [n, d] else {
            throw NNError.invalidCheckpoint("prompt_embeddings is \(Shape.describe(table.shape)), the config says [\(n), \(d)]")
        }
        if let dtype { table = try table.to(dtype) }
        let encoder = try EmbeddingPromptEncoder(table: table, frozen: !trainable)
        if type == "PROMPT_TUNING" {
            encoder.initialization = PromptInit(peftName: config["prompt_tuning_init"]?.stringValue,
                                                text: config["prompt_tuning_init_text"]?.stringValue,
                                                tokenizer: config["tokenizer_name_or_path"]?.stringValue)
        }
        return encoder
    }
}
