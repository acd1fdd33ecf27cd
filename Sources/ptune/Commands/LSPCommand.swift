import ArgumentParser
import Foundation
import PTuneLSP
import PTuneRun

/// `ptune lsp`: the language server, for editors.
struct LSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Serve the Language Server Protocol on standard input and output, for editors (see docs/editors.md).",
        discussion: "Documents are checked as 'ptune check' checks them, with the same --allow-path and --set.")

    @OptionGroup var options: CommonOptions
    @OptionGroup(visibility: .hidden) var code: CodeOption
    @OptionGroup(visibility: .hidden) var record: RecordOption

    @Flag(name: .long, help: "Speak over standard input and output (the only transport; accepted for clients that pass it).")
    var stdio = false

    mutating func validate() throws {
        if code.code != nil { throw ValidationError("the language server reads documents from the editor, not -e CODE") }
        if record.record != nil { throw ValidationError("--record records a run; the language server runs nothing") }
    }

    func run() throws {
        // The protocol owns standard output: whatever else might be printed there goes to standard error instead.
        let protocolOutput = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        // A client that goes away must not kill the server mid-write; the write fails and the input ends.
        signal(SIGPIPE, SIG_IGN)
        let server = LanguageServer(options: options.settings().sessionOptions, version: PTuneVersion.current,
                                    output: protocolOutput)
        throw ExitCode(server.run(input: STDIN_FILENO))
    }
}
