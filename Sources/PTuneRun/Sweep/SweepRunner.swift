import Foundation
import PTuneCore
import PTuneLang

/// Runs a sweep's points, each as a recorded run of the recipe in a child `ptune` process: `jobs` at a time, the
/// cores split between them, skipping points whose record says they finished with this recipe and these settings.
/// A point that was interrupted (killed, crashed, stopped) runs again; a recipe that checkpoints with
/// `resume: "…" if exists` continues from its checkpoint, which lives in the point's own output folder.
///
/// Layout of `out`: `NAME/` is a point's run record (written whole when the point ends), `.sweep/NAME/` its output
/// folder (relative paths the recipe writes, checkpoints) and `.sweep/NAME.log` what it printed; `sweep.json`
/// lists the points.
public final class SweepRunner {
    /// What the sweep runs and where.
    public struct Configuration: Sendable {
        /// The recipe, as given.
        public var script: String
        /// The output folder, as given.
        public var out: String
        /// Points run at once.
        public var jobs: Int
        /// Threads each point's matrix products use.
        public var threads: Int
        /// The `ptune` executable that runs the points.
        public var executable: String
        /// Options passed to every point's `ptune run` (seed-free: `--allow-path`, limits, `--set` shared by all).
        public var passthrough: [String]
        /// `--set` overrides shared by every point (before the point's own).
        public var fixed: [RunRecord.Override]
        /// Run only this point (a Slurm array task).
        public var only: Int?
        /// No progress line.
        public var quiet: Bool

        /// A configuration.
        public init(script: String, out: String, jobs: Int, threads: Int, executable: String, passthrough: [String],
                    fixed: [RunRecord.Override], only: Int?, quiet: Bool) {
            self.script = script
            self.out = out
            self.jobs = jobs
            self.threads = threads
            self.executable = executable
            self.passthrough = passthrough
            self.fixed = fixed
            self.only = only
            self.quiet = quiet
        }
    }

    /// A point's state before the sweep runs it.
    public enum PointState: Equatable, Sendable {
        /// Its record says it finished with this recipe and these settings: it is skipped.
        case finished
        /// No record: it never ran, or was interrupted before its record was written.
        case new
        /// Its record is of a failed or stopped run (the exit status), or of another recipe or other settings.
        case stale(String)
    }

    let plan: SweepPlan
    let config: Configuration
    let console: Console
    let cancellation: CancellationFlag
    let absoluteOut: String

    /// A runner for `plan`; progress goes to `console`'s messages; `cancellation` (Ctrl-C) stops starting points.
    public init(plan: SweepPlan, config: Configuration, console: Console, cancellation: CancellationFlag) {
        self.plan = plan
        self.config = config
        self.console = console
        self.cancellation = cancellation
        absoluteOut = ScriptRunner.absolute(config.out)
    }

    /// The record folder of `point`.
    public func recordFolder(_ point: SweepPlan.Point) -> String { absoluteOut + "/" + point.name }

    /// The output folder (relative writes, checkpoints, the log) of `point`.
    public func workFolder(_ point: SweepPlan.Point) -> String { absoluteOut + "/.sweep/" + point.name }

    /// The overrides a point runs with: the shared ones, then its own.
    func overrides(_ point: SweepPlan.Point) -> [RunRecord.Override] { config.fixed + point.overrides }

    /// Whether `point` finished with the recipe whose SHA-256 is `scriptHash`.
    public func state(of point: SweepPlan.Point, scriptHash: String) -> PointState {
        let path = recordFolder(point) + "/record.json"
        guard FileManager.default.fileExists(atPath: path) else { return .new }
        guard let record = try? RunRecord.read(from: path) else { return .stale("its record cannot be read") }
        if record.scriptSHA256 != scriptHash { return .stale("the recipe changed") }
        if record.overrides != overrides(point) { return .stale("its overrides differ") }
        if let seed = point.seed, record.seed != seed { return .stale("its seed differs") }
        if record.exitStatus != 0 { return .stale("it ended with status \(record.exitStatus)") }
        return .finished
    }

    /// The command line that runs `point`.
    func arguments(_ point: SweepPlan.Point) -> [String] {
        var args = ["run", "--record", recordFolder(point), "--output-dir", workFolder(point)] + config.passthrough
        for o in overrides(point) { args += ["--set", o.name + "=" + o.value] }
        if let seed = point.seed { args += ["--seed", String(seed)] }
        return args + [config.script]
    }

    /// Writes `sweep.json`: the recipe and every point (index, folder name, overrides, seed).
    func writeManifest() throws {
        var lines = ["{", "  \"script\": \(RunTable.jsonString(config.script)),", "  \"points\": ["]
        let points = plan.points.map { p -> String in
            let sets = overrides(p).map { "\(RunTable.jsonString($0.name)): \(RunTable.jsonString($0.value))" }.joined(separator: ", ")
            return "    {\"index\": \(p.index), \"name\": \(RunTable.jsonString(p.name)), \"overrides\": {\(sets)}, \"seed\": \(p.seed.map { String($0) } ?? "null")}"
        }
        lines.append(points.joined(separator: ",\n"))
        lines += ["  ]", "}", ""]
        try AtomicFile.write(lines.joined(separator: "\n"), toPath: absoluteOut + "/sweep.json")
    }

    /// Runs the sweep (or its one point); returns success when every point finished, the run-time error status
    /// when one failed, the interrupted status after Ctrl-C.
    public func run() -> ExitStatus {
        guard let bytes = FileManager.default.contents(atPath: config.script) else {
            console.err("ptune: error: cannot read '\(config.script)': \(ScriptRunner.readFailure(config.script))\n")
            return .usage
        }
        let scriptHash = SHA256.hex(of: Array(bytes))
        do {
            try FileManager.default.createDirectory(atPath: absoluteOut + "/.sweep", withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: absoluteOut + "/record.json") {
                throw SweepError.folder(config.out, "it is a run record, not a sweep folder")
            }
            if config.only == nil { try writeManifest() }
        } catch {
            console.err("ptune: error: \(error is SweepError ? "\(error)" : "cannot write the sweep folder '\(config.out)': \(error)")\n")
            return .usage
        }
        var selected = plan.points
        if let only = config.only {
            guard plan.points.indices.contains(only) else {
                console.err("ptune: error: \(SweepError.noSuchPoint(only, plan.points.count))\n")
                return .usage
            }
            selected = [plan.points[only]]
        }
        var queue: [SweepPlan.Point] = []
        var progress = SweepProgress(total: selected.count, console: console, quiet: config.quiet)
        for point in selected {
            switch state(of: point, scriptHash: scriptHash) {
            case .finished: progress.skipped += 1
            case .new: queue.append(point)
            case let .stale(why):
                progress.note("\(point.name): runs again (\(why))")
                queue.append(point)
            }
        }
        progress.start()
        return execute(queue, progress: &progress)
    }

    /// Runs `queue`, `jobs` at a time, until it is empty or Ctrl-C.
    private func execute(_ queue: [SweepPlan.Point], progress: inout SweepProgress) -> ExitStatus {
        var pending = queue[...]
        var running: [(point: SweepPlan.Point, process: Process, started: Date)] = []
        var failed = 0
        while !pending.isEmpty || !running.isEmpty {
            while running.count < max(1, config.jobs), !cancellation.isCancelled, let point = pending.first {
                pending.removeFirst()
                do {
                    running.append((point, try launch(point), Date()))
                } catch {
                    progress.note("\(point.name): cannot start: \(error)")
                    failed += 1
                    progress.failed += 1
                }
            }
            progress.running = running.count
            if cancellation.isCancelled && running.isEmpty { break }
            usleep(50_000)
            var still: [(point: SweepPlan.Point, process: Process, started: Date)] = []
            for r in running {
                if r.process.isRunning { still.append(r); continue }
                let seconds = Date().timeIntervalSince(r.started)
                let status = r.process.terminationStatus
                let signaled = r.process.terminationReason == .uncaughtSignal
                if !signaled && status == 0 {
                    progress.finished(r.point.name, seconds: seconds, loss: finalLoss(r.point))
                } else {
                    failed += 1
                    let how = signaled ? "killed by signal \(status)" : "exit status \(status)"
                    progress.failedPoint(r.point.name, "\(how); its output: \(config.out)/.sweep/\(r.point.name).log")
                }
            }
            running = still
            progress.running = running.count
            progress.redraw()
        }
        progress.end(out: config.out, interrupted: cancellation.isCancelled)
        if cancellation.isCancelled { return .interrupted }
        return failed > 0 ? .runtimeError : .success
    }

    /// Starts `point`'s `ptune run`, its output going to its log.
    private func launch(_ point: SweepPlan.Point) throws -> Process {
        let work = workFolder(point)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let logPath = work + ".log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        let header = "== \(ISO8601DateFormatter().string(from: Date())): ptune " + arguments(point).joined(separator: " ") + "\n"
        try log.write(contentsOf: Data(header.utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: config.executable)
        process.arguments = arguments(point)
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = String(config.threads)
        env[ParentWatch.variable] = String(getpid())
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
        return process
    }

    /// The final loss in `point`'s record, if it has one.
    private func finalLoss(_ point: SweepPlan.Point) -> Double? {
        (try? RunRecord.read(from: recordFolder(point) + "/record.json"))?.finalMetrics.last?.loss
    }
}
