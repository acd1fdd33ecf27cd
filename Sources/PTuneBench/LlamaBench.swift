import COpenBLAS
import Foundation
import PTuneCore
import PTuneModels

/// SmolLM2-135M on this CPU: sgemm throughput at the model's shapes, prefill and generation speed, and one p-tuning
/// step (batch 8, 10 virtual tokens, MLP encoder, AdamW, two-way label-word loss) with its FLOPs, the achieved
/// fraction of sgemm throughput and the peak RSS. Entry point: ``LlamaBench/run(threads:)`` (section `llm`).
enum LlamaBench {
    /// Where the model and the review split live (`$PTUNE_HOME`, default `~/.cache/ptune`).
    static var home: String {
        if let h = ProcessInfo.processInfo.environment["PTUNE_HOME"], !h.isEmpty { return h }
        return NSHomeDirectory() + "/.cache/ptune"
    }
    static var modelPath: String { home + "/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf" }
    static var trainPath: String { home + "/data/reviews/train.jsonl" }

    /// All tables of the section, or one line saying what to fetch.
    static func run(threads: Int, peft: PEFTBaseline) throws -> [Table] {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            print("\nllm: SmolLM2 is not downloaded: run scripts/fetch-models")
            return []
        }
        let t0 = Clock.now()
        let file = try GGUFFile(path: modelPath)
        let model = try DecoderModel(gguf: file)
        let loadSeconds = Clock.now() - t0
        let t1 = Clock.now()
        let dense = try DecoderModel(gguf: file, storage: .float32)
        let denseSeconds = Clock.now() - t1
        let tokenizer = try ByteLevelBPE(gguf: file)
        let anchor = LlamaCppAnchor()
        print("# \(anchor.summary)")
        var tables: [Table] = []
        let texts = (try? reviewTexts()) ?? []
        let sequences = try reviewPrompts(tokenizer, texts)
        let gemm = try gemmTable(rows: 256)
        tables.append(gemm.table)
        tables.append(try LlamaInferenceBench.table(stored: model, dense: dense, sequences: sequences, threads: threads,
                                                    anchor: anchor, modelPath: modelPath))
        let prompt = try decodePrompt(file)
        tables.append(try LlamaDecodeProfile.table(model: model, name: "weights in their blocks, float32 activations", prompt: prompt))
        tables.append(try LlamaDecodeProfile.table(model: dense, name: "weights decoded to float32", prompt: prompt))
        var stepTable = try LlamaStepBench.steps(model, sequences: sequences, sgemm: gemm.best, usingData: !texts.isEmpty)
        if !texts.isEmpty, let peft = peft.step(steps: 20, threads: threads, data: home + "/data/reviews") {
            let ours = Double(stepTable.rows.first?[2] ?? "") ?? .nan
            stepTable.add(["PEFT + PyTorch f32, same batches' data, median of 20 (same run)", "~ 8 × 46 + 80 (padded)",
                           fmt(peft.seconds, 3), "", "", "", fmt(peft.rssMB, 0)])
            stepTable.add(["ptune speed-up over PEFT (review prompts)", "", fmt(peft.seconds / ours, 2) + "×", "", "", "", ""])
        }
        tables.append(stepTable)
        tables += try LlamaStepProfile.tables(model, batches: Array(try LlamaStepBench.batches(sequences, count: 12).dropFirst(2)))
        let fileBytes = ((try? FileManager.default.attributesOfItem(atPath: modelPath))?[.size] as? Int) ?? 0
        var info = Table(title: "SmolLM2-135M load (the GGUF file is \(fmt(Double(fileBytes) / 1e6, 0)) MB)", header: ["what", "value"])
        info.add(["load, weights kept in their blocks", fmt(loadSeconds, 2) + " s"])
        info.add(["weights in their blocks (\(model.weights.formatNames.joined(separator: "+")))", fmt(Double(model.weights.byteCount) / 1e6, 0) + " MB"])
        info.add(["load, decoding every weight to float32", fmt(denseSeconds, 2) + " s"])
        info.add(["weights decoded to float32", fmt(Double(dense.weights.byteCount) / 1e6, 0) + " MB"])
        tables.append(info)
        tables.append(LlamaMemoryBench.table(threads: threads))
        return tables
    }

    /// The review prompts of the split's `texts` as token ids, or, when the split is not fetched, sentences made of
    /// the model's own frequent tokens, 20–45 long.
    static func reviewPrompts(_ tokenizer: ByteLevelBPE, _ texts: [String]) throws -> [[Int]] {
        let sequences = texts.map { tokenizer.encode("Review: \($0)\nSentiment:") }
        if !sequences.isEmpty { return sequences }
        var g = Generator(seed: 5)
        return try (0..<64).map { i in try Tensor.randint([20 + i % 26], in: 300..<5000, using: &g).ints }
    }

    /// The inference table alone (decode, prefill, batched decode, scoring) beside llama.cpp's figures on the same
    /// file (section `llm-infer`).
    static func inference(threads: Int) throws -> Table? {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            print("\nllm-infer: SmolLM2 is not downloaded: run scripts/fetch-models")
            return nil
        }
        let file = try GGUFFile(path: modelPath)
        let anchor = LlamaCppAnchor()
        print("# \(anchor.summary)")
        let sequences = try reviewPrompts(try ByteLevelBPE(gguf: file), (try? reviewTexts()) ?? [])
        return try LlamaInferenceBench.table(stored: try DecoderModel(gguf: file), dense: try DecoderModel(gguf: file, storage: .float32),
                                             sequences: sequences, threads: threads, anchor: anchor, modelPath: modelPath)
    }

    /// A 40-token prompt for the decoding profile: the first long enough review, or tokens drawn at random.
    static func decodePrompt(_ file: GGUFFile) throws -> [Int] {
        let tokenizer = try ByteLevelBPE(gguf: file)
        let texts = (try? reviewTexts()) ?? []
        if let long = texts.lazy.map({ tokenizer.encode("Review: \($0)\nSentiment:") }).first(where: { $0.count >= 40 }) {
            return Array(long.prefix(40))
        }
        var g = Generator(seed: 5)
        return try Tensor.randint([40], in: 300..<5000, using: &g).ints
    }

    /// The review texts of the training split, if fetched.
    static func reviewTexts() throws -> [String] {
        let text = try String(contentsOfFile: trainPath, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["text"] as? String
        }
    }

    /// sgemm GFLOPS (OpenBLAS called directly) at the GEMM shapes of a step with `rows` packed rows: forward
    /// `x · Wᵀ` and the input-gradient `g · W`.
    static func gemmTable(rows m: Int) throws -> (table: Table, best: Double) {
        var table = Table(title: "sgemm at SmolLM2 step shapes (\(BLAS.threads) threads, OpenBLAS called directly, \(m) rows)",
                          header: ["product", "m × n × k", "GFLOPS"])
        var best = 0.0, weighted = 0.0, flopsTotal = 0.0
        for (name, n, k, transB) in [("x · W_qkvᵀ", 960, 576, true), ("x · W_oᵀ", 576, 576, true),
                                     ("x · W_gate,upᵀ", 3072, 576, true), ("x · W_downᵀ", 576, 1536, true),
                                     ("g · W_qkv", 576, 960, false), ("g · W_o", 576, 576, false),
                                     ("g · W_gate,up", 576, 3072, false), ("g · W_down", 1536, 576, false)] {
            let a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: n * k)
            var c = [Float](repeating: 0, count: m * n)
            let t = BLAS.withOpenBLASThreading {
                Clock.median(minTime: 0.3, minReps: 10) {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                                1, a, Int32(k), b, Int32(transB ? k : n), 0, &c, Int32(n))
                }
            }
            let flops = 2 * Double(m * n * k)
            table.add([name, "\(m) × \(n) × \(k)", fmt(flops / t / 1e9)])
            best = Swift.max(best, flops / t / 1e9)
            weighted += flops / (flops / t / 1e9)
            flopsTotal += flops
        }
        // The throughput a step's GEMM mix gets: total FLOPs over total time at these shapes.
        let mix = flopsTotal / weighted
        table.add(["step mix (FLOP-weighted)", "", fmt(mix)])
        return (table, mix)
    }
}

extension LlamaBench {
    /// Only the p-tuning step on review batches, `count` times, then where the time of a step goes (for profiling:
    /// `ptune-bench llm-step`). With the PEFT anchor, PEFT's median step over 20 batches of the same split runs
    /// between two rounds of ptune's steps, and the ratio is taken against their mean, so both sides see the same
    /// load on the machine.
    static func profileSteps(count: Int, peft: PEFTBaseline? = nil, threads: Int = BLAS.threads) throws {
        let file = try GGUFFile(path: modelPath)
        let model = try DecoderModel(gguf: file)
        let tokenizer = try ByteLevelBPE(gguf: file)
        let seqs = try reviewTexts().map { tokenizer.encode("Review: \($0)\nSentiment:") }
        let encoder = try LlamaStepBench.Encoder(tokens: 10, dim: model.config.hiddenSize, hidden: 256, seed: 0)
        func round() throws -> [Double] {
            var times: [Double] = []
            for b in 0..<count {
                let batch = (0..<8).map { seqs[(b * 8 + $0) % seqs.count] }
                let t0 = Clock.now()
                _ = try LlamaStepBench.step(model, encoder, batch, labels: [0, 1, 0, 1, 1, 0, 1, 0])
                times.append(Clock.now() - t0)
            }
            return times
        }
        func median(_ t: [Double]) -> Double { t.sorted()[t.count / 2] }
        let first = try round()
        print("steps: median \(fmt(median(first), 3)) s, min \(fmt(first.min() ?? 0, 3)) s (load average \(loadAverage()))")
        if let peft, let anchor = peft.step(steps: 20, threads: threads, data: home + "/data/reviews") {
            let second = try round()
            let ours = (median(first) + median(second)) / 2
            print("PEFT + PyTorch f32, same split, median of 20 steps (same run): \(fmt(anchor.seconds, 3)) s, peak RSS \(fmt(anchor.rssMB, 0)) MB")
            print("steps again after PEFT: median \(fmt(median(second), 3)) s (load average \(loadAverage()))")
            print("ptune speed-up over PEFT: \(fmt(anchor.seconds / ours, 2))× (\(fmt(anchor.seconds, 3)) s / \(fmt(ours, 3)) s, ptune's two rounds averaged)")
        } else if peft != nil {
            print("PEFT: not run (\(peft?.scripts.summary ?? ""); it needs torch and peft in $PTUNE_BENCH_PYTHON or python3)")
        }
        let batches = Array(try LlamaStepBench.batches(seqs, count: count + 2).dropFirst(2))
        for t in try LlamaStepProfile.tables(model, batches: batches, details: true) { print(t.render()) }
    }

    /// The 1-minute load average, as the kernel reports it.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first).map(String.init) ?? "?"
    }
}
