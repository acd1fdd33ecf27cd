import Foundation
import PTuneCore

/// An `sbatch` array script for a sweep: one array task per point (`SLURM_ARRAY_TASK_ID` is the point's index),
/// each running `ptune sweep … --point ID` on the shared filesystem, so a task skips a point that finished and
/// resumes one that was interrupted, by the same rules as a local sweep.
public struct SlurmScript: Sendable {
    /// The job's name.
    public var jobName: String
    /// Points in the sweep (the array is `0-(points-1)`).
    public var points: Int
    /// At most this many tasks at once (`%K`; nil: no limit).
    public var concurrency: Int?
    /// CPUs per task (the point's threads).
    public var cpusPerTask: Int
    /// A time limit per task (`--time`), as Slurm writes it.
    public var time: String?
    /// The partition.
    public var partition: String?
    /// Further `#SBATCH` options, as written (`--mem=4G`).
    public var extra: [String]
    /// The folder the tasks start in (absolute).
    public var directory: String
    /// Where each task's output goes (absolute; `%A` the job, `%a` the task).
    public var output: String
    /// The command every task runs, as words (absolute paths); the point's index is appended.
    public var command: [String]

    /// A script.
    public init(jobName: String, points: Int, concurrency: Int?, cpusPerTask: Int, time: String?, partition: String?,
                extra: [String], directory: String, output: String, command: [String]) {
        self.jobName = jobName
        self.points = points
        self.concurrency = concurrency
        self.cpusPerTask = cpusPerTask
        self.time = time
        self.partition = partition
        self.extra = extra
        self.directory = directory
        self.output = output
        self.command = command
    }

    /// The script's text.
    public var text: String {
        var lines = ["#!/bin/bash", "# A ptune sweep as a Slurm array: one task per point. Submit with: sbatch THIS_FILE"]
        lines.append("#SBATCH --job-name=\(SlurmScript.safe(jobName))")
        lines.append("#SBATCH --array=0-\(max(0, points - 1))" + (concurrency.map { "%\($0)" } ?? ""))
        lines.append("#SBATCH --cpus-per-task=\(cpusPerTask)")
        lines.append("#SBATCH --ntasks=1")
        if let time { lines.append("#SBATCH --time=\(time)") }
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        for e in extra { lines.append("#SBATCH " + e) }
        lines.append("#SBATCH --output=\(output)")
        lines += [
            "set -euo pipefail",
            "cd " + SlurmScript.quote(directory),
            "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-\(cpusPerTask)}\"",
            "exec " + command.map(SlurmScript.quote).joined(separator: " ") + " --point \"$SLURM_ARRAY_TASK_ID\"",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// Writes the script to `path` atomically, executable.
    public func write(to path: String) throws {
        try AtomicFile.write(text, toPath: path)
        _ = chmod(path, 0o755)
    }

    /// `word` quoted for the shell when it needs it.
    public static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { u in
            u.isASCII && (u.properties.isAlphabetic || ("0"..."9").contains(u) || "-_./=,:+@%".unicodeScalars.contains(u))
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A job name without spaces or shell characters.
    static func safe(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "-" })
    }
}
