import ArgumentParser

/// `ptune run FILE.pt`: the same as `ptune FILE.pt`; also `ptune run -` and `ptune run -e CODE`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a .pt script, standard input ('-') or -e CODE (the same as 'ptune FILE.pt').")

    @OptionGroup var options: CommonOptions
    @OptionGroup var record: RecordOption
    @OptionGroup var code: CodeOption

    @Argument(help: ArgumentHelp("The script, or '-' for standard input.", valueName: "FILE"))
    var file: String?

    mutating func validate() throws {
        if file == nil && code.code == nil { throw ValidationError("run needs a script FILE, '-' or -e CODE") }
        try RunCommand.validate(file: file, code: code.code, record: record.record)
    }

    func run() throws {
        throw ExitCode(Launcher(options: options, record: record.record).run(file: file, code: code.code))
    }

    /// What running a script or snippet asks of the command line: one source, and a file to record.
    static func validate(file: String?, code: String?, record: String?) throws {
        if code != nil && file != nil { throw ValidationError("give either -e CODE or a FILE, not both") }
        if record != nil && (file == nil || file == "-") {
            throw ValidationError("--record needs a script FILE (it records the script with the run)")
        }
    }
}
