import Foundation

/// The PEFT anchor measured in this same run (the folder of `ptune_peft.py`, PyTorch float32, from `--peft-anchor
/// DIR` or `$PTUNE_PEFT_ANCHOR`), so the p-tuning step can be compared as a ratio on the same machine at the same
/// moment. Needs torch, peft and the float32 conversion of the GGUF file (`convert_gguf.py`, in `$SMOLLM2_F32` or
/// `~/.cache/ptune-baselines/smollm2-135m-instruct-f32`); anything missing just leaves the row out.
struct PEFTBaseline {
    /// Where the anchor's scripts are, if anywhere.
    let scripts: ScriptFolder

    /// The anchor in `option` (`--peft-anchor DIR`), else in `$PTUNE_PEFT_ANCHOR`.
    init(option: String?) {
        scripts = ScriptFolder(option: option, variable: "PTUNE_PEFT_ANCHOR", flag: "--peft-anchor", marker: "ptune_peft.py",
                               what: "PEFT anchor")
    }

    /// The converted float32 model, if present.
    var convertedModel: String? {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["SMOLLM2_F32"], NSHomeDirectory() + "/.cache/ptune-baselines/smollm2-135m-instruct-f32"]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0 + "/model.safetensors") }
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
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.currentDirectoryURL = URL(fileURLWithPath: work)
        p.arguments = ["python3", work + "/ptune_peft.py", "--max-steps", "\(steps)", "--valid-n", "8", "--test-n", "8",
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
