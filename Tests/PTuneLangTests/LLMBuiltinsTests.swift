import Foundation
import Testing
@testable import PTuneLang
import PTuneCore
import PTuneModels
import PTuneNN

/// Where `scripts/fetch-models` and `scripts/fetch-data` put their files, and whether they are there.
enum FetchedFiles {
    static var home: String { ModelRegistry().home }
    static var smollm2Present: Bool {
        FileManager.default.fileExists(atPath: home + "/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf")
    }
    static var reviewsPresent: Bool {
        ["train", "valid", "test"].allSatisfy { FileManager.default.fileExists(atPath: home + "/data/reviews/\($0).jsonl") }
    }
    static var gemma3Present: Bool {
        FileManager.default.fileExists(atPath: home + "/models/gemma3-270m/gemma-3-270m-q4_k_m.gguf")
    }
    static let skipMessage = "SmolLM2 or the review split is absent: run scripts/fetch-models and scripts/fetch-data"
    static let gemmaSkipMessage = "Gemma-3-270M or the review split is absent: run scripts/fetch-models and scripts/fetch-data"
}

/// The language face of the causal LM: load, tokenize, generate, label_logits, cached, and the sentiment recipe
/// (tiny settings). Skipped when the model (and for the recipe, the data) is not fetched.
@Suite("LLM builtins", .enabled(if: FetchedFiles.smollm2Present, "\(FetchedFiles.skipMessage)"))
struct LLMBuiltinsTests {
    /// Runs `source` in a fresh session; returns printed lines and error headlines.
    func run(_ source: String, overrides: [String] = [], file: String? = nil) throws -> (out: [String], errors: [String]) {
        var out: [String] = [], errors: [String] = []
        var options = SessionOptions(overrides: try overrides.map { try Override(parsing: $0) })
        options.fileAccess.allow(GoldenRunner.repositoryRoot.path)
        let session = Session(options: options, output: OutputSink(
            write: { out += $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }, note: { _ in }))
        do {
            if let file { _ = try session.runFile(file) } else { _ = try session.run(SourceFile(name: "t.pt", text: source, directory: nil)) }
        } catch {
            errors = error.diagnostics.map(\.headline)
        }
        return (out.filter { !$0.isEmpty }, errors)
    }

    @Test func loadTokenizeGenerateAndScore() throws {
        let r = try run("""
            model lm = load("smollm2-135m")
            print lm.dim, lm.vocab, lm.layers, lm.architecture
            let ids = tokenize(lm, "The capital of France is")
            print ids
            print detokenize(lm, ids)
            print generate(lm, "The capital of France is", max_tokens: 1)
            let l = label_logits(lm, ["Review: great fun.\\nSentiment:", "Review: a dull mess.\\nSentiment:"], [" negative", " positive"])
            print l.shape, argmax(l, axis: 1)
            print lm
            """)
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.out.first == "576 49152 30 llama")
        #expect(r.out.contains("[ 504 3575  282 4649  314] shape [5] int64"))
        #expect(r.out.contains("The capital of France is"))
        #expect(r.out.contains(" Paris"))
        #expect(r.out.contains { $0.hasPrefix("[2, 2] [1 0]") }, "\(r.out)")
        #expect(r.out.last == "model smollm2-135m (llama, dim 576, 30 layers, Q4_1+Q8_0 weights) frozen, 134,515,008 parameters")
    }

    @Test func float32LoadGivesTheSameScores() throws {
        let r = try run("""
            model q = load("smollm2-135m")
            model f = load("smollm2-135m", dtype: "float32")
            let texts = ["Review: great fun.\\nSentiment:", "Review: a dull mess from start to end.\\nSentiment:"]
            let a = label_logits(q, texts, [" negative", " positive"])
            let b = label_logits(f, texts, [" negative", " positive"])
            print max(abs(a - b)) < 1e-4 * max(abs(b))
            print generate(q, "The capital of France is", max_tokens: 6) == generate(f, "The capital of France is", max_tokens: 6)
            print f
            """)
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.out == ["1.0", "true", "model smollm2-135m (llama, dim 576, 30 layers, F32 weights) frozen, 134,515,008 parameters"])
        let bad = try run("model m = load(\"smollm2-135m\", dtype: \"int4\")")
        #expect(bad.errors.first?.contains("dtype must be") == true, "\(bad.errors)")
    }

    /// PEFT's TEXT init: the embeddings of the text's tokens (SmolLM2's tokenizer adds no framing tokens), repeated
    /// until n when the text is shorter, cut to n when it is longer.
    @Test func textInitRepeatsOrCutsTheTextsEmbeddings() throws {
        let r = try run("""
            model lm = load("smollm2-135m")
            encoder pt = embedding(8, lm, init: text("Classify the review:"))
            print pt
            let ids = tokenize(lm, "Classify the review:", special: true)
            let e = lm.embed(ids.reshape(1, ids.shape[0]))[0]
            print ids.shape, item(sum(pt()[0:5] == e)), item(sum(pt()[5:8] == e[0:3]))
            encoder cut = embedding(2, lm, init: text("Classify the review:"))
            print item(sum(cut() == e[0:2]))
            """)
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.out == ["encoder embedding(8 virtual tokens × 576, text init, 5 tokens), 4,608 parameters", "[5] 2880 1728", "1152"])
    }

    /// Completion after `lm.` offers a model only what it can run: a causal LM generates and scores label words, an
    /// encoder makes sentence embeddings; both tokenize.
    @Test(.enabled(if: FetchedFiles.minilmPresent, "\(FetchedFiles.minilmSkipMessage)"))
    func membersAreTheOnesTheModelCanRun() throws {
        let s = Session(output: .discard)
        try s.run(SourceFile(name: "t.pt", text: "model lm = load(\"smollm2-135m\")\nmodel enc = load(\"minilm-l6\")\n"))
        let lm = s.members(of: "lm"), enc = s.members(of: "enc")
        #expect(lm.contains("generate") && lm.contains("label_logits") && lm.contains("tokenize") && lm.contains("layers"))
        #expect(!lm.contains("sentence_embedding"), "\(lm)")
        #expect(enc.contains("sentence_embedding") && enc.contains("tokenize"))
        #expect(!enc.contains("generate") && !enc.contains("label_logits"), "\(enc)")
    }

    @Test func mistakesAreLocatedErrors() throws {
        let unknown = try run("model lm = load(\"nope\")")
        #expect(unknown.errors.first?.contains("unknown model 'nope'") == true, "\(unknown.errors)")
        let word = try run("model lm = load(\"smollm2-135m\")\nprint label_logits(lm, \"x\", [\"\"])")
        #expect(word.errors.first?.contains("the label word '' has no tokens") == true, "\(word.errors)")
        let outside = try run("print cached(\"../etc/passwd\")")
        #expect(outside.errors.first?.contains("must be a path inside the cache") == true, "\(outside.errors)")
        let notLM = try run("model m = linear(4 -> 2)\nprint generate(m, \"hi\")")
        #expect(notLM.errors.first?.contains("a causal language model") == true, "\(notLM.errors)")
    }

    /// Each mistake in generation, targets and batched tokenizing is its own located error, and the session goes on.
    @Test func generationMistakesAreLocatedErrors() throws {
        let load = "model lm = load(\"smollm2-135m\")\n"
        let cases: [(String, String)] = [
            ("print generate(lm, \"Hi\", top_k: 5)", "top_k and top_p restrict sampling: give a temperature > 0"),
            ("print generate(lm, \"Hi\", temperature: 1, top_p: 1.5)", "top_p must be in (0, 1], got 1.5"),
            ("print generate(lm, \"Hi\", temperature: 1, top_k: 0)", "top_k must be at least 1, got 0"),
            ("print generate(lm, \"Hi\", stop: [\"\"])", "a stop string must not be empty"),
            ("print generate(lm, \"Hi\", kv_cache: \"int8\")", "kv_cache must be \"float32\" or \"float16\", got \"int8\""),
            ("print generate(lm, [], max_tokens: 2)", "no prompts to continue"),
            ("encoder pe = embedding(2, lm)\nprint generate(lm, \"Hi\", encoder: pe, template: \"<v:3> {text}\")", "the template places 3 virtual tokens but the encoder makes 2"),
            ("encoder d = prefix(2, lm)\nprint generate(lm, \"Hi\", encoder: d, template: \"<v:2> {text}\")", "a prefix encoder enters every attention layer"),
            ("print lm_loss(lm, [\"a\", \"b\"], [\" c\"])", "2 prompts but 1 targets"),
            ("print lm_loss(lm, [\"a\"], [\"\"])", "the target \"\" has no tokens"),
            ("print tokenize(lm, [\"a\", \"a b c\"])", "the texts have different lengths (1, 3 tokens): pass padding: true"),
            ("print tokenize(lm, [\"a\"], padding: true, padding_side: \"middle\")", "padding_side must be \"right\" or \"left\""),
            ("print lm.forward(tokenize(lm, \"a b\"), mask: tensor([1, 1, 0]))", "the mask [3] does not match the input's positions [2]"),
        ]
        for (source, message) in cases {
            let r = try run(load + source)
            #expect(r.errors.count == 1 && r.errors.first?.contains(message) == true, "\(source): \(r.errors)")
        }
    }

    /// A float16 KV cache (the call's `kv_cache:`, or the session's default as `--kv-cache` sets it) continues these
    /// prompts with the float32 cache's tokens: the rounding moves the logits by less than 5·10⁻³ (relative), far
    /// from the margins of the greedy choices here.
    @Test func float16CacheGivesTheSameContinuations() throws {
        let load = "model lm = load(\"smollm2-135m\")\n"
        let call = "print generate(lm, [\"The capital of France is\", \"def fibonacci(n):\"], max_tokens: 10"
        let exact = try run(load + call + ")")
        let half = try run(load + call + ", kv_cache: \"float16\")")
        #expect(exact.errors.isEmpty && half.errors.isEmpty && !exact.out.isEmpty, "\(exact.errors) \(half.errors)")
        #expect(half.out == exact.out)
        var out: [String] = []
        let session = Session(options: SessionOptions(kvCache: .float16), output: OutputSink(
            write: { out += $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }, note: { _ in }))
        _ = try session.run(SourceFile(name: "t.pt", text: load + call + ")", directory: nil))
        #expect(out == exact.out)
    }

    /// Sampling is seeded by the script: the same seed gives the same text in a new session, another seed another
    /// text; greedy generation draws nothing from the generator (what follows it is unchanged).
    @Test func samplingFollowsTheScriptsSeed() throws {
        func sample(_ seed: Int) throws -> [String] {
            try run("seed \(seed)\nmodel lm = load(\"smollm2-135m\")\nprint generate(lm, [\"Once upon a time\", \"The weather\"], max_tokens: 12, temperature: 1.2, top_k: 50, top_p: 0.95)").out
        }
        let a = try sample(3), b = try sample(3), c = try sample(4)
        #expect(a.count == 1 && a == b && a != c, "\(a) \(c)")
        let greedy = try run("seed 3\nmodel lm = load(\"smollm2-135m\")\nlet g = generate(lm, \"Hi\", max_tokens: 2)\nprint randn(2)")
        let plain = try run("seed 3\nprint randn(2)")
        #expect(greedy.out == plain.out && !plain.out.isEmpty)
    }

    /// SmolLM2 and two trainable virtual tokens of its width (randn · 0.02 from `seed`); nil, with an issue
    /// recorded, when the model is not a decoder.
    static func smolLM2WithVirtualTokens(seed: UInt64) throws -> (DecoderModel, Tensor)? {
        guard let lm = try ModelRegistry().load("smollm2-135m") as? DecoderModel else {
            Issue.record("smollm2-135m is not a Llama model")
            return nil
        }
        var g = Generator(seed: seed)
        return (lm, try (Tensor.randn([2, lm.config.hiddenSize], using: &g) * 0.02).requiringGradient(name: "v"))
    }

    /// Scoring more than one chunk of texts with label words of several tokens and a trainable encoder gives the
    /// single pass's scores and gradient.
    @Test func chunkedMultiTokenScoringGivesTheSinglePassGradient() throws {
        guard let (lm, virtual) = try LLMBuiltinsTests.smolLM2WithVirtualTokens(seed: 4) else { return }
        let examples: [[SequenceItem]] = (0..<36).map { i in
            [.virtual(0)] + (0..<(3 + i % 5)).map { SequenceItem.token(100 + 37 * i + $0) } + [.virtual(1)]
        }
        let words = [[3524], [1035, 1123]]
        let chunked = try BuiltinRegistry.scoreInChunks(lm, virtual: virtual, examples: examples, words: words)
        let single = try lm.labelLogProbabilities(virtualTokens: virtual, examples: examples, labelWords: words)
        #expect(chunked.shape == [36, 2])
        #expect(zip(chunked.doubles, single.doubles).allSatisfy { abs($0 - $1) <= 1e-3 * (1 + abs($1)) })
        let gc = try Tensor.gradients(of: chunked.sum(), wrt: [virtual])[0].doubles
        let gs = try Tensor.gradients(of: single.sum(), wrt: [virtual])[0].doubles
        let scale = gs.map(abs).max() ?? 1
        #expect(scale > 0 && zip(gc, gs).allSatisfy { abs($0 - $1) <= 2e-3 * scale })
    }

    @Test(.enabled(if: FetchedFiles.reviewsPresent, "\(FetchedFiles.skipMessage)"))
    func sentimentRecipeRunsWithTinySettings() throws {
        let path = GoldenRunner.repositoryRoot.path + "/examples/sentiment.pt"
        let r = try run("", overrides: ["train_n=8", "valid_n=8", "test_n=8", "epochs=1", "eval_every=1", "virtual=2"], file: path)
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.out.contains { $0.hasPrefix("zero-shot test accuracy: ") })
        #expect(r.out.contains { $0.hasPrefix("p-tuned test accuracy: ") })
        #expect(r.out.contains { $0.hasPrefix("generated: ") })
    }

    @Test(.enabled(if: FetchedFiles.gemma3Present && FetchedFiles.reviewsPresent, "\(FetchedFiles.gemmaSkipMessage)"))
    func gemmaSentimentRecipeRunsWithTinySettings() throws {
        let path = GoldenRunner.repositoryRoot.path + "/examples/sentiment-gemma.pt"
        let r = try run("", overrides: ["train_n=8", "valid_n=8", "test_n=8", "epochs=1", "eval_every=1", "virtual=2"], file: path)
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.out.contains { $0.hasPrefix("zero-shot test accuracy: ") })
        #expect(r.out.contains { $0.hasPrefix("p-tuned test accuracy: ") })
        #expect(r.out.contains { $0.hasPrefix("generated: ") })
    }

    /// Scoring more than one chunk with a trainable encoder checkpoints each chunk (no chunk's graph is kept); the
    /// gradient reaching the virtual tokens is the one a single pass over every example gives.
    @Test func chunkedScoringGivesTheSinglePassGradient() throws {
        guard let (lm, virtual) = try LLMBuiltinsTests.smolLM2WithVirtualTokens(seed: 3) else { return }
        let examples: [[SequenceItem]] = (0..<40).map { i in
            [.virtual(0), .virtual(1)] + (0..<(5 + i % 7)).map { SequenceItem.token(100 + 37 * i + $0) }
        }
        let words = [3524, 2731]
        let chunked = try BuiltinRegistry.scoreInChunks(lm, virtual: virtual, examples: examples, words: words.map { [$0] })
        let single = try lm.labelLogits(virtualTokens: virtual, examples: examples, labelTokens: words)
        let a = chunked.doubles, b = single.doubles
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-3 * (1 + abs($1)) })
        let gc = try Tensor.gradients(of: chunked.sum(), wrt: [virtual])[0].doubles
        let gs = try Tensor.gradients(of: single.sum(), wrt: [virtual])[0].doubles
        let scale = gs.map(abs).max() ?? 1
        #expect(scale > 0)
        #expect(zip(gc, gs).allSatisfy { abs($0 - $1) <= 2e-3 * scale }, "max diff \(zip(gc, gs).map { abs($0 - $1) }.max() ?? 0) of \(scale)")
    }

}
