import Foundation
import Testing
@testable import PTuneRun

@Suite struct RecordTests {
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
        #expect(record2.finalMetrics == record.finalMetrics)
        #expect(record2.scriptSHA256 == record.scriptSHA256)
        // A different seed gives different metrics: the comparison above can fail.
        let third = try PtuneProcess.run(["--seed", "1", "--record", "runs/c"] + Array(record.rerun.dropFirst()), in: dir)
        #expect(third.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("runs/c/metrics.csv")) != csv)
    }
}
