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

    /// Feeds one input through the harness: whether the code under test took it or refused it with an error.
    @discardableResult
    public func run(_ bytes: [UInt8]) -> FuzzOutcome {
        switch self {
        case .parser: return LanguageHarness.parse(bytes)
        case .interpreter: return LanguageHarness.interpret(bytes)
        case .safetensors: return FileHarness.safetensors(bytes)
        case .gguf: return FileHarness.gguf(bytes)
        case .jsonl: return FileHarness.data(bytes, .jsonl)
        case .csv: return FileHarness.data(bytes, .csv)
        case .tsv: return FileHarness.data(bytes, .tsv)
        case .bpe: return TokenizerHarness.bpe(bytes)
        case .wordpiece: return TokenizerHarness.wordPiece(bytes)
        }
    }
}

/// What a harness made of one input (a trap is neither: the process ends).
public enum FuzzOutcome: Equatable, Sendable, CustomStringConvertible {
    /// The code under test read, ran or encoded the input to the end.
    case accepted
    /// It refused the input with an error (the first line of its message).
    case rejected(String)

    /// The outcome of a call that threw `error`, or of one that returned (nil).
    init(_ error: (any Error)?) {
        guard let error else { self = .accepted; return }
        self = .rejected(String(String(describing: error).prefix { $0 != "\n" }))
    }

    /// `accepted`, or `rejected: MESSAGE`.
    public var description: String {
        switch self {
        case .accepted: return "accepted"
        case .rejected(let message): return "rejected: " + message
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
