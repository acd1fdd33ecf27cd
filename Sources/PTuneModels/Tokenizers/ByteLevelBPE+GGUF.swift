/// Building the byte-level BPE from a GGUF file's `tokenizer.ggml.*` metadata.
extension ByteLevelBPE {
    /// llama.cpp's token types: 3 is a control token (matched as a whole string, decoded as its text), 4 a
    /// user-defined one (treated the same way).
    static let controlTypes: Set<Int> = [3, 4]

    /// The tokenizer stored in `gguf`: `tokenizer.ggml.model` must be `gpt2`; `tokenizer.ggml.tokens`, `.merges`
    /// and `.token_type` give the vocabulary, the merges and the special ids; `tokenizer.ggml.pre` the pre-tokenizer
    /// (`smollm` when absent, since that is the file ptune ships for).
    public convenience init(gguf: GGUFFile) throws {
        let model = try gguf.string("tokenizer.ggml.model")
        guard model == "gpt2" else { throw TokenizerError.unsupportedModel("'\(model)' is not byte-level BPE ('gpt2')") }
        let tokens = try gguf.strings("tokenizer.ggml.tokens")
        let merges = try gguf.strings("tokenizer.ggml.merges")
        var specials: [Int] = []
        if gguf.metadata["tokenizer.ggml.token_type"] != nil {
            let types = try gguf.ints("tokenizer.ggml.token_type")
            guard types.count == tokens.count else {
                throw GGUFError(file: gguf.name, offset: nil, .invalidValue(
                    key: "tokenizer.ggml.token_type", reason: "\(types.count) types for \(tokens.count) tokens"))
            }
            specials = types.indices.filter { ByteLevelBPE.controlTypes.contains(types[$0]) }
        }
        let pre = gguf.metadata["tokenizer.ggml.pre"]?.string ?? "smollm"
        try self.init(tokens: tokens, merges: merges, specialIds: specials, preTokenizer: pre)
    }
}

/// The tokenizer a GGUF file describes, by `tokenizer.ggml.model`.
public enum GGUFTokenizer {
    /// `gpt2`: byte-level BPE (``ByteLevelBPE``); `llama`: SentencePiece BPE with byte fallback
    /// (``HFTokenizer/sentencePiece(gguf:)``). Any other kind is a ``TokenizerError`` naming it.
    public static func load(_ gguf: GGUFFile) throws -> any TextTokenizer {
        let model = try gguf.string("tokenizer.ggml.model")
        switch model {
        case "gpt2": return try ByteLevelBPE(gguf: gguf)
        case "llama": return try HFTokenizer.sentencePiece(gguf: gguf)
        default: throw TokenizerError.unsupportedModel("'\(model)' in tokenizer.ggml.model (ptune reads 'gpt2' and 'llama')")
        }
    }
}
