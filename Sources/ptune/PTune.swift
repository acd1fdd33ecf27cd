import ArgumentParser
import Foundation
import PTuneRun

/// `ptune`: run an experiment script, check scripts, run a snippet, or explore in the REPL.
@main
struct PTune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptune",
        abstract: "The ptune experiment language: run .pt scripts, check them, or explore in a REPL.",
        usage: """
        ptune [options] [FILE.pt | -]
          ptune [options] -e CODE
          ptune run [options] (FILE.pt | - | -e CODE)
          ptune check [options] (FILE.pt... | -e CODE)
          ptune repl [options]
          ptune lsp [options]
          ptune jupyter install [--user | --prefix DIR | --sys-prefix]
          ptune machine [options]
          ptune sweep [options] FILE.pt --grid NAME=V1,V2 [--seeds LIST] [--jobs N] [--out DIR]
          ptune runs (table | diff | plot) …
        """,
        discussion: """
        With no FILE and no -e, ptune starts the REPL (prompt 'pt> '; type :help).
        FILE '-' reads the script from standard input. Options may come before or after the subcommand.

        EXAMPLES
          ptune examples/seed.pt                   run a script
          ptune --seed 7 --set virtual=20 r.pt     the recipe with another seed, dim
          ptune --record runs/a examples/seed.pt   run it, write a run record
          ptune check examples/*.pt                parse and check only
          ptune -e 'print randn(2, 3)'             run a snippet
          cat recipe.pt | ptune -                  run a script from stdin
          ptune                                    start the REPL
          ptune lsp                                the language server, for editors
          ptune sweep r.pt --grid lr=1e-3,3e-3 --seeds 0,1 --jobs 2 --out runs/lr
                                                   a sweep: one recorded run per point
          ptune runs table runs/lr --group-by lr   compare recorded runs

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
        version: PTuneVersion.current,
        subcommands: [RunCommand.self, CheckCommand.self, REPLCommand.self, LSPCommand.self, JupyterCommand.self, MachineCommand.self,
                      SweepCommand.self, RunsCommand.self, StartCommand.self],
        defaultSubcommand: StartCommand.self
    )

    // Declared here too so `ptune --help` lists them; the subcommand given (or the default one) reads the same values.
    @OptionGroup var options: CommonOptions
    @OptionGroup var record: RecordOption
    @OptionGroup var code: CodeOption

    /// Parses the command line and runs the command it names, exiting with its status. Usage errors exit with
    /// status 2 (ArgumentParser's default is 64).
    static func main() {
        ParentWatch.startIfAsked()
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(ExitStatus.success.rawValue)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .validationFailure { Foundation.exit(usageError(error).rawValue) }
            exit(withError: error)
        }
    }

    /// Prints a usage error with the usage it concerns, and returns the exit code for it (status 2).
    static func usageError(_ error: Error) -> ExitCode {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        return ExitCode(ExitStatus.usage)
    }
}

extension ExitCode {
    /// The process exit code of `status`.
    init(_ status: ExitStatus) { self.init(status.rawValue) }
}
