import Foundation

/// One fuzz harness: a code path that must turn any input into a value or a thrown error, never a trap, a hang or
/// an unbounded allocation. libFuzzer drives ``run(_:)`` through `ptune-fuzz` (`scripts/fuzz`); the regression
/// tests feed saved inputs through the same call without the fuzzer.
///
/// A harness that finds a broken invariant (a round trip that does not round-trip, a diagnostic without a place)
/// stops the process through ``FuzzFailure/trap(_:)`` so libFuzzer records the input as a crash.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Lexer, parser and checker on arbitrary bytes (plus diagnostic rendering and the REPL's incomplete-input test).
    case parser
    /// The interpreter on small programs generated from the bytes (or the bytes as a script), under step, time and
    /// memory budgets.
    case interpreter
    /// The safetensors reader: header validation, then decoding every tensor.
    case safetensors
    /// The GGUF reader: header, metadata, tensor table, dequantizing every tensor, and the BPE tokenizer from the
    /// metadata.
    case gguf
    /// `read_jsonl`.
    case jsonl
    /// `read_csv`.
    case csv
    /// `read_tsv`.
    case tsv
    /// The GPT-2 byte-level BPE tokenizer: encode arbitrary bytes (repaired to UTF-8) and decode arbitrary ids.
    case bpe
    /// The BERT WordPiece tokenizer: encode arbitrary bytes (repaired to UTF-8) and decode arbitrary ids.
    case wordpiece

    /// Feeds one input through the harness.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .parser: LanguageHarness.parse(bytes)
        case .interpreter: LanguageHarness.interpret(bytes)
        case .safetensors: FileHarness.safetensors(bytes)
        case .gguf: FileHarness.gguf(bytes)
        case .jsonl: FileHarness.data(bytes, .jsonl)
        case .csv: FileHarness.data(bytes, .csv)
        case .tsv: FileHarness.data(bytes, .tsv)
        case .bpe: TokenizerHarness.bpe(bytes)
        case .wordpiece: TokenizerHarness.wordPiece(bytes)
        }
    }
}

/// A broken invariant found by a harness.
public enum FuzzFailure {
    /// Prints `message` and aborts, so the fuzzer saves the input (a test run dies the same way).
    public static func trap(_ message: String) -> Never {
        FileHandle.standardError.write(Data("ptune-fuzz: invariant broken: \(message)\n".utf8))
        abort()
    }
}
