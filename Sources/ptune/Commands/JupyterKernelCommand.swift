import ArgumentParser
import Foundation
import PTuneKernel

/// `ptune jupyter kernel --connection-file FILE`: what Jupyter starts (kernel.json says so).
struct JupyterKernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run as a Jupyter kernel on the sockets a connection file names (Jupyter starts this).")

    @Option(name: [.customShort("f"), .customLong("connection-file")],
            help: ArgumentHelp("The connection file Jupyter wrote.", valueName: "FILE"))
    var connectionFile: String

    @OptionGroup var options: CommonOptions

    func run() throws {
        let kernel: JupyterKernel
        do {
            kernel = try JupyterKernel(connectionFile: connectionFile, executable: KernelSpec.currentExecutable,
                                       machineArguments: JupyterKernelCommand.sessionArguments(CommandLine.arguments))
        } catch {
            FileHandle.standardError.write(Data("ptune: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        throw ExitCode(kernel.run().rawValue)
    }

    /// The session's options among the kernel's arguments: everything after `jupyter kernel` but the connection
    /// file.
    static func sessionArguments(_ arguments: [String]) -> [String] {
        var rest = Array(arguments.dropFirst())
        if let k = rest.firstIndex(of: "kernel"), k > 0, rest[k - 1] == "jupyter" { rest.removeSubrange((k - 1)...k) }
        var out: [String] = []
        var i = 0
        while i < rest.count {
            let a = rest[i]
            if a == "-f" || a == "--connection-file" { i += 2; continue }
            if a.hasPrefix("--connection-file=") { i += 1; continue }
            out.append(a)
            i += 1
        }
        return out
    }
}
