import Foundation
import Testing
@testable import PTuneRun

/// Run tables and diffs over record folders written here by hand.
@Suite struct RunTableTests {
    /// Writes a record folder `name` under `root` with the given overrides, seed and per-step losses and evals.
    static func record(_ root: URL, _ name: String, overrides: [(String, String)], seed: UInt64, losses: [Double],
                       evals: [Int: Double] = [:], seconds: Double = 1, script: String = "let lr = 0.1\n",
                       kernels: String? = "Haswell") throws {
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "block,step,epoch,loss,eval_name,eval,lr\n"
        for (i, l) in losses.enumerated() {
            let e = evals[i + 1]
            csv += "w,\(i + 1),1,\(l),\(e == nil ? "" : "eval"),\(e.map { String($0) } ?? ""),0.1\n"
        }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("metrics.csv"))
        try Data(script.utf8).write(to: folder.appendingPathComponent("r.pt"))
        let last = evals.keys.max().flatMap { evals[$0] }
        let record = RunRecord(
            ptuneVersion: "0.1.0", script: "r.pt", scriptSHA256: SHA256.hex(of: Array(script.utf8)), scriptCopy: "r.pt",
            seed: seed, seedSource: .option, overrides: overrides.map { RunRecord.Override(name: $0.0, value: $0.1) },
            rerun: [], started: "2026-01-01T00:00:00Z", finished: "2026-01-01T00:00:01Z", seconds: seconds, exitStatus: 0,
            finalMetrics: [RunRecord.FinalMetrics(block: "w", step: losses.count, totalSteps: losses.count, loss: losses.last ?? 0,
                                                  evalName: last == nil ? nil : "eval", eval: last)],
            metricsCSV: "metrics.csv", metricsSHA256: SHA256.hex(of: Array(csv.utf8)), savedFiles: [],
            peakMemoryBytes: 64 << 20, environment: RunEnvironment(host: "h", os: "linux", cores: 2, threads: 1, blasKernels: kernels))
        try Data(try record.json().utf8).write(to: folder.appendingPathComponent("record.json"))
    }

    /// Four runs: two learning rates × two seeds, with a recipe value `steps` that never changes.
    static func sweep() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-table-\(UUID().uuidString)")
        try record(root, "lr=0.1_seed=0", overrides: [("steps", "3"), ("lr", "0.1")], seed: 0, losses: [3, 1, 2], evals: [2: 0.5, 3: 0.75])
        try record(root, "lr=0.1_seed=1", overrides: [("steps", "3"), ("lr", "0.1")], seed: 1, losses: [3, 2, 1.5], evals: [2: 0.25, 3: 0.5])
        try record(root, "lr=0.3_seed=0", overrides: [("steps", "3"), ("lr", "0.3")], seed: 0, losses: [3, 0.5, 0.25], evals: [3: 1])
        try record(root, "lr=0.3_seed=1", overrides: [("steps", "3"), ("lr", "0.3")], seed: 1, losses: [3, 0.75, 0.5], evals: [3: 0.875])
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".sweep/lr=0.1_seed=0"), withIntermediateDirectories: true)
        return root
    }

    @Test func oneRowPerRunWithFinalAndBestNumbers() throws {
        let root = try RunTableTests.sweep()
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = try RunFolder.gather(root.path)
        #expect(runs.map(\.name) == ["lr=0.1_seed=0", "lr=0.1_seed=1", "lr=0.3_seed=0", "lr=0.3_seed=1"])
        let table = try RunTable(runs: runs)
        #expect(table.columns.map(\.name) == ["run", "recipe", "steps", "lr", "seed", "status", "steps_run", "loss", "best_loss",
                                              "eval", "best_eval", "seconds", "peak_memory"])
        let first = table.rows[0]
        #expect(first[7] == .number(2, .metric))       // the last loss
        #expect(first[8] == .number(1, .metric))       // the lowest
        #expect(first[9] == .number(0.75, .metric))
        #expect(first[10] == .number(0.5, .metric))    // the lowest eval, as a train block's default goal
        #expect(table.rows[1][10] == .number(0.25, .metric))
        let maxGoal = try RunTable(runs: runs, options: .init(goal: .max))
        #expect(maxGoal.rows[1][10] == .number(0.5, .metric))
    }

    @Test func onlyChangedKeepsTheSettingsThatDiffer() throws {
        let root = try RunTableTests.sweep()
        defer { try? FileManager.default.removeItem(at: root) }
        let table = try RunTable(runs: try RunFolder.gather(root.path), options: .init(onlyChanged: true))
        #expect(table.columns.filter(\.isSetting).map(\.name) == ["run", "lr", "seed"])
        let md = table.markdown()
        #expect(md.hasPrefix("| run           | lr  | seed | status | steps_run |   loss | best_loss |"))
        #expect(md.contains("| lr=0.3_seed=1 | 0.3 | 1    |      0 |         3 | 0.5000 |    0.5000 | 0.8750 |    0.8750 |     1.0 |      64 MiB |"))
    }

    @Test func groupsShowMeanAndStandardDeviationOverSeeds() throws {
        let root = try RunTableTests.sweep()
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = try RunFolder.gather(root.path)
        let table = try RunTable(runs: runs, options: .init(groupBy: ["lr"], sort: "loss"))
        #expect(table.columns.map(\.name).prefix(3) == ["lr", "runs", "status"])
        #expect(table.rows.map { $0[0] } == [.text("0.3"), .text("0.1")])     // sorted by mean loss: 0.375 < 1.75
        let loss = table.rows[0][4]
        guard case let .stat(mean, std, n, _) = loss else { Issue.record("not a stat: \(loss)"); return }
        #expect(mean == 0.375 && n == 2)
        #expect(abs(std - (0.125 * 0.125 * 2).squareRoot()) < 1e-15)
        #expect(table.markdown().contains("| 0.3 |    2 |"))
        #expect(table.markdown().contains("0.3750 ± 0.1768"))
        let csv = table.csv().split(separator: "\n")
        #expect(csv[0].hasPrefix("lr,runs_mean,runs_std,") == false)
        #expect(csv[0].hasPrefix("lr,runs,status_mean,status_std,steps_run_mean,steps_run_std,loss_mean,loss_std,"))
        #expect(csv[1].hasPrefix("0.3,2,0,0,3,0,0.375,0.1767766952966369,"))
        let json = try JSONSerialization.jsonObject(with: Data(table.json().utf8)) as? [[String: Any]]
        let stat = json?[0]["loss"] as? [String: Any]
        #expect(stat?["mean"] as? Double == 0.375 && stat?["n"] as? Int == 2)
        #expect(throws: RunsError.self) { try RunTable(runs: runs, options: .init(groupBy: ["nope"])) }
        #expect(throws: RunsError.self) { try RunTable(runs: runs, options: .init(sort: "nope")) }
        let down = try RunTable(runs: runs, options: .init(sort: "best_eval", descending: true))
        #expect(down.rows.map { $0[0] } == [.text("lr=0.3_seed=0"), .text("lr=0.3_seed=1"), .text("lr=0.1_seed=0"), .text("lr=0.1_seed=1")])
    }

    @Test func diffShowsRecipeSettingsAndNumbers() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ptune-diff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunTableTests.record(root, "a", overrides: [("lr", "0.1")], seed: 0, losses: [2, 1], seconds: 2,
                                 script: "seed 1\nlet lr = 0.1\nlet steps = 2\nprint lr\n")
        try RunTableTests.record(root, "b", overrides: [("lr", "0.3"), ("steps", "2")], seed: 4, losses: [2, 0.5], seconds: 1,
                                 script: "seed 1\nlet lr = 0.2\nlet steps = 2\nprint lr\n")
        let a = try RunFolder(path: root.path + "/a", name: "a"), b = try RunFolder(path: root.path + "/b", name: "b")
        let text = RunDiff(a, b).rendered()
        #expect(text.contains("@@ -1,4 +1,4 @@\n seed 1\n-let lr = 0.1\n+let lr = 0.2\n let steps = 2\n"))
        #expect(text.contains("  lr: 0.1 -> 0.3\n  steps: (recipe's value) -> 2\n  seed: 0 (--seed) -> 4 (--seed)\n"))
        #expect(text.contains("environment: the same\n"))
        #expect(text.contains("  loss         1.0000  0.5000  -0.5000 (-50.0%)\n"))
        #expect(text.contains("  seconds         2.0     1.0     -1.0 (-50.0%)\n"))
        #expect(RunDiff(a, a).rendered().contains("recipe: the same (r.pt, sha256 "))
        #expect(RunDiff(a, a).rendered().contains("settings: the same\n"))
        // Two machines whose OpenBLAS kernels differ print different last digits: the diff says so.
        try RunTableTests.record(root, "c", overrides: [("lr", "0.1")], seed: 0, losses: [2, 1], seconds: 2,
                                 script: "seed 1\nlet lr = 0.1\nlet steps = 2\nprint lr\n", kernels: "Cooperlake")
        let c = try RunFolder(path: root.path + "/c", name: "c")
        #expect(RunDiff(a, c).rendered().contains("environment:\n  BLAS kernels: Haswell -> Cooperlake\n"))
    }

    @Test func lineDiffHunks() {
        let old = (1...12).map { "l\($0)" }.joined(separator: "\n")
        let new = old.replacingOccurrences(of: "l2\n", with: "L2\n").replacingOccurrences(of: "l11", with: "l11\nnew")
        let d = LineDiff.unified(old, new, oldName: "a", newName: "b")
        #expect(d == "--- a\n+++ b\n@@ -1,4 +1,4 @@\n l1\n-l2\n+L2\n l3\n l4\n@@ -10,3 +10,4 @@\n l10\n l11\n+new\n l12\n")
        #expect(LineDiff.unified(old, old, oldName: "a", newName: "b") == "")
    }
}
