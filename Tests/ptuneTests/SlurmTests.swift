import Foundation
import Testing
@testable import PTuneRun

/// A sweep as a Slurm array on a real one-node cluster (Tests/Slurm/one-node-cluster.sh starts munged, slurmctld
/// and slurmd in a temporary folder; scripts/test installs slurm-wlm and munge from Debian): every point's record,
/// then one task cancelled and the array resubmitted, which finishes it without rerunning the others.
@Suite(.serialized) struct SlurmTests {
    /// Whether Slurm's daemons and clients are installed.
    static var installed: Bool {
        ["munged", "slurmctld", "slurmd", "sbatch"].allSatisfy { tool in
            ["/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"].contains { FileManager.default.isExecutableFile(atPath: $0 + tool) }
        }
    }

    static let script = PtuneProcess.packageRoot.appendingPathComponent("Tests/Slurm/one-node-cluster.sh")

    /// Runs a Slurm client with the cluster's configuration.
    static func client(_ tool: String, _ args: [String], conf: String, in dir: URL) throws -> ProcessRunner.Outcome {
        try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/env"), [tool] + args, in: dir, seconds: 60, environment: ["SLURM_CONF": conf])
    }

    /// Submits `batch` and waits (up to `seconds`) until the job has left the queue; returns the job id.
    static func submitAndWait(_ batch: String, conf: String, in dir: URL, seconds: Double = 240,
                              whileRunning: (String) throws -> Void = { _ in }) throws -> String {
        let sub = try client("sbatch", ["--parsable", batch], conf: conf, in: dir)
        #expect(sub.status == 0 && !sub.timedOut, "sbatch failed: \(sub.stderr)")
        let job = sub.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            try whileRunning(job)
            let q = try client("squeue", ["-h", "-j", job], conf: conf, in: dir)
            guard q.status == 0 && !q.timedOut else { Issue.record("squeue failed: \(q.stderr)"); return job }
            if q.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return job }
            usleep(200_000)
        }
        Issue.record("job \(job) did not finish in \(Int(seconds)) s")
        return job
    }

    @Test(.enabled(if: installed, "Slurm is not installed: scripts/test installs slurm-wlm and munge from Debian (as root)"))
    func sweepRunsAsASlurmArrayAndResumesACancelledTask() throws {
        let dir = try SweepTests.folder("slurm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = URL(fileURLWithPath: "/tmp/ptune-slurm-\(UUID().uuidString.prefix(8))")
        let start = try ProcessRunner.run(SlurmTests.script, ["start", cluster.path], in: dir, seconds: 90)
        defer {
            _ = try? ProcessRunner.run(SlurmTests.script, ["stop", cluster.path], in: dir, seconds: 30)
            try? FileManager.default.removeItem(at: cluster)
        }
        guard start.status == 0 else {
            // The daemons cannot run here: say exactly why, and skip.
            print("SlurmTests: skipped: the one-node cluster did not start:\n\(start.stderr)")
            return
        }
        let conf = cluster.appendingPathComponent("slurm.conf").path

        // 2 learning rates × 2 seeds, two tasks at a time, one CPU each.
        let plan = ["--grid", "lr=0.01,0.1", "--seeds", "0,1", "--set", "steps=30"]
        let emit = try PtuneProcess.run(["sweep", "fit.pt"] + plan + ["--jobs", "2", "--cpus-per-task", "1", "--out", "runs/a", "--emit", "slurm"], in: dir)
        #expect(emit.status == 0, "\(emit.stderr)")
        _ = try SlurmTests.submitAndWait("runs/a/sweep.sbatch", conf: conf, in: dir)
        for name in ["lr=0.01_seed=0", "lr=0.01_seed=1", "lr=0.1_seed=0", "lr=0.1_seed=1"] {
            let path = dir.appendingPathComponent("runs/a/\(name)/record.json").path
            let record = try? RunRecord.read(from: path)
            #expect(record?.exitStatus == 0 && record?.finalMetrics.last?.step == 30, "\(name): \(record.map { "\($0)" } ?? "no record")")
            #expect(record?.environment?.threads == 1)
        }
        let table = try PtuneProcess.run(["runs", "table", "runs/a", "--group-by", "lr"], in: dir)
        #expect(table.status == 0 && table.stdout.split(separator: "\n").count == 4, "\(table.stdout)\(table.stderr)")

        // A slower sweep, one task at a time: cancel task 1 once task 0 has finished, then resubmit.
        let slow = ["--grid", "lr=0.01,0.02,0.03", "--set", "steps=20000", "--seeds", "1"]
        let emit2 = try PtuneProcess.run(["sweep", "fit.pt"] + slow + ["--jobs", "1", "--out", "runs/b", "--emit", "slurm"], in: dir)
        #expect(emit2.status == 0, "\(emit2.stderr)")
        let first = dir.appendingPathComponent("runs/b/lr=0.01_seed=1/record.json").path
        var cancelled = false
        _ = try SlurmTests.submitAndWait("runs/b/sweep.sbatch", conf: conf, in: dir) { job in
            guard !cancelled, FileManager.default.fileExists(atPath: first) else { return }
            let c = try SlurmTests.client("scancel", [job + "_1"], conf: conf, in: dir)
            #expect(c.status == 0, "scancel: \(c.stderr)")
            cancelled = true
        }
        #expect(cancelled)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/b/lr=0.02_seed=1/record.json").path))
        let kept = try Data(contentsOf: URL(fileURLWithPath: first))
        _ = try SlurmTests.submitAndWait("runs/b/sweep.sbatch", conf: conf, in: dir)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == kept, "the finished point ran again")
        let local = try PtuneProcess.run(["sweep", "fit.pt"] + slow + ["--out", "runs/local", "--point", "1"], in: dir)
        #expect(local.status == 0, "\(local.stderr)")
        for name in ["lr=0.02_seed=1", "lr=0.03_seed=1"] {
            let record = try? RunRecord.read(from: dir.appendingPathComponent("runs/b/\(name)/record.json").path)
            #expect(record?.exitStatus == 0, "\(name)")
        }
        let resumed = try Data(contentsOf: dir.appendingPathComponent("runs/b/lr=0.02_seed=1/metrics.csv"))
        let straight = try Data(contentsOf: dir.appendingPathComponent("runs/local/lr=0.02_seed=1/metrics.csv"))
        #expect(resumed == straight)
    }
}
