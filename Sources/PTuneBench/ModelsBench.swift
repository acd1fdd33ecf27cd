import Foundation
import PTuneCore
import PTuneModels

/// The model loaders' benchmarks: GGUF open and dequantization, tokenizer throughput, MiniLM sentence encoding.
/// Rows whose model files are absent say so (run scripts/fetch-models).
enum ModelsBench {
    static var home: String {
        if let h = ProcessInfo.processInfo.environment["PTUNE_HOME"], !h.isEmpty { return h }
        return NSHomeDirectory() + "/.cache/ptune"
    }
    static var smollm2: String { home + "/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf" }
    static var minilm: String { home + "/models/minilm-l6" }

    /// Sentences to tokenize: the review training split when fetched, else a fixed synthetic mix.
    static func sentences() -> [String] {
        if let text = try? String(contentsOfFile: home + "/data/reviews/train.jsonl", encoding: .utf8) {
            let rows = text.split(separator: "\n").compactMap { line -> String? in
                guard let d = line.data(using: .utf8), let o = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else { return nil }
                return o["text"] as? String
            }
            if !rows.isEmpty { return rows }
        }
        return (0..<2000).map { "Review \($0): the film's 2nd act drags, but the cast — and its café scene — is a delight!" }
    }

    static func run() throws -> Table {
        var table = Table(title: "model loading and tokenizers", header: ["what", "figure", "unit"])
        let texts = sentences()
        let chars = Double(texts.reduce(0) { $0 + $1.count })
        if FileManager.default.fileExists(atPath: smollm2) {
            var file: GGUFFile? = nil
            let open = try Clock.median(minTime: 0.5) { file = try GGUFFile(path: smollm2) }
            guard let gguf = file else { return table }
            table.add(["SmolLM2 GGUF open (metadata + tensor table, mmap)", fmt(open * 1e3), "ms"])
            var tok: ByteLevelBPE? = nil
            let build = try Clock.median(minTime: 0.5) { tok = try ByteLevelBPE(gguf: gguf) }
            table.add(["SmolLM2 BPE build from metadata", fmt(build * 1e3), "ms"])
            let t0 = Clock.now()
            var elements = 0
            for info in gguf.tensors { elements += try gguf.tensor(named: info.name).count }
            let deq = Clock.now() - t0
            table.add(["dequantize all \(gguf.tensors.count) tensors one by one (\(grouped(Double(elements))) floats)", fmt(deq, 2), "s"])
            table.add(["  throughput", fmt(Double(elements) * 4 / deq / 1e9, 2), "GB/s of float32"])
            if let tok {
                var tokens = 0
                let enc = Clock.median(minTime: 0.5) { tokens = texts.reduce(0) { $0 + tok.encode($1).count } }
                table.add(["SmolLM2 BPE encode (\(texts.count) reviews)", grouped(Double(texts.count) / enc), "sentences/s"])
                table.add(["  ", grouped(Double(tokens) / enc), "tokens/s"])
                table.add(["  ", fmt(chars / enc / 1e6, 2), "M chars/s"])
            }
        } else {
            table.add(["SmolLM2 rows", "absent", "run scripts/fetch-models"])
        }
        if FileManager.default.fileExists(atPath: minilm + "/vocab.txt") {
            let wp = try WordPiece(vocabFile: minilm + "/vocab.txt")
            var tokens = 0
            let enc = Clock.median(minTime: 0.5) { tokens = texts.reduce(0) { $0 + wp.encode($1).count } }
            table.add(["MiniLM WordPiece encode (\(texts.count) reviews)", grouped(Double(texts.count) / enc), "sentences/s"])
            table.add(["  ", grouped(Double(tokens) / enc), "tokens/s"])
            var model: BERTModel? = nil
            let load = try Clock.median(minTime: 0.5) { model = try BERTModel(directory: minilm) }
            table.add(["MiniLM load (config, safetensors, vocab)", fmt(load * 1e3), "ms"])
            if let model {
                let sample = Array(texts.prefix(512))
                let enc = try Clock.median(minTime: 2, minReps: 2) { _ = try model.sentenceEmbeddings(sample, batchSize: 32) }
                table.add(["MiniLM sentence embeddings (\(sample.count) reviews, batch 32)", fmt(Double(sample.count) / enc, 0), "sentences/s"])
                let (ids, mask) = try model.batch(try sample.prefix(8).map { try model.tokenIds($0) })
                let step = try Clock.median(minTime: 1) {
                    let x = try model.embed(ids).requiringGradient()
                    let loss = try model.forward(embeddings: x, attentionMask: mask).sum()
                    _ = try Tensor.gradients(of: loss, wrt: [x])
                }
                table.add(["MiniLM forward + input backward (batch 8 × \(ids.shape[1]) tokens)", fmt(step * 1e3), "ms"])
            }
        } else {
            table.add(["MiniLM rows", "absent", "run scripts/fetch-models"])
        }
        table.add(["peak RSS so far", fmt(Double(peakRSSBytes()) / 1e6, 0), "MB"])
        return table
    }
}
