import Foundation

/// The numpy/PyTorch reference workloads (the folder of `w1_seed_numpy.py`, `w1_seed_torch.py`, …), run in this
/// same run so ptune's figures can be printed beside them as ratios. The folder comes from `--baselines DIR` or
/// `$PTUNE_BASELINES`; without one, or without Python, numpy or torch, the comparison columns stay empty.
struct Baselines {
    /// Where the scripts are, if anywhere.
    let scripts: ScriptFolder
    /// The folder holding the baseline scripts, nil when there is none to run.
    var folder: String? { scripts.path }

    /// The scripts in `option` (`--baselines DIR`), else in `$PTUNE_BASELINES`.
    init(option: String?) {
        scripts = ScriptFolder(option: option, variable: "PTUNE_BASELINES", flag: "--baselines", marker: "w1_seed_numpy.py",
                               what: "numpy/PyTorch baselines")
    }

    /// Runs `python3 script args…` and returns the last line of its standard output parsed as a JSON object.
    func run(_ script: String, _ args: [String] = []) -> [String: Any]? {
        guard let folder else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", folder + "/" + script] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let text = String(data: data, encoding: .utf8),
              let last = text.split(separator: "\n").last,
              let obj = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else { return nil }
        return obj
    }

    /// `steps_per_sec` of a baseline workload, or nil when it cannot run here.
    func stepsPerSecond(_ script: String, _ args: [String] = []) -> Double? {
        run(script, args)?["steps_per_sec"] as? Double
    }

    /// Whether the baselines can run and PyTorch is importable.
    var hasTorch: Bool {
        guard folder != nil else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import torch"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// numpy's float64 matmul GFLOPS at size n with its own BLAS and the given threads (from matmul_gflops.py).
    func numpyGFLOPS(sizes: [Int], threads: Int) -> [Int: Double] {
        guard let obj = run("matmul_gflops.py", ["--sizes", sizes.map(String.init).joined(separator: ","), "--threads", "\(threads)"]),
              let results = obj["results"] as? [[String: Any]] else { return [:] }
        var out: [Int: Double] = [:]
        for r in results { if let n = r["n"] as? Int, let g = r["gflops"] as? Double { out[n] = g } }
        return out
    }
}

/// A folder of comparison scripts given by a command-line option, else by an environment variable, and a line saying
/// what the run compares against or why it does not (printed once at the top of the output).
struct ScriptFolder {
    /// The folder, nil when none was given or it lacks its marker file.
    let path: String?
    /// What the run compares against, or why it does not.
    let summary: String

    /// The folder `option` names, else the one in the environment `variable`, if it holds `marker`.
    init(option: String?, variable: String, flag: String, marker: String, what: String) {
        let given = option ?? ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        guard let dir = given else {
            path = nil
            summary = "no \(what): pass \(flag) DIR or set \(variable) to the folder holding \(marker) to compare in this run"
            return
        }
        guard FileManager.default.fileExists(atPath: dir + "/" + marker) else {
            path = nil
            summary = "no \(what): \(dir) does not hold \(marker)"
            return
        }
        path = dir
        summary = "\(what) from \(dir)"
    }
}
