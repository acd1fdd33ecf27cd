import ArgumentParser
import PTuneRun

/// `ptune check FILE.pt…`: parse and check only; also `ptune check -e CODE`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and check scripts (names, dims, shapes) without running them; exit 65 on any error.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var code: CodeOption
    @OptionGroup(visibility: .hidden) var record: RecordOption

    @Argument(help: ArgumentHelp("The scripts to check.", valueName: "FILE"))
    var files: [String] = []

    mutating func validate() throws {
        if files.isEmpty && code.code == nil { throw ValidationError("check needs at least one FILE (or -e CODE)") }
        if record.record != nil { throw ValidationError("--record records a run; check runs nothing") }
    }

    func run() throws {
        let runner = Launcher(options: options).runner
        var statuses: [ExitStatus] = []
        if !files.isEmpty { statuses.append(runner.check(files)) }
        if let code = code.code { statuses.append(runner.checkSource(code, name: "<-e>")) }
        throw ExitCode(statuses.first { $0 != .success } ?? .success)
    }
}
