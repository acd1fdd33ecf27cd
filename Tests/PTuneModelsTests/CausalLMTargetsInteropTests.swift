import Foundation
import Testing
import PTuneCore
import PTuneLang

/// `lm_loss` and label words of several tokens against transformers and PEFT over the float32 SmolLM2: the loss of
/// a batch of prompts and targets is transformers' loss with the prompt (and padding) positions labelled -100, with
/// the bare model and under a PEFT prompt-tuning adapter (PEFT labels its virtual tokens -100 too); label words'
/// scores are their summed token log-probabilities as transformers computes them.
@Suite("Causal-LM targets against transformers", .enabled(if: ModelFiles.smollm2Present && PythonInterop.available,
                                                         "needs the SmolLM2 GGUF and the interop Python environment"))
struct CausalLMTargetsInteropTests {
    static let prompts = ["Q: What is the capital of France?\nA:", "The opposite of hot is", "2 + 2 ="]
    static let targets = [" Paris, of course.", " cold", " 4"]
    static let texts = ["Review: a gorgeous, witty, seductive movie.\nSentiment:", "Review: a dull, tiresome mess.\nSentiment:"]
    static let words = [" very good", " terrible movie", " positive"]

    /// A script's literal list of strings.
    func list(_ items: [String]) -> String {
        "[" + items.map { "\"" + $0.replacingOccurrences(of: "\n", with: "\\n") + "\"" }.joined(separator: ", ") + "]"
    }

    /// What ptune gives, encoder `encoder` (a name in the script, or nil): the batch loss, each pair's loss, the scores.
    func ptune(_ folder: URL, model: String, adapter: String?) throws -> (Double, [Double], [Double]) {
        var options = SessionOptions()
        options.fileAccess.allow(folder.path)
        options.fileAccess.allowReading(model)
        var lines: [String] = []
        let session = Session(options: options, output: OutputSink(write: { lines += $0.split(separator: "\n").map(String.init) }, note: { _ in }))
        let enc = adapter == nil ? "" : ", encoder: pe"
        var script = "model lm = load(\"\(model)\")\n"
        if let adapter { script += "encoder pe = import_peft(\"\(adapter)\")\n" }
        script += "let prompts = \(list(Self.prompts))\nlet targets = \(list(Self.targets))\n"
        script += "print item(lm_loss(lm, prompts, targets\(enc)))\n"
        script += "for i in 0..<\(Self.prompts.count) {\n  print item(lm_loss(lm, prompts[i], targets[i]\(enc)))\n}\n"
        script += "let s = label_logits(lm, \(list(Self.texts)), \(list(Self.words))\(enc))\n"
        script += "for i in 0..<\(Self.texts.count) {\n  for j in 0..<\(Self.words.count) {\n    print item(s[i, j])\n  }\n}\n"
        _ = try session.run(SourceFile(name: "targets.pt", text: script, directory: folder.path))
        let values = lines.compactMap(Double.init)
        let n = Self.prompts.count
        guard values.count == 1 + n + Self.texts.count * Self.words.count else {
            throw PythonInterop.Failure(description: "unexpected ptune output: \(lines)")
        }
        return (values[0], Array(values[1...n]), Array(values[(n + 1)...]))
    }

    @Test("lm_loss and multi-token label words equal transformers' and PEFT's to 2e-4")
    func lossesAndScoresEqualTransformers() throws {
        let hf = try PythonInterop.smollm2Folder()
        let dir = try PythonInterop.temporaryFolder("causal-lm-targets")
        defer { try? FileManager.default.removeItem(at: dir) }
        try PythonInterop.run("peft_prompt_tuning.py", ["make", hf, dir.path, "Answer briefly and well:", "4"])
        let request = try JSONSerialization.data(withJSONObject: ["prompts": Self.prompts, "targets": Self.targets,
                                                                   "texts": Self.texts, "words": Self.words])
        var worst = 0.0
        for adapter in [nil, "n4"] {
            let out = try PythonInterop.run("causal_lm_targets.py", [hf, adapter.map { dir.appendingPathComponent($0).path } ?? "none"], input: request)
            let reference = try JSONValue.parse(out)
            let batch = reference["batch_loss"]?.doubleValue ?? .nan
            let losses = reference["losses"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            let scores = reference["scores"]?.arrayValue?.flatMap { $0.arrayValue?.compactMap(\.doubleValue) ?? [] } ?? []
            let (ourBatch, ourLosses, ourScores) = try ptune(dir, model: hf, adapter: adapter)
            let label = adapter ?? "bare model"
            #expect(abs(ourBatch - batch) <= 2e-4, "\(label): batch loss \(ourBatch) vs \(batch)")
            #expect(losses.count == ourLosses.count && zip(ourLosses, losses).allSatisfy { abs($0 - $1) <= 2e-4 }, "\(label): \(ourLosses) vs \(losses)")
            #expect(scores.count == ourScores.count && zip(ourScores, scores).allSatisfy { abs($0 - $1) <= 2e-4 * max(1, abs($1)) },
                    "\(label): \(ourScores) vs \(scores)")
            worst = max(worst, abs(ourBatch - batch), zip(ourLosses, losses).map { abs($0 - $1) }.max() ?? 0,
                        zip(ourScores, scores).map { abs($0 - $1) }.max() ?? 0)
        }
        print("lm_loss and label-word scores vs transformers/PEFT over \(hf): max difference \(worst)")
    }
}
