import Foundation
import PTuneCore

/// Runs scripts for the command line — a file, a `-e` snippet, standard input — and checks files, mapping the
/// outcome to an exit status; with `--record DIR`, writes the run record.
public final class ScriptRunner {
    private let makeBackend: () -> Backend
    private let console: Console
    private let settings: RunSettings
    private let reporter: TrainingReporter
    private let version: String

    /// A runner creating a fresh session with `makeBackend` for each run or check.
    public init(makeBackend: @escaping () -> Backend, console: Console, settings: RunSettings,
                reporter: TrainingReporter, version: String) {
        self.makeBackend = makeBackend
        self.console = console
        self.settings = settings
        self.reporter = reporter
        self.version = version
    }

    /// `ptune FILE.pt`: runs the script at `path` (recording it with `--record`).
    public func runFile(_ path: String) -> ExitStatus {
        guard let data = FileManager.default.contents(atPath: path) else {
            console.err("ptune: error: cannot read '\(path)': \(ScriptRunner.readFailure(path))\n")
            return .usage
        }
        let backend = makeBackend()
        guard let recordDirectory = settings.recordDirectory else {
            return run(in: backend) { $0.runFile(path, strictOverrides: true) }
        }
        // The files the run writes: whatever is new or changed, after, in the folders a script may write to.
        let folders = [FileManager.default.currentDirectoryPath, (ScriptRunner.absolute(path) as NSString).deletingLastPathComponent]
            + settings.allowPaths.map(ScriptRunner.absolute)
        let before = FileSnapshot(folders: folders)
        let started = Date()
        let status = run(in: backend) { $0.runFile(path, strictOverrides: true) }
        let finished = Date()
        let saved = before.changedFiles(in: FileSnapshot(folders: folders), excluding: [ScriptRunner.absolute(recordDirectory)])
        do {
            try writeRecord(to: recordDirectory, script: path, bytes: Array(data), seed: backend.seed, saved: saved,
                            status: status, started: started, finished: finished)
        } catch {
            console.err("ptune: error: cannot write the run record: \(error)\n")
            return status == .success ? .runtimeError : status
        }
        return status
    }

    /// `ptune -e CODE` and `ptune -`: runs source that has no file.
    public func runSource(_ source: String, name: String) -> ExitStatus {
        run(in: makeBackend()) { $0.run(source, name: name, directory: FileManager.default.currentDirectoryPath, autoPrint: false) }
    }

    /// `ptune check FILE…`: parses and checks each file; every error of every file is reported.
    public func check(_ paths: [String]) -> ExitStatus {
        var worst = ExitStatus.success
        for path in paths {
            guard FileManager.default.isReadableFile(atPath: path), !ScriptRunner.isFolder(path) else {
                console.err("ptune: error: cannot read '\(path)': \(ScriptRunner.readFailure(path))\n")
                worst = .usage
                continue
            }
            if let diagnostics = makeBackend().checkFile(path) {
                console.err(diagnostics.hasSuffix("\n") ? diagnostics : diagnostics + "\n")
                if worst == .success { worst = .syntaxError }
            } else if !settings.quiet {
                console.out("\(path): ok\n")
            }
        }
        return worst
    }

    /// Runs `body` on `backend` with progress reporting, printing the error if it fails.
    private func run(in backend: Backend, _ body: (Backend) -> RunResult) -> ExitStatus {
        let reporter = self.reporter
        backend.onTrainingStep = { reporter.report($0) }
        let result = body(backend)
        reporter.finishLine()
        switch result {
        case .success:
            return .success
        case .failure(let kind, let message):
            console.err(message.hasSuffix("\n") ? message : message + "\n")
            return ExitStatus(kind)
        }
    }

    /// Writes `record.json`, the script's copy and `metrics.csv` into `folder`, each atomically.
    private func writeRecord(to folder: String, script: String, bytes: [UInt8], seed: (value: UInt64, source: String),
                             saved paths: [String], status: ExitStatus, started: Date, finished: Date) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let copyName = (script as NSString).lastPathComponent
        try AtomicFile.write(bytes, to: (folder as NSString).appendingPathComponent(copyName))
        let csv = reporter.metricsCSV
        try AtomicFile.write(csv, to: (folder as NSString).appendingPathComponent("metrics.csv"))
        let cwd = FileManager.default.currentDirectoryPath
        let saved = paths.map { path -> RunRecord.SavedFile in
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            let shown = path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
            return RunRecord.SavedFile(path: shown, sha256: SHA256.hex(ofFileAt: path), bytes: size)
        }
        let finals = reporter.finals.map {
            RunRecord.FinalMetrics(block: $0.name, step: $0.step, totalSteps: $0.total, loss: $0.loss,
                                   evalName: $0.eval?.name, eval: $0.eval?.value)
        }
        let iso = ISO8601DateFormatter()
        let record = RunRecord(
            ptuneVersion: version, script: script, scriptSHA256: SHA256.hex(of: bytes), scriptCopy: copyName,
            seed: seed.value, seedSource: seed.source, overrides: settings.overrides, rerun: settings.rerunCommand(script: script),
            started: iso.string(from: started), finished: iso.string(from: finished),
            seconds: (finished.timeIntervalSince(started) * 1000).rounded() / 1000, exitStatus: status.rawValue,
            finalMetrics: finals, metricsCSV: "metrics.csv", metricsSHA256: SHA256.hex(of: Array(csv.utf8)),
            savedFiles: saved)
        try AtomicFile.write(try record.json(), to: (folder as NSString).appendingPathComponent("record.json"))
        if !settings.quiet { console.err("recorded the run in \(folder)/record.json\n") }
    }

    /// `path` made absolute against the working directory.
    static func absolute(_ path: String) -> String {
        (path as NSString).isAbsolutePath ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }

    /// Whether `path` is a folder.
    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Why `path` cannot be read, in words.
    static func readFailure(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        return isDirectory.boolValue ? "it is a folder" : "permission denied"
    }
}
