import Foundation

/// Runs the numpy/PyTorch reference workloads (`../shared/bench/baselines` or `$PTUNE_BASELINES`) in this same run,
/// so ptune's figures can be printed beside them as ratios. Missing Python, numpy or torch just leaves a gap.
enum Baselines {
    /// The folder holding the baseline scripts, if present.
    static var folder: String? {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["PTUNE_BASELINES"], env["PTUNE_REPO"].map { $0 + "/../shared/bench/baselines" },
                          FileManager.default.currentDirectoryPath + "/../shared/bench/baselines"].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/w1_seed_numpy.py") }
    }

    /// Runs `python3 script args…` and returns the last line of its standard output parsed as a JSON object.
    static func run(_ script: String, _ args: [String] = []) -> [String: Any]? {
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
    static func stepsPerSecond(_ script: String, _ args: [String] = []) -> Double? {
        run(script, args)?["steps_per_sec"] as? Double
    }

    /// Whether PyTorch is importable.
    static var hasTorch: Bool {
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
    static func numpyGFLOPS(sizes: [Int], threads: Int) -> [Int: Double] {
        guard let obj = run("matmul_gflops.py", ["--sizes", sizes.map(String.init).joined(separator: ","), "--threads", "\(threads)"]),
              let results = obj["results"] as? [[String: Any]] else { return [:] }
        var out: [Int: Double] = [:]
        for r in results { if let n = r["n"] as? Int, let g = r["gflops"] as? Double { out[n] = g } }
        return out
    }
}
