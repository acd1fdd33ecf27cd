import Foundation
import PTuneCore
import PTuneModels

/// Gemma-3-270M (the `Q4_K_M` GGUF): loading (time, weights kept in their blocks and decoded to float32, peak RSS)
/// and one p-tuning step of the sentiment recipe, with the weights in their blocks and decoded to float32 (batch 8 of review prompts with Gemma's `<bos>`, 10 virtual tokens from PEFT's MLP encoder of
/// hidden 256, AdamW, two-way loss over " negative" / " positive"), beside Hugging Face PEFT doing the same step on
/// the same file and the same token ids in this run (`scripts/lib/peft_step.py`, run by the interpreter in
/// `$PTUNE_BENCH_PYTHON`). Entry point: ``GemmaBench/run(threads:)`` (section `gemma`).
enum GemmaBench {
    static var modelPath: String { LlamaBench.home + "/models/gemma3-270m/gemma-3-270m-q4_k_m.gguf" }

    /// The tables of the section, or one line saying what to fetch.
    static func run(threads: Int) throws -> [Table] {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            print("\ngemma: Gemma-3-270M is not downloaded: run scripts/fetch-models gemma3-270m")
            return []
        }
        let t0 = Clock.now()
        let file = try GGUFFile(path: modelPath)
        let model = try DecoderModel(gguf: file)
        let loadSeconds = Clock.now() - t0
        let rssLoaded = peakRSSBytes()
        guard let tokenizer = model.tokenizer else { throw DecoderError.badInput("\(modelPath) holds no tokenizer") }
        let texts = (try? LlamaBench.reviewTexts()) ?? []
        guard !texts.isEmpty else {
            print("\ngemma: the review split is not fetched: run scripts/fetch-data")
            return []
        }
        let bos = tokenizer.leadingSpecialTokens
        let sequences = texts.map { bos + tokenizer.encode("Review: \($0)\nSentiment:", addSpecialTokens: false) }
        let words = [" negative", " positive"].compactMap { tokenizer.encode($0, addSpecialTokens: false).first }
        let batches = 12, steps = batches - 2
        var g = Generator(seed: 0)
        let order = try Tensor.randint([sequences.count], in: 0..<Int.max, using: &g).ints.enumerated()
            .sorted { $0.element < $1.element }.map(\.offset)
        let rows = (0..<(batches * 8)).map { sequences[order[$0 % order.count]] }
        let labels = (0..<rows.count).map { [0, 1, 0, 1, 1, 0, 1, 0][$0 % 8] }

        var table = Table(title: "Gemma-3-270M p-tuning step (batch 8 of review prompts, 10 virtual tokens, MLP encoder 256, AdamW, two-way loss)",
                          header: ["who", "step s (median of \(steps))", "peak RSS MB", "speed-up"])
        func median(_ model: DecoderModel) throws -> Double {
            let encoder = try LlamaStepBench.Encoder(tokens: 10, dim: model.config.hiddenSize, hidden: 256, seed: 0)
            var times: [Double] = []
            for b in 0..<batches {
                let batch = Array(rows[(b * 8)..<(b * 8 + 8)]), y = Array(labels[(b * 8)..<(b * 8 + 8)])
                let start = Clock.now()
                _ = try LlamaStepBench.step(model, encoder, batch, labels: y, words: words)
                if b >= 2 { times.append(Clock.now() - start) }
            }
            return times.sorted()[times.count / 2]
        }
        let formats = model.weights.formatNames.joined(separator: "+")
        let ours = try median(model)
        table.add(["ptune, weights in their blocks (\(formats))", fmt(ours, 3), fmt(Double(peakRSSBytes()) / 1e6, 0), ""])
        let t1 = Clock.now()
        let dense = try DecoderModel(gguf: file, storage: .float32)
        let denseSeconds = Clock.now() - t1
        let oursDense = try median(dense)
        table.add(["ptune, weights decoded to float32 (peak RSS: both models loaded)", fmt(oursDense, 3),
                   fmt(Double(peakRSSBytes()) / 1e6, 0), ""])
        if let peft = peftStep(rows: rows, labels: labels, words: words, pad: model.config.padToken, steps: steps, threads: threads) {
            table.add(["PEFT + PyTorch f32, same token ids (same run)", fmt(peft.seconds, 3), fmt(peft.rssMB, 0),
                       fmt(peft.seconds / ours, 2) + "× (blocks), " + fmt(peft.seconds / oursDense, 2) + "× (float32)"])
        } else {
            table.add(["PEFT: not run (set PTUNE_BENCH_PYTHON to a Python with torch, transformers, peft, gguf)", "", "", ""])
        }
        var info = Table(title: "Gemma-3-270M load and memory", header: ["what", "value"])
        info.add(["load Q4_K_M GGUF, weights kept in their blocks", fmt(loadSeconds, 2) + " s"])
        info.add(["load Q4_K_M GGUF + dequantize to float32", fmt(denseSeconds, 2) + " s"])
        info.add(["weights in their blocks (\(formats))", fmt(Double(model.weights.byteCount) / 1e6, 0) + " MB"])
        info.add(["weights decoded to float32", fmt(Double(dense.weights.byteCount) / 1e6, 0) + " MB"])
        info.add(["peak RSS after loading the blocks", fmt(Double(rssLoaded) / 1e6, 0) + " MB"])
        return [info, table]
    }

    /// PEFT's median step and peak RSS in MB on the same rows, or nil when it cannot run here.
    static func peftStep(rows: [[Int]], labels: [Int], words: [Int], pad: Int, steps: Int, threads: Int) -> (seconds: Double, rssMB: Double)? {
        let env = ProcessInfo.processInfo.environment
        guard let python = env["PTUNE_BENCH_PYTHON"], !python.isEmpty,
              let repo = env["PTUNE_REPO"], FileManager.default.fileExists(atPath: repo + "/scripts/lib/peft_step.py")
        else { return nil }
        let out = NSTemporaryDirectory() + "ptune-peft-gemma-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let spec: [String: Any] = ["sequences": rows, "labels": labels, "label_tokens": words, "pad": pad]
        guard let input = try? JSONSerialization.data(withJSONObject: spec) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [repo + "/scripts/lib/peft_step.py", modelPath, out, "--steps", "\(steps)", "--warmup", "2",
                       "--threads", "\(threads)"]
        let stdin = Pipe()
        p.standardInput = stdin
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let json = try? Data(contentsOf: URL(fileURLWithPath: out)),
              let obj = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let median = obj["median_step_s"] as? Double
        else { return nil }
        return (median, obj["peak_rss_mb"] as? Double ?? .nan)
    }

    /// Batch-1 decoding, tokens/s: (t(1 + n) − t(1)) / n for n = 32 after a 40-token prompt (a review's tokens, or
    /// random ids without the data), median of 3 interleaved rounds, beside llama.cpp's `llama-bench` generation
    /// figure on the same file, measured right after (section `gemma-decode`). Nil, saying why, without the model.
    static func decode(threads: Int) throws -> Table? {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            print("\ngemma-decode: Gemma-3-270M is not downloaded: run scripts/fetch-models gemma3-270m")
            return nil
        }
        let model = try DecoderModel(gguf: try GGUFFile(path: modelPath))
        var prompt: [Int] = []
        if let tokenizer = model.tokenizer, let text = (try? LlamaBench.reviewTexts())?.first {
            prompt = tokenizer.leadingSpecialTokens + tokenizer.encode("Review: \(text)\nSentiment:", addSpecialTokens: false)
        }
        var g = Generator(seed: 5)
        while prompt.count < 40 { prompt.append(Int(g.next() % UInt64(model.config.vocabularySize))) }
        prompt = Array(prompt.prefix(40))
        let n = 32
        let t = try LlamaInferenceBench.interleaved(rounds: 3, [
            { _ = try model.generate(prompt, maxTokens: n + 1) },
            { _ = try model.generate(prompt, maxTokens: 1) },
        ])
        let rate = Double(n) / (t[0] - t[1])
        let anchor = LlamaCppAnchor()
        let llama = anchor.single(model: modelPath, threads: threads, prompt: 40, generate: n)?.generationTokensPerSecond
        var table = Table(title: "Gemma-3-270M batch-1 decode, tokens/s (\(threads) threads, Q4_K_M blocks, float32 activations; \(anchor.summary))",
                          header: ["workload", "ptune", "llama.cpp", "ptune ÷ llama.cpp"])
        table.add(["decode, batch 1 (40-token prompt, \(n) tokens)", fmt(rate, 0), llama.map { fmt($0, 0) } ?? "",
                   llama.map { fmt(rate / $0, 2) + "×" } ?? ""])
        return table
    }
}
