import ArgumentParser
import PTuneKernel

/// `ptune machine`: one session driven by JSON lines over standard input and output, for programs that front ptune
/// (the Jupyter kernel runs one per notebook).
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Serve one session over JSON lines on standard input and output (requests: execute, complete, inspect, is_complete, interrupt, shutdown; see docs/jupyter.md).")

    @OptionGroup var options: CommonOptions
    @OptionGroup(visibility: .hidden) var code: CodeOption
    @OptionGroup(visibility: .hidden) var record: RecordOption

    mutating func validate() throws {
        if code.code != nil { throw ValidationError("the machine mode reads its requests on standard input; run a snippet with 'ptune -e CODE'") }
        if record.record != nil { throw ValidationError("--record needs a script FILE (it records the script with the run)") }
    }

    func run() throws {
        throw ExitCode(MachineServer(settings: options.settings()).run())
    }
}
