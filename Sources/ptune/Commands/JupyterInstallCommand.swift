import ArgumentParser
import Foundation
import PTuneKernel

/// `ptune jupyter install`: registers the `ptune` kernel spec with Jupyter.
struct JupyterInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Register the 'ptune' kernel with Jupyter (for this user by default).",
        discussion: """
        Writes kernels/NAME/kernel.json, which starts this ptune binary as the kernel. Options after '--' are given to
        every session of the kernel, e.g.  ptune jupyter install -- --allow-path ~/data --max-memory 4G
        """)

    @Flag(name: .long, help: "Install for this user: $JUPYTER_DATA_DIR, else ~/.local/share/jupyter (the default).")
    var user = false

    @Option(name: .long, help: ArgumentHelp("Install under PREFIX/share/jupyter.", valueName: "PREFIX"))
    var prefix: String?

    @Flag(name: .customLong("sys-prefix"), help: "Install into the active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX).")
    var sysPrefix = false

    @Option(name: .long, help: ArgumentHelp("The kernel's name (its folder).", valueName: "NAME"))
    var name = "ptune"

    @Option(name: .customLong("display-name"), help: ArgumentHelp("The name notebooks show.", valueName: "TEXT"))
    var displayName = "ptune"

    @Argument(parsing: .postTerminator, help: ArgumentHelp("Options for the kernel's sessions (after '--').", valueName: "OPTION"))
    var sessionOptions: [String] = []

    mutating func validate() throws {
        if [user, prefix != nil, sysPrefix].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --user, --prefix and --sys-prefix")
        }
        // The options must be ones a session takes: check them now rather than when Jupyter starts the kernel.
        do { _ = try CommonOptions.parse(sessionOptions) } catch {
            throw ValidationError("not a session option after '--': \(CommonOptions.message(for: error))")
        }
    }

    func run() throws {
        let location: KernelSpec.Location = prefix.map { .prefix($0) } ?? (sysPrefix ? .sysPrefix : .user)
        let spec = KernelSpec(name: name, displayName: displayName, executable: KernelSpec.currentExecutable, options: sessionOptions)
        do {
            let folder = try spec.install(location)
            print("installed the '\(name)' kernel in \(folder)")
        } catch {
            FileHandle.standardError.write(Data("ptune: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
