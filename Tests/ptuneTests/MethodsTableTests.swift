import Foundation
import Testing
@testable import PTuneRun

/// What the method comparison (docs/methods.md) is built from: `log_metric` results, the trainable parameters and
/// seconds per step of a recorded `train` block, `ptune runs table --columns`, and `scripts/methods-table`, which
/// turns records into the Markdown table (checked here on small records written by hand, not on the long runs).
@Suite struct MethodsTableTests {
    /// A recorded run keeps the script's `log_metric` results (the last value of each name; a NaN keeps nothing) and,
    /// for its train block, how many numbers it trained and the mean seconds of a step; the run table shows them.
    @Test func resultsAndStepFiguresReachTheRecordAndTheTable() throws {
        let dir = try PtuneProcess.temporaryFolder("methods-record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            seed 0
            param w = randn(3, 2)
            param b = zeros(2)
            let x = randn(8, 3)
            let y = randn(8, 2)
            train w, b on dataset(x: x, y: y) {
              loss: mse(batch.x @ w + b, batch.y)
              optimizer: sgd(lr: 0.1)
              batch: 4
              steps: 6
            }
            log_metric("test_accuracy", 0.25)
            log_metric("test_accuracy", 0.75)
            log_metric("gap", sqrt(-1))
            """
        try script.write(to: dir.appendingPathComponent("r.pt"), atomically: true, encoding: .utf8)
        let r = try PtuneProcess.run(["run", "--record", "runs/r", "r.pt"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let record = try RunRecord.read(from: dir.appendingPathComponent("runs/r/record.json").path)
        #expect(record.results == ["test_accuracy": 0.75])
        let final = try #require(record.finalMetrics.first)
        #expect(final.trainableParameters == 8)
        #expect((final.secondsPerStep ?? 0) > 0 && (final.secondsPerStep ?? 1) < record.seconds)

        let table = try PtuneProcess.run(["runs", "table", "runs", "--format", "csv",
                                          "--columns", "run,test_accuracy,trainable_parameters,steps"], in: dir)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout == "run,test_accuracy,trainable_parameters,steps\nr,0.75,8,6\n")
        let unknown = try PtuneProcess.run(["runs", "table", "runs", "--columns", "run,accuracy"], in: dir)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no column 'accuracy'"), "\(unknown.stderr)")
        // Outside a record, log_metric keeps nothing and prints nothing; a bad name is a located error.
        let plain = try PtuneProcess.run(["-e", "log_metric(\"acc\", 1)\nprint 2"], in: dir)
        #expect(plain.status == 0 && plain.stdout == "2\n", "\(plain.stderr)")
        let bad = try PtuneProcess.run(["-e", "log_metric(\"test accuracy\", 1)"], in: dir)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("letters, digits and underscores"), "\(bad.stderr)")
    }

    /// Writes a record folder `name` under `root`: a run with one train block (or none), its exit status and results.
    static func record(_ root: URL, _ name: String, steps: Int?, parameters: Int?, secondsPerStep: Double?,
                       accuracy: Double?, status: Int32 = 0, seconds: Double, peak: Int) throws {
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = "block,step,epoch,loss,eval_name,eval,lr\n"
        try Data(csv.utf8).write(to: folder.appendingPathComponent("metrics.csv"))
        let finals = steps.map {
            [RunRecord.FinalMetrics(block: "pe", step: $0, totalSteps: $0, loss: 0.5, evalName: nil, eval: nil,
                                    trainableParameters: parameters, secondsPerStep: secondsPerStep)]
        } ?? []
        let record = RunRecord(
            ptuneVersion: "0.1.0", script: name + ".pt", scriptSHA256: String(repeating: "0", count: 64), scriptCopy: name + ".pt",
            seed: 0, seedSource: .script, overrides: [], rerun: [], started: "2026-01-01T00:00:00Z",
            finished: "2026-01-01T00:10:00Z", seconds: seconds, exitStatus: status, finalMetrics: finals,
            metricsCSV: "metrics.csv", metricsSHA256: SHA256.hex(of: Array(csv.utf8)), savedFiles: [],
            peakMemoryBytes: peak, results: accuracy.map { ["test_accuracy": $0] })
        try Data(try record.json().utf8).write(to: folder.appendingPathComponent("record.json"))
    }

    /// `scripts/methods-table run --set NAME=VALUE` passes the setting to each recipe that has it (in the recipe or a
    /// file it imports) and leaves it out for the others (checked with a stand-in `ptune` that logs what it is asked).
    @Test func theRunScriptPassesSettingsToTheRecipesThatHaveThem() throws {
        let dir = try PtuneProcess.temporaryFolder("methods-set")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("calls.log")
        let standIn = dir.appendingPathComponent("ptune")
        try """
            #!/bin/bash
            if [[ "$1" == run ]]; then echo "$*" >> "\(log.path)"; exit 3; fi
            exec "\(PtuneProcess.binary.path)" "$@"
            """.write(to: standIn, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn.path)
        let doc = dir.appendingPathComponent("methods.md")
        try "<!-- methods-table: begin -->\n<!-- methods-table: end -->\n".write(to: doc, atomically: true, encoding: .utf8)
        let script = PtuneProcess.packageRoot.appendingPathComponent("scripts/methods-table")
        let r = try PtuneProcess.run([script.path, "run", "--runs", dir.appendingPathComponent("runs").path, "--write", doc.path,
                                      "--only", "smollm2-zero-shot,smollm2-ptuning-mlp", "--set", "steps=5", "--set", "virtual=3"],
                                     in: dir, environment: ["PTUNE": standIn.path], executable: URL(fileURLWithPath: "/bin/bash"))
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(calls.count == 2, "\(calls) \(r.stderr)")
        // steps lives in smollm2-common.pt, which both import; only the P-tuning recipe has virtual tokens.
        #expect(calls.first { $0.hasSuffix("smollm2-zero-shot.pt") }?.contains("--set steps=5 ") == true, "\(calls)")
        #expect(calls.first { $0.hasSuffix("smollm2-zero-shot.pt") }?.contains("virtual") == false, "\(calls)")
        #expect(calls.first { $0.hasSuffix("smollm2-ptuning-mlp.pt") }?.contains("--set steps=5 --set virtual=3 ") == true, "\(calls)")
        #expect(r.stderr.contains("methods-table: smollm2-zero-shot failed"), "\(r.stderr)")
        let bad = try PtuneProcess.run([script.path, "run", "--set", "steps"], in: dir, environment: ["PTUNE": standIn.path],
                                       executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(bad.status == 2)
    }

    /// `scripts/methods-table table` puts the records' numbers, formatted, in the recipes' order (a record of another
    /// name after them), between the marker lines of each file it writes, and leaves the rest of the file alone.
    @Test func theTableScriptWritesTheRecordsBetweenTheMarkers() throws {
        let dir = try PtuneProcess.temporaryFolder("methods-table")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = dir.appendingPathComponent("runs")
        try MethodsTableTests.record(runs, "smollm2-deep-prompts", steps: 250, parameters: 230_400, secondsPerStep: 1.2345,
                                     accuracy: 0.9126, seconds: 612, peak: 912_000_000)
        try MethodsTableTests.record(runs, "smollm2-zero-shot", steps: nil, parameters: nil, secondsPerStep: nil,
                                     accuracy: 0.801, seconds: 72, peak: 450_000_000)
        try MethodsTableTests.record(runs, "minilm-ptuning-v2", steps: 250, parameters: 93_186, secondsPerStep: 0.4,
                                     accuracy: nil, status: 3, seconds: 30, peak: 330_000_000)
        try MethodsTableTests.record(runs, "my-own-method", steps: 10, parameters: 1_234_567, secondsPerStep: 0.05,
                                     accuracy: 0.5, seconds: 6, peak: 100_000_000)
        let doc = dir.appendingPathComponent("methods.md")
        let before = "# Methods\n\ntext before\n<!-- methods-table: begin -->\nold table\n<!-- methods-table: end -->\ntext after\n"
        try before.write(to: doc, atomically: true, encoding: .utf8)

        let script = PtuneProcess.packageRoot.appendingPathComponent("scripts/methods-table")
        let r = try PtuneProcess.run([script.path, "table", "--runs", runs.path, "--write", doc.path], in: dir,
                                     environment: ["PTUNE": PtuneProcess.binary.path], executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(r.status == 0, "\(r.stderr)")
        let expected = """
            # Methods

            text before
            <!-- methods-table: begin -->
            | model | method | steps | test accuracy | trainable parameters | s/step | peak RSS | wall time |
            |---|---|---:|---:|---:|---:|---:|---:|
            | SmolLM2-135M | zero-shot (nothing trained) | 0 | 0.801 | 0 | — | 0.45 GB | 1.2 min |
            | SmolLM2-135M | deep prompts (P-tuning v2), plain table, text init | 250 | 0.913 | 230,400 | 1.23 s | 0.91 GB | 10.2 min |
            | MiniLM-L6 | P-tuning v2 (deep prompts, text init) + head | 250 | failed (exit 3) | 93,186 | 0.40 s | 0.33 GB | 0.5 min |
            |  | my-own-method | 10 | 0.500 | 1,234,567 | 0.050 s | 0.10 GB | 0.1 min |
            <!-- methods-table: end -->
            text after

            """
        #expect(try String(contentsOf: doc, encoding: .utf8) == expected)

        // A file without the markers is refused, and nothing is written to it.
        let plain = dir.appendingPathComponent("plain.md")
        try "no markers\n".write(to: plain, atomically: true, encoding: .utf8)
        let refused = try PtuneProcess.run([script.path, "table", "--runs", runs.path, "--write", plain.path], in: dir,
                                           environment: ["PTUNE": PtuneProcess.binary.path], executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("has no '<!-- methods-table: begin -->'"), "\(refused.stderr)")
        #expect(try String(contentsOf: plain, encoding: .utf8) == "no markers\n")
    }
}
