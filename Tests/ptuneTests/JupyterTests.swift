import Foundation
import PTuneCore
import Testing

/// The Jupyter kernel with real Jupyter clients from the tests' Python environment (`PTUNE_PYTHON`): jupyter_client
/// drives execute, complete, inspect and interrupts (Jupyter/kernel_client.py); nbclient runs docs/tutorial.ipynb,
/// compares its outputs with the tutorial's and the committed notebook's, and interrupts a training cell
/// (scripts/lib/tutorial_notebook.py). Without the environment they skip with a message.
@Suite(.serialized) struct JupyterTests {
    /// The interpreter of the tests' Python environment, when `PTUNE_PYTHON` names one.
    static var python: String? {
        guard let p = ProcessInfo.processInfo.environment["PTUNE_PYTHON"], !p.isEmpty,
              FileManager.default.isExecutableFile(atPath: p) else { return nil }
        return p
    }

    static let skipMessage = "Jupyter client tests skipped: PTUNE_PYTHON is not set (scripts/test creates the Python environment and sets it)"

    /// Runs a Python client script with the ptune binary and a scratch folder as its arguments; records its
    /// output when it fails.
    static func runClient(_ script: URL, _ arguments: [String] = []) throws {
        let python = try #require(python)
        let scratch = try PtuneProcess.temporaryFolder("jupyter")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The user's own kernel specs and Jupyter settings must not leak in.
        let environment = ["JUPYTER_DATA_DIR": scratch.appendingPathComponent("data").path,
                           "JUPYTER_CONFIG_DIR": scratch.appendingPathComponent("config").path,
                           "JUPYTER_RUNTIME_DIR": scratch.appendingPathComponent("runtime").path,
                           "PYTHONDONTWRITEBYTECODE": "1"]
        let r = try PtuneProcess.run([script.path] + arguments + [PtuneProcess.binary.path, scratch.path],
                                     environment: environment, executable: URL(fileURLWithPath: python))
        #expect(r.status == 0, "\(script.lastPathComponent) failed:\n\(r.stdout)\n\(r.stderr.suffix(6000))")
        print(r.stdout, terminator: "")
    }

    @Test(.enabled(if: JupyterTests.python != nil, "\(JupyterTests.skipMessage)"))
    func jupyterClientDrivesTheKernel() throws {
        let script = try #require(Bundle.module.url(forResource: "kernel_client", withExtension: "py", subdirectory: "Jupyter"))
        try JupyterTests.runClient(script)
    }

    @Test(.enabled(if: JupyterTests.python != nil, "\(JupyterTests.skipMessage)"))
    func nbclientRunsTheTutorialNotebook() throws {
        try JupyterTests.runClient(PtuneProcess.packageRoot.appendingPathComponent("scripts/lib/tutorial_notebook.py"), ["check"])
    }

    /// `ptune jupyter install` writes the spec where Jupyter looks, and refuses what it cannot honour.
    @Test func installWritesTheKernelSpec() throws {
        let scratch = try PtuneProcess.temporaryFolder("kernelspec")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let data = scratch.appendingPathComponent("data")
        let noEnvironment = ["JUPYTER_DATA_DIR": data.path, "VIRTUAL_ENV": "", "CONDA_PREFIX": ""]
        let user = try PtuneProcess.run(["jupyter", "install"], environment: noEnvironment)
        #expect(user.status == 0 && user.stdout == "installed the 'ptune' kernel in \(data.path)/kernels/ptune\n", "\(user.stderr)")
        let spec = try JSONValue.parse(try String(contentsOf: data.appendingPathComponent("kernels/ptune/kernel.json"), encoding: .utf8))
        let argv = spec["argv"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(argv.first.map { FileManager.default.isExecutableFile(atPath: $0) } == true)
        #expect(Array(argv.dropFirst()) == ["jupyter", "kernel", "--connection-file", "{connection_file}"])
        let venv = try PtuneProcess.run(["jupyter", "install", "--sys-prefix", "--name", "ptune-venv", "--", "--seed", "3"],
                                        environment: ["VIRTUAL_ENV": scratch.appendingPathComponent("venv").path])
        #expect(venv.status == 0 && venv.stdout.hasSuffix("venv/share/jupyter/kernels/ptune-venv\n"), "\(venv.stderr)")
        for refused in [["jupyter", "install", "--sys-prefix"], ["jupyter", "install", "--user", "--prefix", "p"],
                        ["jupyter", "install", "--", "--no-such-option"], ["jupyter", "install", "--name", "a/b"]] {
            let r = try PtuneProcess.run(refused, environment: noEnvironment)
            #expect(r.status == 2 && r.stderr.lowercased().contains("error"), "\(refused): \(r.status) \(r.stderr)")
        }
    }
}
