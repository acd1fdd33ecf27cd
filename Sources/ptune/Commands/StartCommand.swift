import ArgumentParser

/// What `ptune` does without a subcommand: runs `FILE` (`-` for standard input) or `-e CODE`, or else starts the REPL.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Run FILE or -e CODE, or start the REPL (what 'ptune' does without a subcommand).",
        shouldDisplay: false)

    @OptionGroup var options: CommonOptions
    @OptionGroup var record: RecordOption
    @OptionGroup var code: CodeOption

    @Argument(help: ArgumentHelp("A .pt script to run, or '-' for standard input. Without it (and without -e): the REPL.",
                                 valueName: "FILE"))
    var file: String?

    func run() throws {
        // Checked here rather than in `validate()`, so a usage error shows ptune's usage, not this hidden command's.
        do { try RunCommand.validate(file: file, code: code.code, record: record.record) } catch {
            throw PTune.usageError(error)
        }
        guard file != nil || code.code != nil else { throw ExitCode(Launcher(options: options).repl()) }
        throw ExitCode(Launcher(options: options, record: record.record).run(file: file, code: code.code))
    }
}
