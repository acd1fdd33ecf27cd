import ArgumentParser

/// `ptune jupyter`: the Jupyter kernel and its installation.
struct JupyterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jupyter",
        abstract: "Use ptune in Jupyter: install the kernel spec, or run as the kernel (Jupyter does that).",
        subcommands: [JupyterInstallCommand.self, JupyterKernelCommand.self])
}
