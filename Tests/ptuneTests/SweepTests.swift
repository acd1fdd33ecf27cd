import Foundation
import Testing
@testable import PTuneRun

/// `ptune sweep` and `ptune runs` as a user runs them, on a recipe that trains in a fraction of a second.
@Suite struct SweepTests {
    /// A linear fit whose learning rate and steps a sweep overrides; it checkpoints, and resumes when it can.
    static let recipe = """
    seed 5
    dtype float64
    let lr = 0.05
    let steps = 40
    let xs = randn(40, 3)
    data d = dataset(x: xs, y: sum(xs, axis: 1))
    param w = zeros(3)
    let run = train w on d {
      loss: mse(batch.x @ w, batch.y)
      optimizer: sgd(lr: lr)
      batch: 10
      steps: steps
      eval: item(mse(d.x @ w, d.y)) every 10 steps
      checkpoint: "w.ckpt" every 500 steps
      resume: "w.ckpt" if exists
    }
    save w to "w.bin"
    print "final", run.final_loss

    """

    /// A folder holding the recipe as `fit.pt`.
    static func folder(_ label: String, recipe: String = SweepTests.recipe) throws -> URL {
        let dir = try PtuneProcess.temporaryFolder(label)
        try Data(recipe.utf8).write(to: dir.appendingPathComponent("fit.pt"))
        return dir
    }

    @Test func gridTimesSeedsRecordsEveryPointAndSkipsThemAfter() throws {
        let dir = try SweepTests.folder("sweep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["sweep", "fit.pt", "--grid", "lr=0.01,0.1", "--seeds", "0,1", "--set", "steps=20", "--jobs", "2", "--out", "runs/s"]
        let first = try PtuneProcess.run(args, in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let names = ["lr=0.01_seed=0", "lr=0.01_seed=1", "lr=0.1_seed=0", "lr=0.1_seed=1"]
        for name in names {
            let record = try RunRecord.read(from: dir.appendingPathComponent("runs/s/\(name)/record.json").path)
            #expect(record.exitStatus == 0)
            #expect(record.overrides.map(\.name) == ["steps", "lr"])
            #expect(record.finalMetrics.last?.step == 20)
            #expect(record.peakMemoryBytes ?? 0 > 0)
            // Each point saved its own w.bin in its own output folder.
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/s/.sweep/\(name)/w.bin").path))
            #expect(record.savedFiles.contains { $0.path == "runs/s/.sweep/\(name)/w.bin" })
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("w.bin").path))
        #expect(first.stderr.contains("sweep: 4 points, 0 finished before, 4 to run"))
        #expect(first.stderr.contains("sweep: 4 ran, 0 finished before; records in runs/s"))
        // Seeds differ: the two seeds of one learning rate differ in their losses.
        let a = try RunRecord.read(from: dir.appendingPathComponent("runs/s/lr=0.1_seed=0/record.json").path)
        let b = try RunRecord.read(from: dir.appendingPathComponent("runs/s/lr=0.1_seed=1/record.json").path)
        #expect(a.finalMetrics.last?.loss != b.finalMetrics.last?.loss)

        let again = try PtuneProcess.run(args, in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("sweep: 4 points, 4 finished before, 0 to run"))
        let a2 = try RunRecord.read(from: dir.appendingPathComponent("runs/s/lr=0.1_seed=0/record.json").path)
        #expect(a2 == a)

        let table = try PtuneProcess.run(["runs", "table", "runs/s", "--group-by", "lr", "--sort", "loss"], in: dir)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("| lr   | runs | status | steps_run |"))
        #expect(lines[2].hasPrefix("| 0.1  |    2 |      0 |        20 | "))
        #expect(lines[2].contains(" ± "))
        let csv = try PtuneProcess.run(["runs", "table", "runs/s", "--only-changed", "--format", "csv"], in: dir)
        #expect(csv.stdout.hasPrefix("run,lr,seed,status,steps_run,loss,best_loss,eval,best_eval,trainable_parameters,seconds_per_step,seconds,peak_memory\n"))
        let diff = try PtuneProcess.run(["runs", "diff", "runs/s/lr=0.01_seed=0", "runs/s/lr=0.1_seed=1"], in: dir)
        #expect(diff.status == 0)
        #expect(diff.stdout.contains("recipe: the same (fit.pt"))
        #expect(diff.stdout.contains("  lr: 0.01 -> 0.1\n  seed: 0 (--seed) -> 1 (--seed)\n"))
        let plot = try PtuneProcess.run(["runs", "plot", "runs/s", "--group-by", "lr", "--smooth", "0.5", "-o", "curves.svg"], in: dir)
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(plot.stdout == "wrote curves.svg: 2 curves of loss\n")
        let svg = try String(contentsOf: dir.appendingPathComponent("curves.svg"), encoding: .utf8)
        #expect(svg.components(separatedBy: "<polygon ").count == 3)      // a band per group
        #expect(svg.components(separatedBy: "<polyline ").count == 3)
        #expect(svg.contains(">lr=0.01 (2 runs)</text>") && svg.contains(">lr=0.1 (2 runs)</text>"))
        let terminal = try PtuneProcess.run(["runs", "plot", "runs/s", "--metric", "eval", "--width", "70"], in: dir)
        #expect(terminal.status == 0, "\(terminal.stderr)")
        #expect(terminal.stdout.contains("lr=0.1_seed=1"))
        // A name that is not there: the option that named it and the names that would serve there.
        let misnamed: [([String], String, [String])] = [
            (["runs", "table", "runs/s", "--group-by", "rate"], "--group-by: no setting 'rate' to group by; the settings are: ", ["lr", "seed", "steps"]),
            (["runs", "plot", "runs/s", "--group-by", "rate", "-o", "x.svg"], "--group-by: no setting 'rate' to group by; the settings are: lr, seed, steps", []),
            (["runs", "table", "runs/s", "--sort", "los"], "--sort: no column 'los'; the columns are: run, ", ["lr", "seed", "loss", "best_eval"]),
            (["runs", "table", "runs/s", "--columns", "run,los"], "--columns: no column 'los'; the columns are: run, ", ["lr", "loss", "peak_memory"]),
        ]
        for (args, message, names) in misnamed {
            let r = try PtuneProcess.run(args, in: dir)
            let listed = r.stderr.components(separatedBy: "are: ").last?.trimmingCharacters(in: .newlines).components(separatedBy: ", ") ?? []
            #expect(r.status == 2 && r.stderr.hasPrefix("ptune: error: " + message), "\(args): \(r.stderr)")
            #expect(names.allSatisfy(listed.contains), "\(args): \(r.stderr)")
        }
        let missing = try PtuneProcess.run(["runs", "table", "nowhere"], in: dir)
        #expect(missing.status == 2 && missing.stderr == "ptune: error: 'nowhere' is not a folder\n")
    }

    @Test func badSweepOptionsAreUsageErrors() throws {
        let dir = try SweepTests.folder("sweep-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = try PtuneProcess.run(["sweep", "fit.pt", "--zip", "lr=0.1,0.2", "--zip", "steps=1"], in: dir)
        #expect(zip.status == 2 && zip.stderr.contains("zipped lists differ in length: 'lr' has 2 values, 'steps' has 1"))
        let twice = try PtuneProcess.run(["sweep", "fit.pt", "--grid", "lr=0.1", "--set", "lr=0.2"], in: dir)
        #expect(twice.status == 2 && twice.stderr.contains("'lr' is swept twice"))
        let seeds = try PtuneProcess.run(["sweep", "fit.pt", "--seeds", "a"], in: dir)
        #expect(seeds.status == 2 && seeds.stderr.contains("bad --seeds 'a'"))
    }

    /// Every point is checked before any runs: a setting the recipe does not declare, a value of the wrong type on
    /// one point, or a value that breaks a shape fails the whole sweep at once (status 65, the check's diagnostic and
    /// the point named), and nothing is run or written — for `--emit slurm` too.
    @Test func pointsThatDoNotCheckStopTheSweepBeforeAnyRuns() throws {
        let dir = try SweepTests.folder("sweep-check", recipe: SweepTests.recipe + "let width = 3\nprint zeros(width) + w\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(args: [String], point: String, message: String)] = [
            (["--grid", "steps=10", "--grid", "nosuch=1,2"], "point 1 of 2 (steps=10_nosuch=1)", "no top-level 'dim' or 'let' of a literal is named 'nosuch'"),
            (["--grid", "lr=0.1,fast", "--seeds", "0,1"], "point 3 of 4 (lr=fast_seed=0)", "'lr' is a number here, so its value must be one too"),
            (["--zip", "steps=5,6", "--zip", "width=3,4"], "point 2 of 2 (steps=6_width=4)", "cannot add"),
            (["--grid", "nosuch=1", "--emit", "slurm"], "point 1 of 1 (nosuch=1)", "named 'nosuch'"),
        ]
        for c in cases {
            let r = try PtuneProcess.run(["sweep", "fit.pt", "--out", "runs/c"] + c.args, in: dir)
            #expect(r.status == 65, "\(c.args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(c.message), "\(c.args): \(r.stderr)")
            #expect(r.stderr.contains("sweep: not started: \(c.point) does not check with its settings"), "\(c.args): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/c").path), "\(c.args)")
        }
        // The same axes with good values run.
        let ok = try PtuneProcess.run(["sweep", "fit.pt", "--out", "runs/ok", "--zip", "steps=5,6", "--zip", "width=3,3"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// Kills a sweep with SIGKILL while a point runs, at a random moment: the rerun skips the points that had
    /// finished (their records untouched) and the others' numbers equal those of a sweep that was never
    /// interrupted.
    @Test func aKilledSweepResumesWithoutRecomputingFinishedPoints() throws {
        let dir = try SweepTests.folder("sweep-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = ["--grid", "lr=0.01,0.02,0.03", "--set", "steps=20000", "--seeds", "1"]
        let process = Process()
        process.executableURL = PtuneProcess.binary
        process.arguments = ["sweep", "fit.pt"] + plan + ["--out", "runs/k", "--quiet"]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let firstRecord = dir.appendingPathComponent("runs/k/lr=0.01_seed=1/record.json").path
        let deadline = Date().addingTimeInterval(120)
        // Once the second point has written its first checkpoint, at a random moment within its run.
        let checkpoint = dir.appendingPathComponent("runs/k/.sweep/lr=0.02_seed=1/w.ckpt").path
        while !FileManager.default.fileExists(atPath: checkpoint) && process.isRunning && Date() < deadline { usleep(5_000) }
        #expect(FileManager.default.fileExists(atPath: firstRecord))
        usleep(UInt32.random(in: 0...300_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let kept = try Data(contentsOf: URL(fileURLWithPath: firstRecord))
        // The point that was running stops too (it watches the sweep), without a record.
        let until = Date().addingTimeInterval(10)
        while SweepTests.processes(mentioning: dir.lastPathComponent + "/runs/k/") > 0 && Date() < until { usleep(50_000) }
        #expect(SweepTests.processes(mentioning: dir.lastPathComponent + "/runs/k/") == 0, "a point outlived its killed sweep")
        let log = try String(contentsOf: dir.appendingPathComponent("runs/k/.sweep/lr=0.02_seed=1.log"), encoding: .utf8)
        #expect(log.hasPrefix("== "))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/k/lr=0.03_seed=1").path))

        let rerun = try PtuneProcess.run(["sweep", "fit.pt"] + plan + ["--out", "runs/k"], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("sweep: 3 points, 1 finished before, 2 to run"), "\(rerun.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: firstRecord)) == kept)
        // The killed point continued from its checkpoint; the one that never started began at step 0.
        let log2 = try String(contentsOf: dir.appendingPathComponent("runs/k/.sweep/lr=0.02_seed=1.log"), encoding: .utf8)
        #expect(log2.range(of: #"note: resuming 'w' from 'w.ckpt' at step \d+ of 20000"#, options: .regularExpression) != nil,
                "\(log2.suffix(2000))")
        let log3 = try String(contentsOf: dir.appendingPathComponent("runs/k/.sweep/lr=0.03_seed=1.log"), encoding: .utf8)
        #expect(log3.contains("note: no checkpoint 'w.ckpt' yet: training 'w' from the start"))

        let clean = try PtuneProcess.run(["sweep", "fit.pt"] + plan + ["--out", "runs/clean", "--jobs", "2"], in: dir)
        #expect(clean.status == 0, "\(clean.stderr)")
        for name in ["lr=0.01_seed=1", "lr=0.02_seed=1", "lr=0.03_seed=1"] {
            let resumed = try Data(contentsOf: dir.appendingPathComponent("runs/k/\(name)/metrics.csv"))
            let straight = try Data(contentsOf: dir.appendingPathComponent("runs/clean/\(name)/metrics.csv"))
            #expect(resumed == straight, "\(name)")
        }
    }

    /// How many processes have `text` in their command line.
    static func processes(mentioning text: String) -> Int {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        return pids.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }.count
    }

    @Test func slurmArrayScript() throws {
        let dir = try SweepTests.folder("sweep-slurm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try PtuneProcess.run(["sweep", "fit.pt", "--grid", "lr=0.01,0.1", "--seeds", "0..2", "--jobs", "2",
                                      "--cpus-per-task", "1", "--out", "runs/sl", "--emit", "slurm"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "wrote runs/sl/sweep.sbatch: 6 points as a Slurm array; submit with: sbatch runs/sl/sweep.sbatch\n")
        let text = try String(contentsOf: dir.appendingPathComponent("runs/sl/sweep.sbatch"), encoding: .utf8)
        #expect(text.contains("#SBATCH --array=0-5%2\n#SBATCH --cpus-per-task=1\n"))
        #expect(text.contains(" sweep \(dir.resolvingSymlinksInPath().path)/fit.pt --out ") || text.contains(" sweep \(dir.path)/fit.pt --out "))
        #expect(text.contains("--grid lr=0.01,0.1 --seeds 0,1,2 --point \"$SLURM_ARRAY_TASK_ID\"\n"))
        // One array task's command runs exactly its point.
        let task = try PtuneProcess.run(["sweep", "fit.pt", "--grid", "lr=0.01,0.1", "--seeds", "0..2", "--out", "runs/sl",
                                         "--point", "4", "--set", "steps=10"], in: dir)
        #expect(task.status == 0, "\(task.stderr)")
        let made = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("runs/sl").path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(made == ["lr=0.1_seed=1", "sweep.sbatch"])
    }
}
