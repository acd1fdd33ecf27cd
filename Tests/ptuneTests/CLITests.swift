import Foundation
import Testing

@Suite struct CLITests {
    @Test func helpDocumentsOptionsExamplesAndExitStatuses() throws {
        let r = try PtuneProcess.run(["--help"])
        #expect(r.status == 0)
        for text in ["EXAMPLES", "EXIT STATUS", "65   syntax or check error", "--seed <N>", "--set <NAME=VALUE>",
                     "--allow-path <DIR>", "--quiet", "--no-color", "--record <DIR>", "--version", "ptune check"] {
            #expect(r.stdout.contains(text), "--help lacks \(text)")
        }
        #expect(try PtuneProcess.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        #expect(try PtuneProcess.run(["help", "check"]).stdout.contains("exit 65 on any error"))
    }

    @Test func everyExampleChecks() throws {
        let folder = PtuneProcess.packageRoot.appendingPathComponent("examples")
        let examples = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".pt") }.sorted()
        #expect(examples.count >= 2)
        let r = try PtuneProcess.run(["check"] + examples.map { "examples/" + $0 })
        #expect(r.status == 0, "\(r.stderr)")
        for e in examples { #expect(r.stdout.contains("examples/\(e): ok")) }
    }

    @Test func exitStatuses() throws {
        let dir = try PtuneProcess.temporaryFolder("exit")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "dim a = 2\nlet x = zeros(a, 3)\nprint \"ran\"\nlet y = x @ x\n".write(to: dir.appendingPathComponent("shape.pt"), atomically: true, encoding: .utf8)
        try "print \"first\"\nassert 1 > 2, \"one is not more than two\"\n".write(to: dir.appendingPathComponent("assert.pt"), atomically: true, encoding: .utf8)
        try "let x = [1, 2\n".write(to: dir.appendingPathComponent("open.pt"), atomically: true, encoding: .utf8)

        let shape = try PtuneProcess.run(["shape.pt"], in: dir)
        #expect(shape.status == 65)
        #expect(shape.stdout.isEmpty)                                     // checked before anything ran
        #expect(shape.stderr.contains("shape.pt:4:9: error: cannot matmul [a, 3] with [a, 3]: '3' vs 'a'\nlet y = x @ x\n        ^~~~~"))
        #expect(try PtuneProcess.run(["check", "shape.pt"], in: dir).status == 65)

        let assertion = try PtuneProcess.run(["run", "assert.pt"], in: dir)
        #expect(assertion.status == 1)
        #expect(assertion.stdout == "first\n")
        #expect(assertion.stderr.contains("assert.pt:2:1: error: assertion failed: one is not more than two"))

        #expect(try PtuneProcess.run(["open.pt"], in: dir).status == 65)
        #expect(try PtuneProcess.run(["missing.pt"], in: dir).status == 2)
        #expect(try PtuneProcess.run(["--no-such-option"], in: dir).status == 2)
        #expect(try PtuneProcess.run(["--set", "novalue", "assert.pt"], in: dir).status == 2)
        #expect(try PtuneProcess.run(["check"], in: dir).status == 2)
        let unused = try PtuneProcess.run(["--set", "nothere=3", "assert.pt"], in: dir)
        #expect(unused.status == 65 && unused.stderr.contains("'nothere'"))
    }

    /// `run`, `check` and `repl` are subcommands; `ptune FILE`, `ptune -e`, `ptune -` and `ptune` alone do what they
    /// did; options mean the same before or after the subcommand.
    @Test func subcommands() throws {
        let dir = try PtuneProcess.temporaryFolder("sub")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "dim n = 5\nprint \"n\", n\n".write(to: dir.appendingPathComponent("s.pt"), atomically: true, encoding: .utf8)
        for args in [["s.pt"], ["run", "s.pt"], ["start", "s.pt"]] {
            let r = try PtuneProcess.run(args, in: dir)
            #expect(r.status == 0 && r.stdout == "n 5\n", "\(args): \(r.stderr)")
        }
        for args in [["--set", "n=2", "run", "s.pt"], ["run", "--set", "n=2", "s.pt"], ["run", "s.pt", "--set", "n=2"],
                     ["s.pt", "--set", "n=2"]] {
            let r = try PtuneProcess.run(args, in: dir)
            #expect(r.status == 0 && r.stdout == "n 2\n", "\(args): \(r.stdout) \(r.stderr)")
        }
        let snippet = try PtuneProcess.run(["run", "-e", "print 6 * 7"], in: dir)
        #expect(snippet.status == 0 && snippet.stdout == "42\n")
        let stdin = try PtuneProcess.run(["run", "-"], input: "print \"piped\"\n", in: dir)
        #expect(stdin.status == 0 && stdin.stdout == "piped\n")
        let checked = try PtuneProcess.run(["check", "s.pt", "-e", "print 1"], in: dir)
        #expect(checked.status == 0 && checked.stdout == "s.pt: ok\n<-e>: ok\n")
        let badSnippet = try PtuneProcess.run(["check", "-e", "print nosuch"], in: dir)
        #expect(badSnippet.status == 65 && badSnippet.stderr.contains("<-e>:1:7: error: cannot find 'nosuch'"))
        let repl = try PtuneProcess.run(["repl", "--quiet"], input: "let a = 3\na * 2\n:quit\nprint 0\n", in: dir)
        #expect(repl.status == 0 && repl.stdout == "6\n")

        // Usage errors: status 2, a message, and the usage of the command concerned.
        for (args, message) in [(["run"], "run needs a script FILE"), (["check", "--record", "r", "s.pt"], "check runs nothing"),
                                (["repl", "-e", "print 1"], "the REPL reads its input"),
                                (["--record", "r", "-e", "print 1"], "--record needs a script FILE"),
                                (["s.pt", "-e", "print 1"], "either -e CODE or a FILE"),
                                (["--max-memory", "12Q", "s.pt"], "'12Q' is invalid for '--max-memory <SIZE>'")] {
            let r = try PtuneProcess.run(args, in: dir)
            #expect(r.status == 2 && r.stderr.contains(message) && r.stderr.contains("Usage: ptune"), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("ptune start"), "\(args): the hidden default command shows: \(r.stderr)")
        }
        let help = try PtuneProcess.run(["--help"])
        let listed = help.stdout.components(separatedBy: "SUBCOMMANDS:").last?.components(separatedBy: "\n") ?? []
        #expect(listed.contains { $0.hasPrefix("  run ") } && listed.contains { $0.hasPrefix("  check ") }
                && listed.contains { $0.hasPrefix("  repl ") } && !listed.contains { $0.hasPrefix("  start ") })
        #expect(try PtuneProcess.run(["help", "run"]).stdout.contains("USAGE: ptune run"))
    }

    @Test func snippetsAndStandardInput() throws {
        let e = try PtuneProcess.run(["-e", "dim n = 3\nprint sum(ones(n))"])
        #expect(e.status == 0 && e.stdout == "3.0\n")
        let stdin = try PtuneProcess.run(["-"], input: "print \"from stdin\", 1 + 1\n")
        #expect(stdin.status == 0 && stdin.stdout == "from stdin 2\n")
        let bad = try PtuneProcess.run(["-e", "print nosuch"])
        #expect(bad.status == 65 && bad.stderr.contains("<-e>:1:7: error: cannot find 'nosuch' in scope"))
    }

    @Test func replOverAPipe() throws {
        let r = try PtuneProcess.run([], input: "let a = [\n1, 2]\na\nbroken +\n)\nprint \"after\", a\n:vars\n")
        // The REPL goes on after an error, but on a pipe the exit status says one happened (as a script's would).
        #expect(r.status == 65)
        #expect(r.stdout.hasPrefix("[1, 2]\n"))
        #expect(r.stdout.contains("after [1, 2]"))
        #expect(r.stdout.contains("a     let   list of numbers [2]"))
        #expect(r.stderr.contains("error:"))
    }

    @Test func allowPathWidensFileAccess() throws {
        let outside = try PtuneProcess.temporaryFolder("outside"), inside = try PtuneProcess.temporaryFolder("inside")
        defer { try? FileManager.default.removeItem(at: outside); try? FileManager.default.removeItem(at: inside) }
        try "hello from outside".write(to: outside.appendingPathComponent("note.txt"), atomically: true, encoding: .utf8)
        let code = "print read_text(\"\(outside.path)/note.txt\")"
        let refused = try PtuneProcess.run(["-e", code], in: inside)
        #expect(refused.status == 1 && refused.stderr.contains("error:") && refused.stderr.contains("note.txt"))
        let allowed = try PtuneProcess.run(["--allow-path", outside.path, "-e", code], in: inside)
        #expect(allowed.status == 0 && allowed.stdout == "hello from outside\n")
    }

    @Test func overridesAndSeed() throws {
        let a = try PtuneProcess.run(["--quiet", "--seed", "3", "--set", "n=2", "-e", "dim n = 5\nprint randn(n).shape"])
        #expect(a.stdout == "[2]\n")
        let b1 = try PtuneProcess.run(["--quiet", "--seed", "3", "-e", "seed 1\nprint item(randn(1))"])
        let b2 = try PtuneProcess.run(["--quiet", "--seed", "3", "-e", "seed 2\nprint item(randn(1))"])
        #expect(b1.stdout == b2.stdout && !b1.stdout.isEmpty)             // --seed wins over the script's seed
    }

    @Test func progressOffATerminalIsOneLinePerLogCadence() throws {
        let dir = try PtuneProcess.temporaryFolder("log")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: PtuneProcess.packageRoot.appendingPathComponent("examples/loss-curve.pt"),
                                         to: dir.appendingPathComponent("loss-curve.pt"))
        let r = try PtuneProcess.run(["--set", "steps=200", "loss-curve.pt"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let logLines = r.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("step ") }
        #expect(logLines.count == 2)
        #expect(logLines.first?.hasPrefix("step 100/200  epoch ") == true)
        // The time goes to standard error, so that equal runs print equal output.
        #expect(r.stderr.hasPrefix("train tokens: 200 steps in "), "\(r.stderr)")
        #expect(!r.stdout.contains("steps/s") && !r.stdout.contains("s)"))
        #expect(!r.stdout.contains("\r") && !r.stderr.contains("\r"))
        #expect(r.stdout.contains("└") && r.stdout.contains("⣿ loss"))   // the terminal chart
        let svg = try String(contentsOf: dir.appendingPathComponent("loss-curve.svg"), encoding: .utf8)
        #expect(svg.contains("<polyline") && svg.contains(">step</text>"))
        let quiet = try PtuneProcess.run(["--quiet", "--set", "steps=200", "loss-curve.pt"], in: dir)
        #expect(!quiet.stdout.contains("step ") && !quiet.stdout.contains("trained tokens") && quiet.stderr.isEmpty)
    }
}

@Suite struct InterruptTests {
    /// SIGINT stops a running script at the next training step with a message and status 130.
    @Test func ctrlCStopsAScriptAtAStepBoundary() throws {
        let dir = try PtuneProcess.temporaryFolder("sigint")
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            param w = zeros(2)
            data d = dataset(x: ones(64, 2), y: ones(64))
            train w on d { loss: mse(batch.x @ w, batch.y); optimizer: sgd(lr: 0.0001); batch: 8; steps: 100000000; log: every 1000 steps }
            print "not reached"
            """.write(to: dir.appendingPathComponent("long.pt"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = PtuneProcess.binary
        process.arguments = ["long.pt"]
        process.currentDirectoryURL = dir
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Wait until training is under way (a log line), then press Ctrl-C.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !(try String(contentsOf: outURL, encoding: .utf8)).contains("train w step") { usleep(20_000) }
        process.interrupt()
        process.waitUntilExit()
        let out = try String(contentsOf: outURL, encoding: .utf8), err = try String(contentsOf: errURL, encoding: .utf8)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
        #expect(err.contains("interrupted: training of 'w' stopped at step"))
        #expect(!out.contains("not reached"))
    }
}
