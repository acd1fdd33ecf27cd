import ArgumentParser
import Foundation
import PTuneREPL

/// `ptune`: run an experiment script, check scripts, run a snippet, or explore in the REPL.
@main
struct PTune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptune",
        abstract: "The ptune experiment language: run .pt scripts, check them, or explore in a REPL.",
        usage: """
        ptune [options] [FILE.pt | -]
          ptune [options] -e CODE
          ptune run [options] FILE.pt
          ptune check [options] FILE.pt...
        """,
        discussion: """
        With no FILE and no -e, ptune starts the REPL (prompt 'pt> '; type :help).
        FILE '-' reads the script from standard input.

        EXAMPLES
          ptune examples/seed.pt                   run a script
          ptune --seed 7 --set virtual=20 r.pt     the recipe with another seed, dim
          ptune --record runs/a examples/seed.pt   run it, write a run record
          ptune check examples/*.pt                parse and check only
          ptune -e 'print randn(2, 3)'             run a snippet
          cat recipe.pt | ptune -                  run a script from stdin
          ptune                                    start the REPL

        EXIT STATUS
          0    success
          1    runtime error or failed assert
          2    usage error (bad option, unreadable file)
          65   syntax or check error: nothing ran
          130  stopped by Ctrl-C (at the next step boundary)

        ENVIRONMENT
          PTUNE_HISTORY        REPL history file (~/.ptune_history; empty: none)
          PTUNE_HISTORY_SIZE   history entries kept (1000)
          NO_COLOR             no colours
        """,
        version: PTuneVersion.current
    )

    @OptionGroup var options: CommonOptions

    @Option(name: .customShort("e"), help: ArgumentHelp("Run CODE (one or more statements) and exit.", valueName: "CODE"))
    var code: String?

    @Argument(help: ArgumentHelp("A .pt script to run, or '-' for standard input. Without it (and without -e): the REPL.",
                                 valueName: "FILE"))
    var file: String?

    mutating func validate() throws {
        if code != nil && file != nil { throw ValidationError("give either -e CODE or a FILE, not both") }
        if options.record != nil && (file == nil || file == "-") {
            throw ValidationError("--record needs a script FILE (it records the script with the run)")
        }
    }

    func run() throws {
        let launcher = try Launcher(options: options)
        let status: ExitStatus
        if let code {
            status = launcher.runner().runSource(code, name: "<-e>")
        } else if file == "-" {
            var text = ""
            while let line = readLine(strippingNewline: false) { text += line }
            status = launcher.runner().runSource(text, name: "<stdin>")
        } else if let file {
            status = launcher.runner().runFile(file)
        } else {
            status = launcher.repl()
        }
        throw ExitCode(status.rawValue)
    }

    /// Parses and runs. `run` and `check` are dispatched by hand (ArgumentParser would take them for the root's
    /// FILE); usage errors exit with status 2 (ArgumentParser's default is 64).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "run": launch(RunCommand.self, Array(arguments.dropFirst()))
        case "check": launch(CheckCommand.self, Array(arguments.dropFirst()))
        case "help":
            let sub = arguments.dropFirst().first
            let text = sub == "run" ? RunCommand.helpMessage(for: RunCommand.self)
                : sub == "check" ? CheckCommand.helpMessage(for: CheckCommand.self) : PTune.helpMessage()
            print(text)
        default: launch(PTune.self, arguments)
        }
    }

    /// Parses `arguments` as `C` and runs it; exits with the run's status.
    static func launch<C: ParsableCommand>(_ type: C.Type, _ arguments: [String]) -> Never {
        do {
            var command = try C.parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if C.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((C.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            C.exit(withError: error)
        }
    }
}

/// `ptune run FILE.pt`: the same as `ptune FILE.pt`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptune run", abstract: "Run a .pt script (the same as 'ptune FILE.pt').")

    @OptionGroup var options: CommonOptions

    @Argument(help: ArgumentHelp("The script, or '-' for standard input.", valueName: "FILE"))
    var file: String

    func run() throws {
        let runner = try Launcher(options: options).runner()
        if file == "-" {
            var text = ""
            while let line = readLine(strippingNewline: false) { text += line }
            throw ExitCode(runner.runSource(text, name: "<stdin>").rawValue)
        }
        throw ExitCode(runner.runFile(file).rawValue)
    }
}

/// `ptune check FILE.pt…`: parse and check only.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptune check",
        abstract: "Parse and check scripts (names, dims, shapes) without running them; exit 65 on any error.")

    @OptionGroup var options: CommonOptions

    @Argument(help: ArgumentHelp("The scripts to check.", valueName: "FILE"))
    var files: [String]

    mutating func validate() throws {
        if files.isEmpty { throw ValidationError("check needs at least one FILE") }
    }

    func run() throws {
        throw ExitCode(try Launcher(options: options).runner().check(files).rawValue)
    }
}
