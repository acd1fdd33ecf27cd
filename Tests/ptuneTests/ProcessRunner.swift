import Foundation

/// Runs a built executable of the package with a deadline, as the robustness tests need: a process that hangs is
/// killed and reported, not waited for forever.
enum ProcessRunner {
    /// What a run produced.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The signal that ended the process, if one did.
        var signal: Int32?
        /// Whether the deadline passed and the test killed the process.
        var timedOut: Bool
    }

    /// An executable built next to `ptune` (`ptune`, `ptune-fuzz`).
    static func binary(_ name: String) -> URL {
        PtuneProcess.binary.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs `executable arguments…` in `directory`, killing it after `seconds`.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL, seconds: Double = 60,
                    environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["PTUNE_HISTORY"] = ""
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let scratch = try PtuneProcess.temporaryFolder("run")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        try? out.close(); try? err.close()
        let signaled = process.terminationReason == .uncaughtSignal
        return Outcome(status: signaled ? 0 : process.terminationStatus,
                       stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                       stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
                       signal: signaled ? process.terminationStatus : nil, timedOut: timedOut)
    }
}
