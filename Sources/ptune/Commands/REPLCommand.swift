import ArgumentParser

/// `ptune repl`: the REPL, as `ptune` alone starts it.
struct REPLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Explore line by line (the same as 'ptune' alone); reads plain lines when standard input is not a terminal.")

    @OptionGroup var options: CommonOptions
    // Accepted anywhere on the command line, so refused here by name rather than taken for something else.
    @OptionGroup(visibility: .hidden) var code: CodeOption
    @OptionGroup(visibility: .hidden) var record: RecordOption

    mutating func validate() throws {
        if code.code != nil { throw ValidationError("the REPL reads its input; run a snippet with 'ptune -e CODE'") }
        if record.record != nil { throw ValidationError("--record needs a script FILE (it records the script with the run)") }
    }

    func run() throws {
        throw ExitCode(Launcher(options: options).repl())
    }
}
