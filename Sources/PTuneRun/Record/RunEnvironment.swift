import Foundation
import PTuneCore

/// The machine a run ran on, as a record keeps it: enough to tell two runs' numbers apart by where they ran.
public struct RunEnvironment: Codable, Equatable, Sendable {
    /// The host name.
    public var host: String
    /// The operating system and its version.
    public var os: String
    /// The processor cores the machine has.
    public var cores: Int
    /// The threads matrix products split over (`OPENBLAS_NUM_THREADS`, else the cores).
    public var threads: Int
    /// The OpenBLAS kernels products ran on (`SkylakeX`, `Haswell`, …): they split float32 sums differently, so
    /// two machines' last digits differ with them. Absent in records written before it was kept.
    public var blasKernels: String?

    /// An environment.
    public init(host: String, os: String, cores: Int, threads: Int, blasKernels: String? = nil) {
        self.host = host
        self.os = os
        self.cores = cores
        self.threads = threads
        self.blasKernels = blasKernels
    }

    /// The machine this process runs on.
    public static func current() -> RunEnvironment {
        let info = ProcessInfo.processInfo
        let cores = info.activeProcessorCount
        let threads = info.environment["OPENBLAS_NUM_THREADS"].flatMap { Int($0) }.map { max(1, $0) } ?? cores
        return RunEnvironment(host: info.hostName, os: info.operatingSystemVersionString, cores: cores, threads: threads,
                              blasKernels: BLAS.kernels)
    }

    /// The most memory this process has held at once (its peak resident set), in bytes.
    public static func peakMemoryBytes() -> Int {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024   // kilobytes on Linux
    }
}
