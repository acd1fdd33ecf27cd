import Foundation
import Testing
@testable import PTuneRun

@Suite struct RecordTests {
    /// `--kv-cache float16` is part of how a run was made: the record's rerun command carries it; a type ptune does
    /// not have is a usage error.
    @Test func kvCacheChoiceIsRecorded() throws {
        let dir = try PtuneProcess.temporaryFolder("record-kv")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "print 1\n".write(to: dir.appendingPathComponent("one.pt"), atomically: true, encoding: .utf8)
        let r = try PtuneProcess.run(["--kv-cache", "float16", "--record", "runs/a", "one.pt"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let record = try RunRecord.read(from: dir.appendingPathComponent("runs/a/record.json").path)
        #expect(record.rerun == ["ptune", "--kv-cache", "float16", "one.pt"])
        let bad = try PtuneProcess.run(["--kv-cache", "int8", "one.pt"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("kv-cache"), "\(bad.stderr)")
    }

    /// `--record DIR` writes record.json, the script and metrics.csv; rerunning the recorded script with the recorded
    /// overrides reproduces the metrics bit for bit.
    @Test func recordedRunsReproduceBitForBit() throws {
        let dir = try PtuneProcess.temporaryFolder("record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("loss-curve.pt")
        try FileManager.default.copyItem(at: PtuneProcess.packageRoot.appendingPathComponent("examples/loss-curve.pt"), to: script)

        let first = try PtuneProcess.run(["--record", "runs/a", "--set", "steps=150", "--set", "lr=0.01", "loss-curve.pt"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let folder = dir.appendingPathComponent("runs/a")
        let record = try RunRecord.read(from: folder.appendingPathComponent("record.json").path)
        let scriptBytes = try Data(contentsOf: script)
        #expect(record.scriptSHA256 == SHA256.hex(of: scriptBytes))
        #expect(try Data(contentsOf: folder.appendingPathComponent(record.scriptCopy)) == scriptBytes)
        #expect(record.overrides == [RunRecord.Override(name: "steps", value: "150"), RunRecord.Override(name: "lr", value: "0.01")])
        #expect(record.seed == 0 && record.seedSource == .script)
        #expect(record.ptuneVersion == PTuneVersion.current && record.exitStatus == 0)
        #expect(record.rerun == ["ptune", "--set", "steps=150", "--set", "lr=0.01", "loss-curve.pt"])
        #expect(record.finalMetrics.count == 1)
        #expect(record.finalMetrics.first?.step == 150 && record.finalMetrics.first?.totalSteps == 150)
        let csv = try Data(contentsOf: folder.appendingPathComponent("metrics.csv"))
        #expect(record.metricsSHA256 == SHA256.hex(of: csv))
        #expect(String(decoding: csv, as: UTF8.self).components(separatedBy: "\n").count == 152)   // header + 150 steps + ""
        let svg = record.savedFiles.first { $0.path == "loss-curve.svg" }
        #expect(svg != nil)
        #expect(svg?.sha256 == SHA256.hex(of: try Data(contentsOf: dir.appendingPathComponent("loss-curve.svg"))))
        #expect(!record.savedFiles.contains { $0.path.hasPrefix("runs/") })   // the record itself is not a saved file

        // Rerun the recorded copy with the recorded overrides (from record.json) elsewhere.
        var again = Array(record.rerun.dropFirst().dropLast())
        again += ["--record", "runs/b", "runs/a/" + record.scriptCopy]
        let second = try PtuneProcess.run(again, in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let csv2 = try Data(contentsOf: dir.appendingPathComponent("runs/b/metrics.csv"))
        #expect(csv2 == csv)
        let record2 = try RunRecord.read(from: dir.appendingPathComponent("runs/b/record.json").path)
        // Everything but the step time, which is measured.
        func untimed(_ finals: [RunRecord.FinalMetrics]) -> [RunRecord.FinalMetrics] { finals.map { var f = $0; f.secondsPerStep = nil; return f } }
        #expect(untimed(record2.finalMetrics) == untimed(record.finalMetrics))
        #expect(record.finalMetrics.first?.trainableParameters == 32 && record.finalMetrics.first?.secondsPerStep != nil)
        #expect(record2.scriptSHA256 == record.scriptSHA256)
        // A different seed gives different metrics: the comparison above can fail.
        let third = try PtuneProcess.run(["--seed", "1", "--record", "runs/c"] + Array(record.rerun.dropFirst()), in: dir)
        #expect(third.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("runs/c/metrics.csv")) != csv)
    }

    /// A record of a script that imports another (which sets the seed) names the seed statement that ran, copies and
    /// hashes every imported file beside the script's copy (so the copy reruns as it is), hashes every file the run
    /// read, and keeps what the script printed; the copy, rerun from the record folder, prints and trains the same.
    @Test func recordsKeepImportsReadFilesAndOutput() throws {
        let dir = try PtuneProcess.temporaryFolder("record-imports")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try "seed 5\nimport \"more.pt\"\n".write(to: dir.appendingPathComponent("lib/common.pt"), atomically: true, encoding: .utf8)
        try "fn half(x) = x / 2\n".write(to: dir.appendingPathComponent("lib/more.pt"), atomically: true, encoding: .utf8)
        try "x,y\n1,0\n2,1\n3,0\n4,1\n".write(to: dir.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
        let script = "import \"lib/common.pt\"\n" + """
            let rows = read_csv("rows.csv")
            param w = randn(1, 1)
            data d = dataset(x: randn(8, 1), y: randn(8, 1))
            let run = train w on d {
              loss: mse(batch.x @ w, batch.y)
              optimizer: sgd(lr: 0.1)
              batch: 4
              steps: 6
            }
            print half(run.final_loss), len(rows)

            """
        try script.write(to: dir.appendingPathComponent("r.pt"), atomically: true, encoding: .utf8)
        let first = try PtuneProcess.run(["--record", "runs/a", "r.pt"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let folder = dir.appendingPathComponent("runs/a")
        let record = try RunRecord.read(from: folder.appendingPathComponent("record.json").path)
        #expect(record.seed == 5 && record.seedSource == .script && record.seedStatement == "lib/common.pt:1:1")
        let imports = try #require(record.imports)
        #expect(imports.map(\.path) == ["lib/common.pt", "lib/more.pt"])
        for i in imports {
            let original = try Data(contentsOf: dir.appendingPathComponent(i.path))
            #expect(i.copy == i.path && i.sha256 == SHA256.hex(of: original) && i.bytes == original.count)
            #expect(try Data(contentsOf: folder.appendingPathComponent(i.copy)) == original)
        }
        let csv = try Data(contentsOf: dir.appendingPathComponent("rows.csv"))
        #expect(record.readFiles == [RunRecord.SavedFile(path: "rows.csv", sha256: SHA256.hex(of: csv), bytes: csv.count)])
        let output = try Data(contentsOf: folder.appendingPathComponent(try #require(record.output)))
        #expect(output == Data(first.stdout.utf8) && record.outputSHA256 == SHA256.hex(of: output))
        #expect(first.stdout.hasSuffix(" 4\n"))

        // The record's copy runs where it is, with the same seed and output (the data file beside it).
        try fm.copyItem(at: dir.appendingPathComponent("rows.csv"), to: folder.appendingPathComponent("rows.csv"))
        let again = try PtuneProcess.run(["--record", "../b", "r.pt"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        let second = try RunRecord.read(from: dir.appendingPathComponent("runs/b/record.json").path)
        #expect(second.outputSHA256 == record.outputSHA256 && second.metricsSHA256 == record.metricsSHA256)
        #expect(second.imports?.map(\.sha256) == imports.map(\.sha256))
        // --seed wins over the imported statement, and changes what is printed.
        let seeded = try PtuneProcess.run(["--seed", "6", "--record", "runs/c", "r.pt"], in: dir)
        let third = try RunRecord.read(from: dir.appendingPathComponent("runs/c/record.json").path)
        #expect(seeded.status == 0 && third.seed == 6 && third.seedSource == .option && third.seedStatement == nil)
        #expect(third.outputSHA256 != record.outputSHA256)
    }
}
