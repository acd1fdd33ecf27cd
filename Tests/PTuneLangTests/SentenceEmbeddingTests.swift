import Foundation
import Testing
@testable import PTuneLang
import PTuneCore
import PTuneModels
import PTuneNN

extension FetchedFiles {
    static var minilmPresent: Bool {
        ["model.safetensors", "vocab.txt", "config.json"].allSatisfy {
            FileManager.default.fileExists(atPath: home + "/models/minilm-l6/" + $0)
        }
    }
    static let minilmSkipMessage = "MiniLM or the review split is absent: run scripts/fetch-models and scripts/fetch-data"
}

/// The language face of the encoder model: `sentence_embedding` through all-MiniLM-L6-v2 with and without a prompt
/// encoder, its mistakes, and the MiniLM sentiment recipe at tiny settings. The tests that need the model (and for
/// the recipe, the data) are skipped when they are not fetched.
@Suite("MiniLM builtins")
struct SentenceEmbeddingTests {
    /// Runs `source` in a fresh session; returns the bare expressions' values, printed lines and error headlines.
    func run(_ source: String, overrides: [String] = [], file: String? = nil) throws
        -> (values: [Value], out: [String], errors: [String]) {
        var out: [String] = [], errors: [String] = [], values: [Value] = []
        var options = SessionOptions(overrides: try overrides.map { try Override(parsing: $0) })
        options.fileAccess.allow(GoldenRunner.repositoryRoot.path)
        let session = Session(options: options, output: OutputSink(
            write: { out += $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }, note: { _ in }))
        do {
            if let file {
                values = try session.runFile(file)
            } else {
                values = try session.run(SourceFile(name: "t.pt", text: source, directory: nil))
            }
        } catch {
            errors = error.diagnostics.map(\.headline)
        }
        return (values, out.filter { !$0.isEmpty }, errors)
    }

    static let texts = ["The new movie is awesome", "A woman watches TV", "a dull , lifeless mess of a film ."]

    @Test("shapes, unit norm, and the plain embedding equals BERTModel.sentenceEmbeddings to 1e-5",
          .enabled(if: FetchedFiles.minilmPresent, "\(FetchedFiles.minilmSkipMessage)"))
    func shapesAndReference() throws {
        let list = SentenceEmbeddingTests.texts.map { "\"\($0)\"" }.joined(separator: ", ")
        let r = try run("""
            model lm = load("minilm-l6")
            encoder pe = mlp(3, lm.dim, hidden: 8)
            let texts = [\(list)]
            print sentence_embedding(lm, texts).shape, sentence_embedding(lm, "one text").shape
            print sentence_embedding(lm, texts, encoder: pe).shape
            print format(sum(square(sentence_embedding(lm, "unit length")[0])), digits: 4)
            print sentence_embedding(lm, texts, normalize: false).shape
            lm
            sentence_embedding(lm, texts)
            sentence_embedding(lm, texts, encoder: pe)
            sentence_embedding(lm, texts, normalize: false)
            """)
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.out == ["[3, 384] [1, 384]", "[3, 384]", "1.0000", "[3, 384]"], "\(r.out)")
        guard r.values.count == 4, case let .model(mo) = r.values[0], let bert = mo.frozenModel as? BERTModel,
              case let .tensor(plain) = r.values[1], case let .tensor(prompted) = r.values[2],
              case let .tensor(raw) = r.values[3] else {
            Issue.record("unexpected values \(r.values)")
            return
        }
        let reference = try bert.sentenceEmbeddings(SentenceEmbeddingTests.texts).doubles
        let worst = zip(plain.doubles, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "max |Δ| vs BERTModel.sentenceEmbeddings \(worst)")
        // The virtual tokens change every embedding; without normalisation the rows are the plain mean.
        let moved = zip(prompted.doubles, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(moved > 1e-3, "virtual tokens moved the embeddings by \(moved)")
        let rawRow = Array(raw.doubles.prefix(384)), norm = rawRow.map { $0 * $0 }.reduce(0, +).squareRoot()
        let rescaled = zip(rawRow, reference.prefix(384)).map { abs($0 / norm - $1) }.max() ?? .infinity
        #expect(abs(norm - 1) > 1e-3 && rescaled < 1e-5, "norm \(norm), |raw/‖raw‖ − normalised| \(rescaled)")
    }

    @Test("gradients reach the encoder through the frozen MiniLM, and none reaches its weights",
          .enabled(if: FetchedFiles.minilmPresent, "\(FetchedFiles.minilmSkipMessage)"))
    func gradientsReachTheEncoderOnly() throws {
        let r = try run("""
            model lm = load("minilm-l6")
            encoder pe = mlp(2, lm.dim, hidden: 8)
            lm
            pe
            sentence_embedding(lm, ["a fine film", "dull and long"], encoder: pe)
            """)
        #expect(r.errors.isEmpty, "\(r.errors)")
        guard r.values.count == 3, case let .model(mo) = r.values[0], let bert = mo.frozenModel as? BERTModel,
              case let .encoder(pe) = r.values[1], case let .tensor(e) = r.values[2] else {
            Issue.record("unexpected values \(r.values)")
            return
        }
        let before = bert.checksum()
        var g = Generator(seed: 3)
        let loss = try (e * Tensor.randn(e.shape, using: &g)).sum()
        let grads = try Tensor.gradients(of: loss, wrt: pe.parameters.map(\.value))
        #expect(grads.count == pe.parameters.count)
        for (p, gr) in zip(pe.parameters, grads) {
            let size = gr.doubles.map(abs).max() ?? 0
            #expect(size > 0 && size.isFinite, "gradient of \(p.name): max |g| \(size)")
        }
        #expect(bert.parameters.allSatisfy { $0.isFrozen && $0.gradient == nil && !$0.value.requiresGrad })
        #expect(bert.checksum() == before)
        // In chunks (each checkpointed) the values and the encoder's gradient are those of one pass.
        let v = try pe.encode()
        let texts = ["a fine film", "dull and long", "great", "not good at all"]
        let whole = try bert.sentenceEmbeddings(texts, virtualTokens: v, normalize: true, batchSize: 8)
        let chunked = try bert.sentenceEmbeddings(texts, virtualTokens: v, normalize: true, batchSize: 2)
        let w = try Tensor.randn(whole.shape, using: &g)
        let valueGap = zip(whole.doubles, chunked.doubles).map { abs($0 - $1) }.max() ?? .infinity
        let gw = try Tensor.gradients(of: (whole * w).sum(), wrt: pe.parameters.map(\.value))
        let gc = try Tensor.gradients(of: (chunked * w).sum(), wrt: pe.parameters.map(\.value))
        let gradGap = zip(gw, gc).map { a, b in zip(a.doubles, b.doubles).map { abs($0 - $1) }.max() ?? 0 }.max() ?? .infinity
        let gradSize = gw.map { $0.doubles.map(abs).max() ?? 0 }.max() ?? 0
        #expect(valueGap < 1e-5 && gradGap <= 1e-4 * max(gradSize, 1e-3), "values \(valueGap), gradients \(gradGap) of \(gradSize)")
    }

    @Test("mistakes are located errors")
    func mistakesAreLocatedErrors() throws {
        let notBERT = try run("model m = linear(4 -> 2)\nprint sentence_embedding(m, \"hi\")")
        #expect(notBERT.errors.first?.contains("t.pt:2:") == true, "\(notBERT.errors)")
        #expect(notBERT.errors.first?.contains("a BERT encoder model") == true, "\(notBERT.errors)")
        guard FetchedFiles.minilmPresent else { return }
        let width = try run("model lm = load(\"minilm-l6\")\nencoder pe = mlp(2, 8, hidden: 4)\nprint sentence_embedding(lm, \"x\", encoder: pe)")
        #expect(width.errors.first?.contains("t.pt:3:") == true, "\(width.errors)")
        #expect(width.errors.first?.contains("the encoder 'pe' makes tokens of width 8, but the model 'lm' embeds tokens of width 384") == true, "\(width.errors)")
        let numbers = try run("model lm = load(\"minilm-l6\")\nprint sentence_embedding(lm, [1, 2])")
        #expect(numbers.errors.first?.contains("a list of strings") == true, "\(numbers.errors)")
        let crowded = try run("model lm = load(\"minilm-l6\")\nencoder pe = embedding(300, lm.dim)\nprint sentence_embedding(lm, \"x\", encoder: pe)")
        #expect(crowded.errors.first?.contains("300 virtual tokens leave no room") == true, "\(crowded.errors)")
        let empty = try run("model lm = load(\"minilm-l6\")\nprint sentence_embedding(lm, [])")
        #expect(empty.errors.first?.contains("no texts to embed") == true, "\(empty.errors)")
        guard FetchedFiles.smollm2Present else { return }
        let causal = try run("model lm = load(\"smollm2-135m\")\nprint sentence_embedding(lm, \"x\")")
        #expect(causal.errors.first?.contains("is a causal language model") == true, "\(causal.errors)")
    }

    @Test(.enabled(if: FetchedFiles.minilmPresent && FetchedFiles.reviewsPresent, "\(FetchedFiles.minilmSkipMessage)"))
    func minilmSentimentRecipeRunsWithTinySettings() throws {
        let path = GoldenRunner.repositoryRoot.path + "/examples/sentiment-minilm.pt"
        let r = try run("", overrides: ["train_n=8", "valid_n=8", "test_n=8", "epochs=1", "eval_every=1", "virtual=2",
                                        "hidden=8", "probe_epochs=1"], file: path)
        #expect(r.errors.isEmpty, "\(r.errors)")
        #expect(r.out.contains { $0.hasPrefix("baseline (linear probe on frozen embeddings) test accuracy: ") }, "\(r.out)")
        #expect(r.out.contains { $0.hasPrefix("p-tuned test accuracy: ") }, "\(r.out)")
        #expect(r.out.contains { $0.hasPrefix("trained pe, head: 1 step") }, "\(r.out)")
    }
}
