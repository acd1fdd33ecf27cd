import Foundation
import PTuneCore
import PTuneLang

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

    /// Writes `record.json`, the script's copy with a copy of every file it imports, `metrics.csv`, `output.txt`
    /// (what the script printed) and a TensorBoard event file into `folder`, all at once: the folder is written beside
    /// and then takes its place, so an earlier record is replaced whole and a crash never leaves a mix.
    func writeRecord(to folder: String, script: String, bytes: [UInt8], seed: RunRecord.Seed, imports: [String],
                     read: [ReadLog.Entry], saved paths: [String], status: ExitStatus, started: Date, finished: Date) throws {
        let copyName = (script as NSString).lastPathComponent
        let environment = RunEnvironment.current()
        let eventsName = TensorBoardEvents.fileName(started: started, host: environment.host)
        let csv = reporter.metricsCSV
        let output = printed.data
        let cwd = FileManager.default.currentDirectoryPath
        func shown(_ path: String) -> String { path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path }
        func size(_ path: String) -> Int? { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil }
        let saved = paths.map { RunRecord.SavedFile(path: shown($0), sha256: SHA256.hex(ofFileAt: $0), bytes: size($0)) }
        // Imports: beside the script's copy as they are beside the script, so the copy runs as it is.
        let scriptFolder = URL(fileURLWithPath: ScriptRunner.absolute(script)).resolvingSymlinksInPath().deletingLastPathComponent().path
        var copies: [(record: RunRecord.ImportedFile, data: Data)] = []
        var taken: Set<String> = [copyName, "record.json", "metrics.csv", "output.txt", eventsName]
        for path in imports {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FileReadError.cannotRead(path: path, reason: "the imported file can no longer be read")
            }
            let inside = path.hasPrefix(scriptFolder + "/") ? String(path.dropFirst(scriptFolder.count + 1)) : nil
            var copy = inside ?? "imports/" + (path as NSString).lastPathComponent
            var n = 2
            while taken.contains(copy) {
                copy = "imports/\(n)/" + (path as NSString).lastPathComponent
                n += 1
            }
            taken.insert(copy)
            copies.append((RunRecord.ImportedFile(path: inside ?? path, sha256: SHA256.hex(of: data), bytes: data.count, copy: copy), data))
        }
        let importSet = Set(imports)
        let readFiles = read.filter { !importSet.contains($0.path) }.map {
            RunRecord.SavedFile(path: shown($0.path), sha256: $0.sha256, bytes: $0.bytes)
        }
        let finals = reporter.finals.map {
            RunRecord.FinalMetrics(block: $0.name, step: $0.step, totalSteps: $0.totalSteps, loss: $0.loss,
                                   evalName: $0.evalMetric.map { _ in TrainingReporter.evalName }, eval: $0.evalMetric,
                                   trainableParameters: $0.trainableParameters, secondsPerStep: $0.secondsPerStep,
                                   taskEvals: $0.taskEvals.isEmpty ? nil
                                       : Dictionary($0.taskEvals.filter { $0.value.isFinite }.map { ($0.task, $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
        let events = TensorBoardEvents.of(steps: reporter.steps, started: started, results: results.values, finished: finished)
        let iso = ISO8601DateFormatter()
        let record = RunRecord(
            ptuneVersion: version, script: script, scriptSHA256: SHA256.hex(of: bytes), scriptCopy: copyName,
            seed: seed.value, seedSource: seed.source, seedStatement: seed.statement, imports: copies.map(\.record),
            overrides: settings.overrides.map { RunRecord.Override(name: $0.name, value: $0.text) },
            rerun: settings.rerunCommand(script: script),
            started: iso.string(from: started), finished: iso.string(from: finished),
            seconds: (finished.timeIntervalSince(started) * 1000).rounded() / 1000, exitStatus: status.rawValue,
            finalMetrics: finals, metricsCSV: "metrics.csv", metricsSHA256: SHA256.hex(of: Array(csv.utf8)),
            savedFiles: saved, readFiles: readFiles, output: "output.txt", outputSHA256: SHA256.hex(of: output),
            peakMemoryBytes: RunEnvironment.peakMemoryBytes(), environment: environment,
            eventsFile: eventsName, results: results.kept)
        let json = try record.json()
        try AtomicFolder.write(to: ScriptRunner.absolute(folder), shownAs: folder, replacing: ScriptRunner.replaceableRecord) { staging in
            try staging.write(Data(bytes), named: copyName)
            for (r, data) in copies { try staging.write(data, at: r.copy) }
            try staging.write(Data(csv.utf8), named: "metrics.csv")
            try staging.write(Data(output), named: "output.txt")
            try staging.write(Data(events.bytes), named: eventsName)
            try staging.write(Data(json.utf8), named: "record.json")
        }
        if !settings.quiet { console.err("recorded the run in \(folder)/record.json\n") }
    }
}
