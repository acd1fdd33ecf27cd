import ArgumentParser
import Foundation
import PTuneLang
import PTuneREPL
import PTuneRun

/// `ptune sweep RECIPE --grid lr=1e-3,3e-3 --seeds 0,1 --jobs 2 --out runs/lr`: many recorded runs of one recipe.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a recipe over a grid of overrides and seeds: each point a recorded run in its own folder; rerunning skips finished points and resumes interrupted ones.",
        discussion: """
        Points are the product of every --grid axis, times the rows of the --zip axes (lists of equal length, taken \
        together), times the --seeds. Each point's record goes to OUT/NAME, NAME made of its values \
        (lr=0.001_virtual=10_seed=0); what it writes under relative paths (checkpoints, saved files) goes to \
        OUT/.sweep/NAME/ and what it prints to OUT/.sweep/NAME.log. Run the same command again after a crash or kill: finished points are skipped, the rest \
        run again, continuing from their checkpoints when the recipe says `resume: "…" if exists`.

        A sweep file (--file) holds the same options one per line: `grid lr=1e-3,3e-3`, `zip …`, `seeds 0,1,2`, \
        `set steps=100`; `#` starts a comment.

        EXAMPLES
          ptune sweep r.pt --grid lr=1e-3,3e-3 --grid virtual=10,20 --seeds 0,1,2 --jobs 2 --out runs/lr
          ptune sweep r.pt --zip lr=1e-3,3e-3 --zip warmup=10,50 --out runs/pairs
          ptune sweep r.pt --file sweep.txt --emit slurm --out /shared/runs/s   then: sbatch /shared/runs/s/sweep.sbatch
          ptune runs table runs/lr --group-by lr,virtual
        """)

    @OptionGroup var options: CommonOptions

    @ArgumentParser.Argument(help: ArgumentHelp("The recipe.", valueName: "FILE"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("A grid axis (repeatable): every value with every value of the other axes.", valueName: "NAME=V1,V2,…"))
    var grid: [String] = []

    @Option(name: .long, help: ArgumentHelp("A zipped axis (repeatable): the i-th values of all zipped axes go together.", valueName: "NAME=V1,V2,…"))
    var zip: [String] = []

    @Option(name: .long, help: ArgumentHelp("The seeds, e.g. 0,1,2 or 0..4 (default: the recipe's own).", valueName: "LIST"))
    var seeds: String?

    @Option(name: .customLong("file"), help: ArgumentHelp("A sweep file: grid, zip, seeds and set lines.", valueName: "SWEEP"))
    var sweepFile: String?

    @Option(name: .long, help: ArgumentHelp("Points run at once; the cores are split between them (default 1).", valueName: "N"))
    var jobs: PositiveCount?

    @Option(name: .long, help: ArgumentHelp("The sweep's folder (default runs/RECIPE-NAME).", valueName: "DIR"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Run only the point with this index (what each Slurm array task does).", valueName: "INDEX"))
    var point: Int?

    @Option(name: .long, help: ArgumentHelp("Write a batch script instead of running: 'slurm' writes OUT/sweep.sbatch.", valueName: "KIND"))
    var emit: EmitKind?

    @Option(name: .customLong("cpus-per-task"), help: ArgumentHelp("Slurm: CPUs per point (default: the cores over --jobs).", valueName: "N"))
    var cpusPerTask: PositiveCount?

    @Option(name: .customLong("slurm-time"), help: ArgumentHelp("Slurm: the time limit per point, e.g. 1:00:00.", valueName: "TIME"))
    var slurmTime: String?

    @Option(name: .customLong("slurm-partition"), help: ArgumentHelp("Slurm: the partition.", valueName: "NAME"))
    var slurmPartition: String?

    @Option(name: .customLong("slurm-option"), help: ArgumentHelp("Slurm: another #SBATCH option (repeatable), e.g. --mem=4G.", valueName: "OPTION"))
    var slurmOptions: [String] = []

    /// What `--emit` writes.
    enum EmitKind: String, ExpressibleByArgument, CaseIterable {
        case slurm
    }

    mutating func validate() throws {
        if options.seed != nil && seeds != nil { throw ValidationError("give either --seed or --seeds, not both") }
    }

    func run() throws {
        let plan: SweepPlan, fixed: [RunRecord.Override]
        do {
            (plan, fixed) = try makePlan()
        } catch {
            throw RunsCommand.fail(error)
        }
        let outFolder = out ?? "runs/" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let jobCount = jobs?.value ?? 1
        // An array task (--point) keeps the threads its batch script set from the CPUs Slurm gave it.
        let inherited = point == nil ? nil : ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].flatMap { Int($0) }
        let threads = cpusPerTask?.value ?? inherited.map { max(1, $0) } ?? max(1, cores / jobCount)
        // An array task runs one point, which its own run checks; a whole sweep checks every point first.
        if point == nil, let failed = firstPointFailingCheck(plan, fixed: fixed) {
            FileHandle.standardError.write(Data(("sweep: not started: point \(failed.index + 1) of \(plan.points.count) (\(failed.name)) "
                + "does not check with its settings (above); no point ran\n").utf8))
            throw ExitCode(ExitStatus.syntaxError)
        }
        if emit == .slurm {
            throw ExitCode(writeSlurm(plan: plan, out: outFolder, threads: threads, concurrency: jobs?.value))
        }
        let console = Console.standard(color: Console.wantsColor(noColorFlag: options.noColor))
        let cancellation = CancellationFlag()
        let monitor = InterruptMonitor(onInterrupt: { cancellation.cancel() })
        let config = SweepRunner.Configuration(
            script: ScriptRunnerPaths.absolute(file), out: outFolder, jobs: jobCount, threads: threads,
            executable: ScriptRunnerPaths.executable, passthrough: options.passthrough, fixed: fixed, only: point,
            quiet: options.quiet)
        let status = SweepRunner(plan: plan, config: config, console: console, cancellation: cancellation).run()
        withExtendedLifetime(monitor) {}
        throw ExitCode(status)
    }

    /// The plan of the command line and the sweep file, and the `--set` overrides every point shares.
    func makePlan() throws -> (SweepPlan, [RunRecord.Override]) {
        var gridTexts = grid, zipTexts = zip, seedText = seeds
        var fixed = options.overrides.map { RunRecord.Override(name: $0.name, value: $0.text) }
        if let sweepFile {
            guard let data = FileManager.default.contents(atPath: sweepFile) else {
                throw SweepError.folder(sweepFile, "cannot read the sweep file")
            }
            for (n, raw) in String(decoding: data, as: UTF8.self).components(separatedBy: "\n").enumerated() {
                let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                    .trimmingCharacters(in: .whitespaces) ?? ""
                guard !line.isEmpty else { continue }
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                let rest = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                switch parts[0] {
                case "grid": gridTexts.append(rest)
                case "zip": zipTexts.append(rest)
                case "seeds": seedText = rest
                case "set":
                    do { let o = try Override(parsing: rest); fixed.append(RunRecord.Override(name: o.name, value: o.text)) } catch {
                        throw SweepError.badFileLine(sweepFile, n + 1, "bad set '\(rest)'")
                    }
                default:
                    throw SweepError.badFileLine(sweepFile, n + 1, "expected 'grid', 'zip', 'seeds' or 'set', got '\(parts[0])'")
                }
            }
        }
        var seedList = try seedText.map(SweepPlan.seeds(parsing:)) ?? []
        if let seed = options.seed, seedList.isEmpty { seedList = [seed] }
        let plan = try SweepPlan(grid: gridTexts.map(SweepPlan.Axis.init(parsing:)), zip: zipTexts.map(SweepPlan.Axis.init(parsing:)),
                                 seeds: seedList)
        for o in fixed where (plan.grid + plan.zip).contains(where: { $0.name == o.name }) {
            throw SweepError.duplicate(o.name)
        }
        return (plan, fixed)
    }

    /// The first point whose settings the recipe does not check with (a name it does not declare, a value of the
    /// wrong type, a shape or dim the value breaks), after printing that point's diagnostics as `ptune check` does;
    /// nil when every point checks. Checking runs nothing, so a misspelt axis fails at once instead of in every point.
    func firstPointFailingCheck(_ plan: SweepPlan, fixed: [RunRecord.Override]) -> SweepPlan.Point? {
        let console = Console.standard(color: Console.wantsColor(noColorFlag: options.noColor))
        let reporter = TrainingReporter(style: .quiet, bar: { _ in }, log: { _ in })
        // Seeds do not change what a check sees: points differing only in their seed are checked once.
        var checked: Set<[String]> = []
        for p in plan.points where checked.insert((fixed + p.overrides).map { $0.name + "=" + $0.value }).inserted {
            var settings = options.settings()
            settings.quiet = true
            settings.outputDirectory = nil
            var overrides: [Override] = []
            for o in fixed + p.overrides {
                guard let parsed = try? Override(parsing: o.name + "=" + o.value) else { return p }
                overrides.append(parsed)
            }
            settings.overrides = overrides
            let runner = ScriptRunner(console: console, settings: settings, reporter: reporter)
            if runner.check([file]) != .success { return p }
        }
        return nil
    }

    /// Writes OUT/sweep.sbatch and says how to submit it.
    func writeSlurm(plan: SweepPlan, out: String, threads: Int, concurrency: Int?) -> ExitStatus {
        let absOut = ScriptRunnerPaths.absolute(out)
        var command = [ScriptRunnerPaths.executable, "sweep", ScriptRunnerPaths.absolute(file), "--out", absOut]
        for g in plan.grid { command += ["--grid", g.name + "=" + g.values.joined(separator: ",")] }
        for z in plan.zip { command += ["--zip", z.name + "=" + z.values.joined(separator: ",")] }
        if !plan.seeds.isEmpty { command += ["--seeds", plan.seeds.map(String.init).joined(separator: ",")] }
        for o in options.overrides { command += ["--set", o.name + "=" + o.text] }
        command += options.passthrough
        let name = "ptune-" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let script = SlurmScript(jobName: name, points: plan.points.count, concurrency: concurrency, cpusPerTask: threads,
                                 time: slurmTime, partition: slurmPartition, extra: slurmOptions,
                                 directory: FileManager.default.currentDirectoryPath,
                                 output: absOut + "/.sweep/slurm-%A_%a.out", command: command)
        let path = absOut + "/sweep.sbatch"
        do {
            try FileManager.default.createDirectory(atPath: absOut + "/.sweep", withIntermediateDirectories: true)
            try script.write(to: path)
        } catch {
            FileHandle.standardError.write(Data("ptune: error: cannot write '\(path)': \(error)\n".utf8))
            return .usage
        }
        print("wrote \(out)/sweep.sbatch: \(plan.points.count) points as a Slurm array; submit with: sbatch \(out)/sweep.sbatch")
        return .success
    }
}
