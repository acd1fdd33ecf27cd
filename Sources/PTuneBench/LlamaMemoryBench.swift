import Foundation
import PTuneCore
import PTuneModels
import PTuneNN

/// Memory of p-tuning with weights kept in their blocks against weights decoded to float32: each configuration runs
/// in its own child process (`ptune-bench llm-memory-child KIND`), so each peak RSS is its own. KIND `stored` and
/// `float32` load SmolLM2 and run the sentiment recipe's work in small (5 p-tuning steps of batch 8 on review
/// prompts, scoring 128 reviews, 16 greedy tokens); `large` builds a 1.45B-parameter Llama-shaped model with random
/// Q4_K weights in memory (no file) and runs one p-tuning step of batch 8 × 45 tokens.
enum LlamaMemoryBench {
    /// What a child reports: resident bytes once loaded, peak resident bytes, weight bytes, seconds to load, median
    /// seconds per p-tuning step.
    struct Report {
        var loadedRSS = 0.0, peakRSS = 0.0, weights = 0.0, loadSeconds = 0.0, stepSeconds = 0.0

        var line: String { "report \(loadedRSS) \(peakRSS) \(weights) \(loadSeconds) \(stepSeconds)" }

        init() {}

        init?(line: Substring) {
            let f = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            guard line.hasPrefix("report "), f.count == 5 else { return nil }
            (loadedRSS, peakRSS, weights, loadSeconds, stepSeconds) = (f[0], f[1], f[2], f[3], f[4])
        }
    }

    /// Resident bytes of this process now (VmRSS).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return 0
    }

    /// The parent's table: one child per configuration.
    static func table(threads: Int) -> Table {
        var table = Table(title: "memory: weights in their blocks vs decoded to float32 (each in its own process, \(threads) threads)",
                          header: ["model, workload", "weights MB", "load s", "RSS loaded MB", "peak RSS MB", "step s", "target"])
        let rows: [(String, String, String)] = [
            ("stored", "SmolLM2 Q4_1 blocks: 5 steps, scoring, generation", "peak ≤ 450 MB"),
            ("float32", "SmolLM2 decoded to float32 (--dequantize), same work", ""),
            ("large", "1.45B Llama-shaped, random Q4_K: one step of 8 × 45", "peak ≤ 3 GB"),
        ]
        for (kind, what, target) in rows {
            guard let r = child(kind, threads: threads) else {
                table.add([what, "–", "–", "–", "–", "–", target + " (the child failed)"])
                continue
            }
            table.add([what, fmt(r.weights / 1e6, 0), fmt(r.loadSeconds, 2), fmt(r.loadedRSS / 1e6, 0), fmt(r.peakRSS / 1e6, 0),
                       fmt(r.stepSeconds, 2), target])
        }
        return table
    }

    /// Runs `ptune-bench llm-memory-child kind` and parses its report.
    static func child(_ kind: String, threads: Int) -> Report? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        p.arguments = ["llm-memory-child", kind, "--threads", "\(threads)"]
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").lazy.compactMap { Report(line: $0) }.first
    }

    /// The child's side: loads and runs one configuration, prints its report line.
    static func runChild(_ kind: String) throws {
        var report = Report()
        let t0 = Clock.now()
        let model: DecoderModel
        var sequences: [[Int]]
        if kind == "large" {
            model = try randomModel()
            var g = Generator(seed: 2)
            sequences = try (0..<8).map { _ in try Tensor.randint([45], in: 3..<32_000, using: &g).ints }
        } else {
            let file = try GGUFFile(path: LlamaBench.modelPath)
            model = try DecoderModel(gguf: file, storage: kind == "float32" ? .float32 : .stored)
            let tokenizer = try ByteLevelBPE(gguf: file)
            sequences = try LlamaBench.reviewTexts().prefix(128).map { tokenizer.encode("Review: \($0)\nSentiment:") }
        }
        report.loadSeconds = Clock.now() - t0
        report.loadedRSS = Double(residentBytes())
        report.weights = Double(model.weights.byteCount)
        let encoder = try LlamaStepBench.Encoder(tokens: 10, dim: model.config.hiddenSize, hidden: 256, seed: 0)
        let labels = [0, 1, 0, 1, 1, 0, 1, 0]
        var times: [Double] = []
        for b in 0..<(kind == "large" ? 1 : 5) {
            let batch = (0..<8).map { sequences[(b * 8 + $0) % sequences.count] }
            let s0 = Clock.now()
            _ = try LlamaStepBench.step(model, encoder, batch, labels: labels)
            times.append(Clock.now() - s0)
        }
        report.stepSeconds = times.sorted()[times.count / 2]
        if kind != "large" {
            try Tensor.withoutRecording {
                let virtual = try encoder.encode()
                for start in stride(from: 0, to: sequences.count, by: 32) {
                    _ = try model.labelLogits(virtualTokens: virtual, sequences: Array(sequences[start..<Swift.min(start + 32, sequences.count)]),
                                              labelTokens: LlamaStepBench.labelTokens)
                }
                _ = try model.generate(sequences[0], prefix: virtual, maxTokens: 16)
            }
        }
        report.peakRSS = Double(peakRSSBytes())
        print(report.line)
    }

    /// 1.45B parameters in Llama's shape (d 2048, 30 layers, 32 heads, 4 KV heads, MLP 5632, vocabulary 32,000,
    /// untied output) with random Q4_K matrices: what a file of that model would load to.
    static func randomModel() throws -> DecoderModel {
        let config = DecoderConfig(vocabularySize: 32_000, hiddenSize: 2048, feedForwardSize: 5632, layers: 30, heads: 32,
                                   kvHeads: 4, contextLength: 4096, tiedEmbeddings: false)
        var seed: UInt64 = 100
        return try DecoderModel(weights: DecoderWeights(config: config, layout: .adjacentPairs, matrix: { name in
            seed += 1
            let d = config.hiddenSize, hd = config.headDim, f = config.feedForwardSize
            let shape: [Int]
            switch name.split(separator: ".").dropFirst(name.hasPrefix("blk.") ? 2 : 0).first.map(String.init) ?? name {
            case "token_embd", "output": shape = [config.vocabularySize, d]
            case "attn_q", "attn_output": shape = [d, d]
            case "attn_k", "attn_v": shape = [config.kvHeads * hd, d]
            case "ffn_gate", "ffn_up": shape = [f, d]
            case "ffn_down": shape = [d, f]
            case "attn_norm", "ffn_norm", "output_norm": return .dense(try Tensor.ones([d]))
            default: return nil
            }
            return .quantized(try QuantizedMatrix.random(format: .q4_K, rows: shape[0], columns: shape[1], std: 0.02, seed: seed))
        }))
    }
}
