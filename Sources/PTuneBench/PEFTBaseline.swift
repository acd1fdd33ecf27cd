import Foundation

/// The PEFT anchor measured in this same run (the folder of `ptune_peft.py`, PyTorch float32, from `--peft-anchor
/// DIR` or `$PTUNE_PEFT_ANCHOR`), so the p-tuning step can be compared as a ratio on the same machine at the same
/// moment. Needs a Python with torch and peft (`$PTUNE_BENCH_PYTHON`, else `python3`) and the float32 Hugging Face
/// folder of the GGUF file (`$SMOLLM2_F32`, else `$PTUNE_HOME/baselines/smollm2-135m-instruct-f32`, which the
/// anchor's `convert_gguf.py` writes on first use); anything missing just leaves the row out.
struct PEFTBaseline {
    /// Where the anchor's scripts are, if anywhere.
    let scripts: ScriptFolder

    /// The anchor in `option` (`--peft-anchor DIR`), else in `$PTUNE_PEFT_ANCHOR`.
    init(option: String?) {
        scripts = ScriptFolder(option: option, variable: "PTUNE_PEFT_ANCHOR", flag: "--peft-anchor", marker: "ptune_peft.py",
                               what: "PEFT anchor")
    }

    /// The interpreter that runs the anchor: `$PTUNE_BENCH_PYTHON` (scripts/bench sets it to the test environment's).
    var python: [String] {
        if let p = ProcessInfo.processInfo.environment["PTUNE_BENCH_PYTHON"], !p.isEmpty { return [p] }
        return ["/usr/bin/env", "python3"]
    }

    /// Where the float32 conversion lives: `$SMOLLM2_F32`, else inside ptune's cache.
    var modelFolder: String {
        if let f = ProcessInfo.processInfo.environment["SMOLLM2_F32"], !f.isEmpty { return f }
        return LlamaBench.home + "/baselines/smollm2-135m-instruct-f32"
    }

    /// The converted float32 model, written by the anchor's `convert_gguf.py` from the GGUF file when missing (about
    /// half a minute, 538 MB; it checks " Paris" and the per-token loss on 50 validation reviews), or nil.
    var convertedModel: String? {
        let folder = modelFolder
        if FileManager.default.fileExists(atPath: folder + "/model.safetensors") { return folder }
        guard let scripts = scripts.path, FileManager.default.fileExists(atPath: scripts + "/convert_gguf.py") else { return nil }
        let work = NSTemporaryDirectory() + "ptune-convert-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: scripts + "/convert_gguf.py", toPath: work + "/convert_gguf.py")
            // The script checks the conversion on the review split beside it.
            try FileManager.default.createSymbolicLink(atPath: work + "/data", withDestinationPath: LlamaBench.home + "/data/reviews")
        } catch { return nil }
        print("# converting SmolLM2 to a float32 Hugging Face folder for PEFT: \(folder)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python[0])
        p.arguments = Array(python.dropFirst()) + [work + "/convert_gguf.py", "--gguf", LlamaBench.modelPath, "--out", folder, "--ref", ""]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: folder + "/model.safetensors") else {
            try? FileManager.default.removeItem(atPath: folder)
            return nil
        }
        return folder
    }

    /// Median seconds per PEFT training step over `steps` steps (batch 8, 10 virtual tokens, MLP 256, AdamW) on the
    /// review split, and PEFT's peak RSS in MB, or nil (with the reason) when it cannot run here.
    func step(steps: Int, threads: Int, data: String) -> (seconds: Double, rssMB: Double)? {
        guard let folder = scripts.path, let model = convertedModel else { return nil }
        let work = NSTemporaryDirectory() + "ptune-peft-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            for f in ["common.py", "ptune_peft.py"] {
                try FileManager.default.copyItem(atPath: folder + "/" + f, toPath: work + "/" + f)
            }
        } catch { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python[0])
        p.currentDirectoryURL = URL(fileURLWithPath: work)
        p.arguments = Array(python.dropFirst()) + [work + "/ptune_peft.py", "--max-steps", "\(steps)", "--valid-n", "8", "--test-n", "8",
                       "--eval-every", "100000", "--threads", "\(threads)", "--tag", "bench"]
        var env = ProcessInfo.processInfo.environment
        env["SMOLLM2_F32"] = model
        env["SMOLLM2_DATA"] = data
        env["SMOLLM2_WORK"] = work
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let json = try? Data(contentsOf: URL(fileURLWithPath: work + "/results/ptune_bench.json")),
              let obj = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let timing = obj["timing"] as? [String: Any], let median = timing["median_step_s"] as? Double
        else { return nil }
        return (median, obj["peak_rss_mb"] as? Double ?? .nan)
    }
}
