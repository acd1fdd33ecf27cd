import Foundation
import PTuneLang

/// Runs scripts for the command line — a file, a `-e` snippet, standard input — and checks them, each in a fresh
/// language session, mapping the outcome to an exit status; with `--record DIR`, writes the run record.
public final class ScriptRunner {
    let console: Console
    let settings: RunSettings
    let reporter: TrainingReporter
    let cancellation: CancellationFlag
    let version: String
    let printed: OutputCapture
    /// What the script kept with `log_metric`, for the record.
    let results = ResultLog()

    /// A runner printing to `console` and showing training through `reporter`; `cancellation` is the flag Ctrl-C
    /// sets. A recorded run keeps what it printed from `printed`, which must receive `console`'s output (nil: the
    /// runner makes its own and copies its console's output into it).
    public init(console: Console, settings: RunSettings, reporter: TrainingReporter,
                cancellation: CancellationFlag = CancellationFlag(), version: String = PTuneVersion.current,
                printed: OutputCapture? = nil) {
        let capture = printed ?? OutputCapture()
        self.console = printed == nil && settings.recordDirectory != nil ? console.copyingOutput(to: capture) : console
        self.printed = capture
        self.settings = settings
        self.reporter = reporter
        self.cancellation = cancellation
        self.version = version
    }

    /// A fresh session with the settings' options, reporting training steps to the reporter.
    func makeSession() -> Session {
        let session = Session.printing(to: console, options: settings.sessionOptions, quiet: settings.quiet,
                                       cancellation: cancellation)
        let reporter = self.reporter
        session.onTrainProgress = { reporter.report($0) }
        let results = self.results
        session.onMetric = { results.keep($0, $1) }
        return session
    }

    /// `ptune FILE.pt`: runs the script at `path` (recording it with `--record`). `--set` names the script does not
    /// declare are errors.
    public func runFile(_ path: String) -> ExitStatus {
        guard let data = FileManager.default.contents(atPath: path) else {
            console.err("ptune: error: cannot read '\(path)': \(ScriptRunner.readFailure(path))\n")
            return .usage
        }
        let session = makeSession()
        let load = { () throws(RunFailure) -> SourceFile in try session.load(path) }
        let execute = { (file: SourceFile) throws(RunFailure) -> Void in try session.run(file, reportUnusedOverrides: true) }
        guard let recordDirectory = settings.recordDirectory else { return run(load, execute).status }
        do { try prepareRecord(in: recordDirectory) } catch {
            console.err("ptune: error: cannot write the run record: \(error)\n")
            return .usage
        }
        // The files the run writes: whatever is new or changed, after, in the folders a script may write to.
        let folders = [FileManager.default.currentDirectoryPath, (ScriptRunner.absolute(path) as NSString).deletingLastPathComponent]
            + settings.allowPaths.map(ScriptRunner.absolute) + (settings.outputDirectory.map { [ScriptRunner.absolute($0)] } ?? [])
        let before = FileSnapshot(folders: folders)
        let reads = ReadLog { path in
            (SHA256.hex(ofFileAt: path), (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil)
        }
        session.logReads(in: reads)
        let started = Date()
        let status = run(load, execute).status
        let finished = Date()
        // Other run records (a sweep's points finishing beside this one) are not files this run saved.
        let saved = before.changedFiles(in: FileSnapshot(folders: folders), excluding: [ScriptRunner.absolute(recordDirectory)])
            .filter { !FileManager.default.fileExists(atPath: ($0 as NSString).deletingLastPathComponent + "/record.json") }
        let seed = RunRecord.Seed(option: settings.seed, ran: session.lastSeed, default: session.options.defaultSeed)
        do {
            try writeRecord(to: recordDirectory, script: path, bytes: Array(data), seed: seed, imports: session.importedFiles,
                            read: reads.entries, saved: saved, status: status, started: started, finished: finished)
        } catch {
            console.err("ptune: error: cannot write the run record: \(error)\n")
            return status == .success ? .runtimeError : status
        }
        return status
    }

    /// `ptune -e CODE` and `ptune -`: runs source that has no file (relative paths resolve in the working directory).
    /// `--set` names it does not declare are ignored.
    public func runSource(_ source: String, name: String) -> ExitStatus {
        let session = makeSession()
        return run({ ScriptRunner.sourceFile(source, name: name) }, { (file) throws(RunFailure) in try session.run(file) }).status
    }

    /// `ptune check FILE…`: parses and checks each file without running it; every error of every file is reported.
    public func check(_ paths: [String]) -> ExitStatus {
        var worst = ExitStatus.success
        for path in paths {
            guard FileManager.default.isReadableFile(atPath: path), !ScriptRunner.isFolder(path) else {
                console.err("ptune: error: cannot read '\(path)': \(ScriptRunner.readFailure(path))\n")
                worst = .usage
                continue
            }
            let session = makeSession()
            let status = check(name: path, { () throws(RunFailure) -> SourceFile in try session.load(path) },
                               { (file) throws(RunFailure) in try session.check(file, reportUnusedOverrides: true) })
            if worst == .success { worst = status }
        }
        return worst
    }

    /// `ptune check -e CODE`: parses and checks source that has no file.
    public func checkSource(_ source: String, name: String) -> ExitStatus {
        let session = makeSession()
        return check(name: name, { ScriptRunner.sourceFile(source, name: name) }, { (file) throws(RunFailure) in try session.check(file) })
    }

    /// Loads a source with `load` and runs it with `execute`, reporting training progress; prints the error if
    /// either fails. Returns the status and the source, once loaded.
    private func run(_ load: () throws(RunFailure) -> SourceFile,
                     _ execute: (SourceFile) throws(RunFailure) -> Void) -> (status: ExitStatus, file: SourceFile?) {
        cancellation.reset()
        defer { reporter.finishLine() }
        let (failure, file) = attempt(load, execute)
        return (failure.map(ExitStatus.init) ?? .success, file)
    }

    /// Loads a source and checks it: prints `NAME: ok` (unless quiet), or the diagnostics and returns the status of
    /// a check error.
    private func check(name: String, _ load: () throws(RunFailure) -> SourceFile,
                       _ check: (SourceFile) throws(RunFailure) -> Void) -> ExitStatus {
        guard attempt(load, check).failure != nil else {
            if !settings.quiet { console.out("\(name): ok\n") }
            return .success
        }
        return .syntaxError
    }

    /// Loads a source, then acts on it; prints the error if either step fails (located in the source when it was
    /// loaded).
    private func attempt(_ load: () throws(RunFailure) -> SourceFile,
                         _ action: (SourceFile) throws(RunFailure) -> Void) -> (failure: RunFailure?, file: SourceFile?) {
        var file: SourceFile?
        do {
            let loaded = try load()
            file = loaded
            try action(loaded)
            return (nil, file)
        } catch {
            console.err(error.rendered(color: console.color, in: file) + "\n")
            return (error, file)
        }
    }

    /// Source without a file, in the working directory.
    static func sourceFile(_ source: String, name: String) -> SourceFile {
        SourceFile(name: name, text: source, directory: FileManager.default.currentDirectoryPath)
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
