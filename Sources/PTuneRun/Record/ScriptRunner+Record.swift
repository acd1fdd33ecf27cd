import Foundation
import PTuneCore

extension ScriptRunner {
    /// A run record folder may replace an earlier record (a folder holding `record.json`) or an empty folder,
    /// nothing else.
    static func replaceableRecord(_ names: [String]) -> String? {
        names.isEmpty || names.contains("record.json") ? nil : "it exists and does not hold a run record (record.json)"
    }

    /// Checks before the run that the record can be written to `folder` (its parents are created): a problem is a
    /// usage error then, not a failure after the run.
    func prepareRecord(in folder: String) throws {
        try AtomicFolder.prepare(ScriptRunner.absolute(folder), shownAs: folder, makeParents: true,
                                 replacing: ScriptRunner.replaceableRecord)
    }

    /// Writes `record.json`, the script's copy, `metrics.csv` and a TensorBoard event file into `folder`, all at once: the folder is written
    /// beside and then takes its place, so an earlier record is replaced whole and a crash never leaves a mix.
    func writeRecord(to folder: String, script: String, bytes: [UInt8], seed: RunRecord.Seed, saved paths: [String],
                     status: ExitStatus, started: Date, finished: Date) throws {
        let copyName = (script as NSString).lastPathComponent
        let csv = reporter.metricsCSV
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
        let environment = RunEnvironment.current()
        let eventsName = TensorBoardEvents.fileName(started: started, host: environment.host)
        let events = TensorBoardEvents.of(steps: reporter.steps, started: started)
        let iso = ISO8601DateFormatter()
        let record = RunRecord(
            ptuneVersion: version, script: script, scriptSHA256: SHA256.hex(of: bytes), scriptCopy: copyName,
            seed: seed.value, seedSource: seed.source,
            overrides: settings.overrides.map { RunRecord.Override(name: $0.name, value: $0.text) },
            rerun: settings.rerunCommand(script: script),
            started: iso.string(from: started), finished: iso.string(from: finished),
            seconds: (finished.timeIntervalSince(started) * 1000).rounded() / 1000, exitStatus: status.rawValue,
            finalMetrics: finals, metricsCSV: "metrics.csv", metricsSHA256: SHA256.hex(of: Array(csv.utf8)),
            savedFiles: saved, peakMemoryBytes: RunEnvironment.peakMemoryBytes(), environment: environment,
            eventsFile: eventsName)
        let json = try record.json()
        try AtomicFolder.write(to: ScriptRunner.absolute(folder), shownAs: folder, replacing: ScriptRunner.replaceableRecord) { staging in
            try staging.write(Data(bytes), named: copyName)
            try staging.write(Data(csv.utf8), named: "metrics.csv")
            try staging.write(Data(events.bytes), named: eventsName)
            try staging.write(Data(json.utf8), named: "record.json")
        }
        if !settings.quiet { console.err("recorded the run in \(folder)/record.json\n") }
    }
}
