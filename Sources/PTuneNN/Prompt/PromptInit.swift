/// How a prompt-tuning table starts, as PEFT's `PromptTuningInit` names it. PEFT writes the choice into an adapter's
/// config (`prompt_tuning_init`, `prompt_tuning_init_text`, `tokenizer_name_or_path`); ptune keeps it with the
/// encoder so an export says how the table began.
public enum PromptInit: Sendable, Equatable {
    /// `RANDOM`: a table drawn `N(0, 1)`, as PyTorch's `nn.Embedding` draws it.
    case random
    /// `TEXT`: the frozen model's embeddings of the tokens of `text` (with the tokenizer's framing tokens, as PEFT
    /// tokenizes it), cut to n or repeated until n; `tokenizer` names the model whose tokenizer read it, if known.
    case text(String, tokenizer: String?)
    /// `SAMPLE_VOCAB`: the embeddings of n token ids drawn uniformly from the vocabulary with the script's seeded
    /// generator.
    case sampleVocab

    /// PEFT's name: `RANDOM`, `TEXT`, `SAMPLE_VOCAB`.
    public var peftName: String {
        switch self {
        case .random: return "RANDOM"
        case .text: return "TEXT"
        case .sampleVocab: return "SAMPLE_VOCAB"
        }
    }

    /// The init a PEFT config describes (`RANDOM` when it names none or one ptune does not know).
    public init(peftName: String?, text: String?, tokenizer: String?) {
        switch peftName {
        case "TEXT": self = .text(text ?? "", tokenizer: tokenizer)
        case "SAMPLE_VOCAB": self = .sampleVocab
        default: self = .random
        }
    }
}
