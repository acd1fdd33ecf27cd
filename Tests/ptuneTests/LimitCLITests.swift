import Foundation
import Testing

/// The limits and Ctrl-C on the command line: options with sane defaults and clear usage errors, `--timeout`,
/// and SIGINT stopping a script at the next step boundary with a message (exit 130).
@Suite struct LimitCLITests {
    @Test func helpListsTheLimits() throws {
        let r = try PtuneProcess.run(["--help"])
        for flag in ["--timeout", "--max-memory", "--max-tensor-bytes", "--max-tensor-elements", "--max-depth"] {
            #expect(r.stdout.contains(flag), "--help does not mention \(flag)")
        }
    }

    @Test(arguments: [["--timeout", "0"], ["--timeout", "-1"], ["--max-memory", "lots"], ["--max-memory", "0"],
                      ["--max-tensor-bytes", "12Q"], ["--max-depth", "0"], ["--max-tensor-elements", "-5"]])
    func badLimitIsAUsageError(_ args: [String]) throws {
        let r = try PtuneProcess.run(args + ["-e", "print 1"])
        #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
        #expect(r.stderr.contains(args[0]), "\(r.stderr)")
        #expect(!r.stdout.contains("1"))
    }

    @Test func limitsApplyToSnippets() throws {
        let depth = try PtuneProcess.run(["--max-depth", "20", "-e", "fn f(n) = f(n + 1)\nprint f(0)"])
        #expect(depth.status == 1 && depth.stderr.contains("<-e>:1:11: error: function calls nested too deeply (more than 20)"), "\(depth.stderr)")
        let elements = try PtuneProcess.run(["--max-tensor-elements", "1000", "-e", "let t = zeros(2000)"])
        #expect(elements.status == 1 && elements.stderr.contains("exceeds the limit of 1000 elements"), "\(elements.stderr)")
        let memory = try PtuneProcess.run(["--max-memory", "1M", "--max-tensor-bytes", "512K", "-e", "let a = zeros(100000)\nlet b = zeros(200000)"])
        #expect(memory.status == 1 && memory.stderr.contains("<-e>:2:9: error: tensor of 800000 bytes exceeds the limit of 524288 bytes per tensor"), "\(memory.stderr)")
    }

    /// Starts `ptune script.pt`, waits for its first output line (and `settle` seconds more, so the statement after
    /// it is running), sends SIGINT, and returns the outcome.
    static func interrupt(_ script: String, settle: Double = 0) throws -> (status: Int32, signaled: Bool, stdout: String, stderr: String, seconds: Double) {
        let folder = try PtuneProcess.temporaryFolder("sigint")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(script.utf8).write(to: folder.appendingPathComponent("loop.pt"))
        let process = Process()
        process.executableURL = PtuneProcess.binary
        process.arguments = ["loop.pt"]
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Wait for "started" (the script is in its loop), then Ctrl-C.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("started") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        if settle > 0 { usleep(UInt32(settle * 1_000_000)) }
        let start = Date()
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        seen += out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, String(decoding: seen, as: UTF8.self),
                stderr, Date().timeIntervalSince(start))
    }

    @Test func ctrlCStopsALoopAtTheNextStep() throws {
        let r = try LimitCLITests.interrupt("let i = 0\nprint \"started\"\nwhile true { i += 1 }\nprint \"never\"\n")
        #expect(!r.signaled && r.status == 130, "status \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("interrupted: stopped by the user"), "\(r.stderr)")
        #expect(!r.stdout.contains("never"))
        #expect(r.seconds < 10)
    }

    @Test func ctrlCStopsTrainingAndSaysWhere() throws {
        let r = try LimitCLITests.interrupt("""
        param w = zeros(2)
        data d = dataset(x: ones(8, 2))
        print "started"
        train w on d {
          loss: sum(batch.x * w)
          optimizer: sgd(lr: 0.001)
          batch: 1
          steps: 100000000
        }
        print "never"
        """, settle: 1)
        #expect(!r.signaled && r.status == 130, "status \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("interrupted: training of 'w' stopped at step"), "\(r.stderr)")
        #expect(!r.stdout.contains("never"))
    }

    /// The REPL (on a pipe): Ctrl-C during a long entry stops it, the session keeps its state and reads the next
    /// line.
    @Test func ctrlCInTheREPLReturnsToThePrompt() throws {
        let process = Process()
        process.executableURL = PtuneProcess.binary
        process.arguments = []
        var env = ProcessInfo.processInfo.environment
        env["PTUNE_HISTORY"] = ""
        process.environment = env
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data("let i = 0\nprint \"started\"\nwhile true { i += 1 }\n".utf8))
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("started") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        usleep(300_000)
        kill(process.processIdentifier, SIGINT)
        input.fileHandleForWriting.write(Data("print \"after\", i > 0\n".utf8))
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        seen += out.fileHandleForReading.readDataToEndOfFile()
        let stdout = String(decoding: seen, as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit, "the REPL died by a signal")
        #expect(stderr.contains("interrupted: stopped by the user"), "\(stderr)")
        #expect(stdout.contains("after true"), "stdout: \(stdout)\nstderr: \(stderr)")
    }
}
