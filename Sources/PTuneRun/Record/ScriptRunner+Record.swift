import Foundation
import PTuneCore

extension ScriptRunner {
    /// Writes `record.json`, the script's copy and `metrics.csv` into `folder`, each atomically.
    func writeRecord(to folder: String, script: String, bytes: [UInt8], seed: RunRecord.Seed, saved paths: [String],
                     status: ExitStatus, started: Date, finished: Date) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let copyName = (script as NSString).lastPathComponent
        try AtomicFile.write(bytes, toPath: (folder as NSString).appendingPathComponent(copyName))
        let csv = reporter.metricsCSV
        try AtomicFile.write(csv, toPath: (folder as NSString).appendingPathComponent("metrics.csv"))
        let cwd = FileManager.default.currentDirectoryPath
        let saved = paths.map { path -> RunRecord.SavedFile in
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            let shown = path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
            return RunRecord.SavedFile(path: shown, sha256: SHA256.hex(ofFileAt: path), bytes: size)
        }
        let finals = reporter.finals.map {
            RunRecord.FinalMetrics(block: $0.name, step: $0.step, totalSteps: $0.totalSteps, loss: $0.loss,
                                   evalName: $0.evalMetric.map { _ in TrainingReporter.evalName }, eval: $0.evalMetric)
        }
        let iso = ISO8601DateFormatter()
        let record = RunRecord(
            ptuneVersion: version, script: script, scriptSHA256: SHA256.hex(of: bytes), scriptCopy: copyName,
            seed: seed.value, seedSource: seed.source,
            overrides: settings.overrides.map { RunRecord.Override(name: $0.name, value: $0.text) },
            rerun: settings.rerunCommand(script: script),
            started: iso.string(from: started), finished: iso.string(from: finished),
            seconds: (finished.timeIntervalSince(started) * 1000).rounded() / 1000, exitStatus: status.rawValue,
            finalMetrics: finals, metricsCSV: "metrics.csv", metricsSHA256: SHA256.hex(of: Array(csv.utf8)),
            savedFiles: saved)
        try AtomicFile.write(try record.json(), toPath: (folder as NSString).appendingPathComponent("record.json"))
        if !settings.quiet { console.err("recorded the run in \(folder)/record.json\n") }
    }
}
